package org.vtpmmigrate.protocol.wire;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.vtpmmigrate.protocol.wire.MalformedFrameException.Problem;

/**
 * Reads big-endian fields from one frame body. Every read is bounds-checked and every failure names
 * the message type, the field and the offset from the start of the frame.
 */
final class WireReader {
    private final ByteBuffer body;
    private final MessageType type;

    WireReader(ByteBuffer body, MessageType type) {
        this.body = body;
        this.type = type;
    }

    /** Offset of the next byte, counted from the start of the frame. */
    int offset() {
        return FrameCodec.HEADER_LENGTH + body.position();
    }

    MalformedFrameException invalid(String field, int offset, String detail) {
        return new MalformedFrameException(Problem.INVALID_FIELD, type, field, offset, detail);
    }

    private void need(String field, int n) throws MalformedFrameException {
        if (body.remaining() < n) {
            throw invalid(field, offset(), "needs " + n + " bytes, only " + body.remaining() + " left in the body");
        }
    }

    int u8(String field) throws MalformedFrameException {
        need(field, 1);
        return body.get() & 0xFF;
    }

    int u16(String field) throws MalformedFrameException {
        need(field, 2);
        return body.getShort() & 0xFFFF;
    }

    long u32(String field) throws MalformedFrameException {
        need(field, 4);
        return body.getInt() & 0xFFFFFFFFL;
    }

    /** A u64 that must fit a non-negative long (counts, sequence numbers, epochs). */
    long u64(String field) throws MalformedFrameException {
        int at = offset();
        need(field, 8);
        long v = body.getLong();
        if (v < 0) {
            throw invalid(field, at, "value " + Long.toUnsignedString(v) + " exceeds 2^63-1");
        }
        return v;
    }

    private int length(String field, int max) throws MalformedFrameException {
        int at = offset();
        long n = u32(field + " length");
        if (n > max) {
            throw invalid(field, at, "length " + n + " exceeds the limit of " + max);
        }
        if (n > body.remaining()) {
            throw invalid(field, at, "length " + n + " exceeds the " + body.remaining() + " bytes left in the body");
        }
        return (int) n;
    }

    /** u32 length (at most {@code max}), then that many bytes, copied. */
    Bytes bytes(String field, int max) throws MalformedFrameException {
        int n = length(field, max);
        byte[] b = new byte[n];
        body.get(b);
        return Bytes.owning(b);
    }

    /** u32 length (at most {@code max}), then a view of that many bytes (no copy). */
    ByteBuffer view(String field, int max) throws MalformedFrameException {
        int n = length(field, max);
        ByteBuffer v = body.slice();
        v.limit(n);
        body.position(body.position() + n);
        return v;
    }

    /** u16 length (at most {@code maxBytes}), then strict UTF-8. */
    String string(String field, int maxBytes) throws MalformedFrameException {
        int at = offset();
        int n = u16(field + " length");
        if (n > maxBytes) {
            throw invalid(field, at, "length " + n + " exceeds the limit of " + maxBytes);
        }
        need(field, n);
        ByteBuffer utf8 = body.slice();
        utf8.limit(n);
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(utf8);
            body.position(body.position() + n);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw invalid(field, at + 2, "is not valid UTF-8");
        }
    }

    /** Count of a list, at most {@code max}. */
    int count(String field, int max) throws MalformedFrameException {
        int at = offset();
        int n = u16(field + " count");
        if (n > max) {
            throw invalid(field, at, "count " + n + " exceeds the limit of " + max);
        }
        return n;
    }

    /** Runs a constructor and reports its validation failure as a field error at {@code offset}. */
    <T> T build(String field, int offset, Supplier<T> constructor) throws MalformedFrameException {
        try {
            return constructor.get();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw invalid(field, offset, String.valueOf(e.getMessage()));
        }
    }

    void end() throws MalformedFrameException {
        if (body.hasRemaining()) {
            throw new MalformedFrameException(Problem.TRAILING_BYTES, type, "body", offset(),
                    body.remaining() + " bytes after the last field");
        }
    }
}
