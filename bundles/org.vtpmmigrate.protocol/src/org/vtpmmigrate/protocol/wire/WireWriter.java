package org.vtpmmigrate.protocol.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Appends big-endian fields to a growing array; the inverse of {@link WireReader}. */
final class WireWriter {
    private byte[] buf = new byte[256];
    private int size;

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }

    void u8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
    }

    void u16(int v) {
        ensure(2);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
    }

    void u32(long v) {
        ensure(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (v >>> shift);
        }
    }

    void u64(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (v >>> shift);
        }
    }

    /** u32 length, then the bytes. */
    void bytes(Bytes b) {
        u32(b.length());
        ensure(b.length());
        for (int i = 0; i < b.length(); i++) {
            buf[size++] = b.get(i);
        }
    }

    void bytes(java.nio.ByteBuffer b) {
        int n = b.remaining();
        u32(n);
        ensure(n);
        b.duplicate().get(buf, size, n);
        size += n;
    }

    /** u16 length, then UTF-8. */
    void string(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        u16(utf8.length);
        ensure(utf8.length);
        System.arraycopy(utf8, 0, buf, size, utf8.length);
        size += utf8.length;
    }

    int size() {
        return size;
    }

    byte[] array() {
        return buf;
    }
}
