package org.vtpmmigrate.protocol.wire;

/**
 * The last record of a stream, sealed like data records: it carries the record count, the payload
 * byte count and the stream digest, so a stream cut short or with records dropped at its end is
 * detected.
 */
public record EndOfStream(long sequence, Bytes sealed) implements Message {
    /** Record count (8), payload bytes (8), stream digest (32), tag (16). */
    public static final int SEALED_LENGTH = 8 + 8 + Limits.DIGEST_LENGTH + Limits.RECORD_TAG_LENGTH;

    public EndOfStream {
        Require.nonNegative("sequence", sequence);
        Require.length("sealed", sealed, SEALED_LENGTH);
    }

    @Override
    public MessageType type() {
        return MessageType.END_OF_STREAM;
    }
}
