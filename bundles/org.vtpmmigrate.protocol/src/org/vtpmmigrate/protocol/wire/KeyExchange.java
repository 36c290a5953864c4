package org.vtpmmigrate.protocol.wire;

/** Source to destination: the ephemeral ECDH public key, an uncompressed SEC1 point. */
public record KeyExchange(Bytes ephemeralPublicKey) implements Message {
    public KeyExchange {
        Require.length("ephemeralPublicKey", ephemeralPublicKey, 1, Limits.MAX_KEY_SHARE_LENGTH);
    }

    @Override
    public MessageType type() {
        return MessageType.KEY_EXCHANGE;
    }
}
