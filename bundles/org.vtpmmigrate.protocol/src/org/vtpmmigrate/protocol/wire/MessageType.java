package org.vtpmmigrate.protocol.wire;

import java.util.Optional;

/**
 * Every frame type of protocol version 1, with its wire code and the largest body it may have.
 * The bound is checked on the frame header, before a body is read, so a peer cannot make a host
 * allocate more than the type needs.
 */
public enum MessageType {
    /** S to D: which VM moves, under which policy, with which cipher suites. */
    MIGRATION_REQUEST(0x0001, 4 * 1024, true),
    /** D to S: the chosen cipher suite and the offer as D received it. */
    MIGRATION_ACCEPT(0x0002, 256, true),
    /** Either way: a fresh nonce and the PCR selection the peer must quote. */
    ATTESTATION_CHALLENGE(0x0003, 256, true),
    /** Either way: quote, signature, PCR values, event logs, VM launch measurements. */
    ATTESTATION_EVIDENCE(0x0004, Limits.MAX_EVIDENCE_BODY, true),
    /** D to S: the PCR-bound key's public area and its TPM2_Certify evidence. */
    BOUND_KEY_OFFER(0x0005, 16 * 1024, true),
    /** S to D: the ephemeral ECDH public key. */
    KEY_EXCHANGE(0x0006, 256, true),
    /** Either way: HMAC over the transcript with the sender's confirmation key. */
    KEY_CONFIRM(0x0007, 64, true),
    /** S to D: one sealed record of the migration stream. */
    DATA_RECORD(0x0010, Limits.MAX_DATA_RECORD_BODY, false),
    /** S to D: the sealed last record: record count, byte count, stream digest. */
    END_OF_STREAM(0x0011, 256, false),
    /** D to S: AK_D's signature over transcript and stream digest. */
    COMMIT(0x0020, 2 * 1024, false),
    /** S to D: S accepted the commit and will not resume the source VM. */
    COMMIT_ACK(0x0021, 64, false),
    /** Either way: the run ended with a typed reason. */
    ABORT(0x00FF, 2 * 1024, false);

    private final int code;
    private final int maxBodyLength;
    private final boolean handshake;

    MessageType(int code, int maxBodyLength, boolean handshake) {
        this.code = code;
        this.maxBodyLength = maxBodyLength;
        this.handshake = handshake;
    }

    /** The u16 on the wire. */
    public int code() {
        return code;
    }

    /** Largest body length accepted for this type. */
    public int maxBodyLength() {
        return maxBodyLength;
    }

    /** Whether frames of this type are part of the handshake transcript. */
    public boolean isHandshake() {
        return handshake;
    }

    /** Whether frames of this type are AEAD-sealed records. */
    public boolean isRecord() {
        return this == DATA_RECORD || this == END_OF_STREAM;
    }

    /** The code as printed in errors, e.g. {@code 0x0042}. */
    public static String hex(int code) {
        return String.format("0x%04x", code);
    }

    public static Optional<MessageType> fromCode(int code) {
        for (MessageType t : values()) {
            if (t.code == code) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
