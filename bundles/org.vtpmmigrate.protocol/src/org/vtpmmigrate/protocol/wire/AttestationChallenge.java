package org.vtpmmigrate.protocol.wire;

/** A fresh 32-byte nonce (becomes the quote's qualifyingData) and the PCRs to quote. */
public record AttestationChallenge(Bytes nonce, PcrSelection selection) implements Message {
    public AttestationChallenge {
        Require.length("nonce", nonce, Limits.NONCE_LENGTH);
        java.util.Objects.requireNonNull(selection, "selection");
    }

    @Override
    public MessageType type() {
        return MessageType.ATTESTATION_CHALLENGE;
    }
}
