package org.vtpmmigrate.protocol.wire;

/** HMAC-SHA256 over the transcript so far, with the sender's key-confirmation key. */
public record KeyConfirm(Bytes mac) implements Message {
    public KeyConfirm {
        Require.length("mac", mac, Limits.MAC_LENGTH);
    }

    @Override
    public MessageType type() {
        return MessageType.KEY_CONFIRM;
    }
}
