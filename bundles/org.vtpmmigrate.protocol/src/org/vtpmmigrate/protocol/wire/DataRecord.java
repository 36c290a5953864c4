package org.vtpmmigrate.protocol.wire;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One sealed record: sequence number, record type, and AES-GCM ciphertext with its tag. The
 * sealed bytes are a view (no copy) of the buffer the record was decoded from; they stay valid
 * only as long as that buffer is not reused.
 */
public record DataRecord(long sequence, RecordType recordType, ByteBuffer sealed) implements Message {
    public DataRecord {
        Require.nonNegative("sequence", sequence);
        Objects.requireNonNull(recordType, "recordType");
        Objects.requireNonNull(sealed, "sealed");
        if (sealed.remaining() < Limits.RECORD_TAG_LENGTH || sealed.remaining() > Limits.MAX_SEALED_RECORD) {
            throw new IllegalArgumentException("sealed: " + sealed.remaining() + " bytes, allowed "
                    + Limits.RECORD_TAG_LENGTH + ".." + Limits.MAX_SEALED_RECORD + " (payload and 16-byte tag)");
        }
        sealed = sealed.slice();
    }

    /** Plaintext length once opened. */
    public int payloadLength() {
        return sealed.remaining() - Limits.RECORD_TAG_LENGTH;
    }

    @Override
    public MessageType type() {
        return MessageType.DATA_RECORD;
    }

    @Override
    public String toString() {
        return "DataRecord[sequence=" + sequence + ", recordType=" + recordType + ", sealed=" + sealed.remaining()
                + " bytes]";
    }
}
