package org.vtpmmigrate.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;
import org.vtpmmigrate.protocol.wire.FrameCodec;
import org.vtpmmigrate.protocol.wire.Limits;
import org.vtpmmigrate.protocol.wire.Message;
import org.vtpmmigrate.protocol.wire.RecordType;

/**
 * Puts the source's record layer between the VM's migration stream and the connection: bytes in,
 * sealed DATA_RECORD frames out. Each record is sealed straight into one reused frame buffer and
 * written with one call. Blocking streams and channels only. Not thread-safe (one writer thread;
 * another thread may deliver the destination's messages to the session meanwhile).
 */
public final class RecordWriter {
    private static final int MAX_FRAME = FrameCodec.HEADER_LENGTH + Limits.MAX_DATA_RECORD_BODY;

    /** Writes whole arrays to the connection. */
    @FunctionalInterface
    private interface FrameSink {
        void write(byte[] frame, int length) throws IOException;
    }

    private final SourceSession session;
    private final FrameSink sink;
    private final byte[] frameArray = new byte[MAX_FRAME];
    private final ByteBuffer frame = ByteBuffer.wrap(frameArray);
    private final byte[] chunk = new byte[Limits.MAX_RECORD_PAYLOAD];

    public RecordWriter(SourceSession session, OutputStream out) {
        this.session = Objects.requireNonNull(session, "session");
        Objects.requireNonNull(out, "out");
        this.sink = (b, n) -> out.write(b, 0, n);
    }

    public RecordWriter(SourceSession session, WritableByteChannel out) {
        this.session = Objects.requireNonNull(session, "session");
        Objects.requireNonNull(out, "out");
        this.sink = (b, n) -> {
            ByteBuffer buf = ByteBuffer.wrap(b, 0, n);
            while (buf.hasRemaining()) {
                out.write(buf);
            }
        };
    }

    /** Seals all of {@code data} (its position advances to the limit) in records of at most 64 KiB. */
    public void write(RecordType type, ByteBuffer data) throws IOException {
        while (data.hasRemaining()) {
            frame.clear();
            int length = session.sealRecord(type, data, frame);
            sink.write(frameArray, length);
        }
    }

    /** Copies the migration stream from {@code in} until it ends; returns the bytes copied. */
    public long transferFrom(InputStream in) throws IOException {
        long total = 0;
        int n;
        while ((n = in.read(chunk, 0, chunk.length)) >= 0) {
            write(RecordType.MIGRATION_STREAM, ByteBuffer.wrap(chunk, 0, n));
            total += n;
        }
        return total;
    }

    /** Copies the migration stream from a blocking channel until it ends; returns the bytes copied. */
    public long transferFrom(ReadableByteChannel in) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(chunk);
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            buf.flip();
            write(RecordType.MIGRATION_STREAM, buf);
            buf.clear();
            total += n;
        }
        return total;
    }

    /** Writes the end-of-stream record; the session then waits for the commit. */
    public StreamSummary finish() throws IOException {
        Outcome outcome = session.endTransfer();
        if (outcome.failure().isPresent()) {
            throw new ProtocolFailureException(outcome.failure().get(), outcome.messages());
        }
        for (Message m : outcome.messages()) {
            byte[] encoded = FrameCodec.encode(m);
            sink.write(encoded, encoded.length);
        }
        return session.streamSummary().orElseThrow();
    }
}
