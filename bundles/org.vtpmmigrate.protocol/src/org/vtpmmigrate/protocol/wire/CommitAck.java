package org.vtpmmigrate.protocol.wire;

/** Source to destination: HMAC over the commit payload; the source has stopped for good. */
public record CommitAck(Bytes mac) implements Message {
    public CommitAck {
        Require.length("mac", mac, Limits.MAC_LENGTH);
    }

    @Override
    public MessageType type() {
        return MessageType.COMMIT_ACK;
    }
}
