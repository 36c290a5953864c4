package org.vtpmmigrate.protocol.wire;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.vtpmmigrate.protocol.wire.MalformedFrameException.Problem;

/**
 * Cuts a byte stream (a socket) into frames. The header is validated before the body is read, so
 * the type's bound limits what is allocated. Record-sized frames reuse one buffer; larger
 * handshake frames get a buffer of their exact size.
 */
public final class FrameInput {
    private static final int REUSED_CAPACITY = FrameCodec.HEADER_LENGTH + Limits.MAX_DATA_RECORD_BODY;

    private final InputStream in;
    private final byte[] reused = new byte[REUSED_CAPACITY];
    private long offset;

    public FrameInput(InputStream in) {
        this.in = Objects.requireNonNull(in, "in");
    }

    /** Bytes consumed so far: where the next frame starts in the stream. */
    public long streamOffset() {
        return offset;
    }

    /**
     * The next complete frame, or {@code null} when the stream ends cleanly between frames. The
     * returned buffer is valid until the next call.
     *
     * @throws MalformedFrameException for a bad header, or a stream that ends inside a frame
     *             (TRUNCATED); the stream cannot be resynchronised after either
     */
    public ByteBuffer read() throws IOException, MalformedFrameException {
        int got = readFully(reused, 0, FrameCodec.HEADER_LENGTH);
        if (got == 0) {
            return null;
        }
        if (got < FrameCodec.HEADER_LENGTH) {
            throw truncated(null, got, FrameCodec.HEADER_LENGTH, "header");
        }
        FrameHeader header;
        try {
            header = FrameCodec.decodeHeader(ByteBuffer.wrap(reused, 0, FrameCodec.HEADER_LENGTH));
        } catch (MalformedFrameException e) {
            throw new MalformedFrameException(e.problem(), e.messageType().orElse(null), null, offset + e.offset(),
                    e.detail());
        }
        byte[] frame = header.frameLength() <= REUSED_CAPACITY ? reused : new byte[header.frameLength()];
        if (frame != reused) {
            System.arraycopy(reused, 0, frame, 0, FrameCodec.HEADER_LENGTH);
        }
        int body = readFully(frame, FrameCodec.HEADER_LENGTH, header.bodyLength());
        if (body < header.bodyLength()) {
            throw truncated(header.type(), body, header.bodyLength(), "body");
        }
        offset += header.frameLength();
        return ByteBuffer.wrap(frame, 0, header.frameLength());
    }

    private MalformedFrameException truncated(MessageType type, int got, int wanted, String part) {
        String what = type == null ? "frame" : type + " frame";
        return new MalformedFrameException(Problem.TRUNCATED, type, null, offset,
                "stream ended inside a " + what + ": " + got + " of " + wanted + " " + part + " bytes");
    }

    private int readFully(byte[] b, int off, int len) throws IOException {
        int done = 0;
        while (done < len) {
            int n;
            try {
                n = in.read(b, off + done, len - done);
            } catch (EOFException e) {
                n = -1;
            }
            if (n < 0) {
                break;
            }
            done += n;
        }
        return done;
    }
}
