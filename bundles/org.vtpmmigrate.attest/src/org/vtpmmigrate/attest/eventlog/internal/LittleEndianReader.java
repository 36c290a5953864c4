package org.vtpmmigrate.attest.eventlog.internal;

/**
 * Bounded little-endian reader over a byte array, for event logs and binary IMA logs (both are
 * written in the x86 byte order of the machine that produced them). Every read checks the bytes
 * that remain before it touches or allocates anything, so a hostile length field can neither
 * overrun the input nor cause a large allocation. Offsets are absolute in the original input so
 * errors can name the byte where decoding stopped.
 */
public final class LittleEndianReader {
    /** A read that would run past the end of the input, or a value out of range. */
    public static final class OutOfBoundsException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String field;
        private final int offset;
        private final boolean endOfInput;

        public OutOfBoundsException(String field, int offset, String problem) {
            this(field, offset, problem, false);
        }

        OutOfBoundsException(String field, int offset, String problem, boolean endOfInput) {
            super(field + ": " + problem);
            this.field = field;
            this.offset = offset;
            this.endOfInput = endOfInput;
        }

        /**
         * True when the read failed only because the input ended (a truncated input), false
         * when a value was out of range whatever followed.
         */
        public boolean endOfInput() {
            return endOfInput;
        }

        public String field() {
            return field;
        }

        /** Absolute offset of the field that could not be read. */
        public int offset() {
            return offset;
        }
    }

    private final byte[] data;
    private final int end;
    private int pos;

    /** Reads {@code data[start..end)}; offsets reported are indices into {@code data}. */
    public LittleEndianReader(byte[] data, int start, int end) {
        if (start < 0 || end > data.length || start > end) {
            throw new IllegalArgumentException("bad range " + start + ".." + end + " of " + data.length);
        }
        this.data = data;
        this.pos = start;
        this.end = end;
    }

    public LittleEndianReader(byte[] data) {
        this(data, 0, data.length);
    }

    public int offset() {
        return pos;
    }

    public int remaining() {
        return end - pos;
    }

    public boolean hasRemaining() {
        return pos < end;
    }

    private void need(String field, long n) throws OutOfBoundsException {
        if (n > end - pos) {
            throw new OutOfBoundsException(field, pos, "needs " + n + " bytes, only " + (end - pos) + " left", true);
        }
    }

    public int u8(String field) throws OutOfBoundsException {
        need(field, 1);
        return data[pos++] & 0xFF;
    }

    public int u16(String field) throws OutOfBoundsException {
        need(field, 2);
        int v = (data[pos] & 0xFF) | (data[pos + 1] & 0xFF) << 8;
        pos += 2;
        return v;
    }

    /** Unsigned 32-bit value, widened so that values above 2^31 stay positive. */
    public long u32(String field) throws OutOfBoundsException {
        need(field, 4);
        long v = (data[pos] & 0xFFL) | (data[pos + 1] & 0xFFL) << 8 | (data[pos + 2] & 0xFFL) << 16
                | (data[pos + 3] & 0xFFL) << 24;
        pos += 4;
        return v;
    }

    /**
     * Unsigned 64-bit value. Values with the top bit set come back negative; callers that use
     * the value as a length compare it with {@link #remaining()} through {@link #length}.
     */
    public long u64(String field) throws OutOfBoundsException {
        need(field, 8);
        long lo = u32(field);
        long hi = u32(field);
        return lo | hi << 32;
    }

    /**
     * Checks that a length just read (unsigned; negative means it exceeded 2^63) fits both the
     * remaining input and {@code max}, and returns it as an int.
     */
    public int length(String field, long value, long max) throws OutOfBoundsException {
        if (value < 0 || value > max) {
            throw new OutOfBoundsException(field, pos, "length " + Long.toUnsignedString(value)
                    + " exceeds the limit of " + max);
        }
        need(field, value);
        return (int) value;
    }

    /** Copies the next {@code n} bytes; {@code n} must already be validated. */
    public byte[] bytes(String field, int n) throws OutOfBoundsException {
        if (n < 0) {
            throw new OutOfBoundsException(field, pos, "negative length " + n);
        }
        need(field, n);
        byte[] out = new byte[n];
        System.arraycopy(data, pos, out, 0, n);
        pos += n;
        return out;
    }

    public void skip(String field, int n) throws OutOfBoundsException {
        need(field, n);
        pos += n;
    }

    /** Whether the next bytes equal {@code expected}, without consuming them. */
    public boolean startsWith(byte[] expected) {
        if (expected.length > end - pos) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (data[pos + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }
}
