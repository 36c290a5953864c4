package org.vtpmmigrate.protocol.wire;

/**
 * Destination to source, after it loaded the state and resumed the VM: what it received (record
 * count, payload bytes, stream digest) and AK_D's signature over the commit payload (protocol
 * label, transcript hash and those three values).
 */
public record Commit(long recordCount, long payloadBytes, Bytes streamDigest, Bytes signature) implements Message {
    public Commit {
        Require.nonNegative("recordCount", recordCount);
        Require.nonNegative("payloadBytes", payloadBytes);
        Require.length("streamDigest", streamDigest, Limits.DIGEST_LENGTH);
        Require.length("signature", signature, 1, Limits.MAX_SIGNATURE_LENGTH);
    }

    @Override
    public MessageType type() {
        return MessageType.COMMIT;
    }
}
