package org.vtpmmigrate.protocol;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import org.vtpmmigrate.protocol.wire.RecordType;

/** Where a {@link RecordReader} puts opened payloads. */
@FunctionalInterface
public interface RecordSink {
    /**
     * One record's plaintext; the buffer is only valid during the call.
     *
     * @throws IOException to end the run (the reader fails the session with LOCAL_ERROR)
     */
    void accept(RecordType type, ByteBuffer payload) throws IOException;

    /** Writes the migration stream to {@code out}; any other record type is refused. */
    static RecordSink migrationStreamTo(WritableByteChannel out) {
        return (type, payload) -> {
            requireStream(type);
            while (payload.hasRemaining()) {
                out.write(payload);
            }
        };
    }

    /** Writes the migration stream to {@code out}; any other record type is refused. */
    static RecordSink migrationStreamTo(OutputStream out) {
        return (type, payload) -> {
            requireStream(type);
            if (payload.hasArray()) {
                out.write(payload.array(), payload.arrayOffset() + payload.position(), payload.remaining());
            } else {
                byte[] copy = new byte[payload.remaining()];
                payload.get(copy);
                out.write(copy);
            }
        };
    }

    private static void requireStream(RecordType type) throws IOException {
        if (type != RecordType.MIGRATION_STREAM) {
            throw new IOException("a " + type + " record arrived where only the migration stream was expected");
        }
    }
}
