package org.vtpmmigrate.attest.eventlog;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes small event logs byte by byte, for malformed-input and replay-rule tests. */
final class LogBuilder {
    static final int SHA1 = 0x0004;
    static final int SHA256 = 0x000B;
    static final long EV_NO_ACTION = 3;
    static final long EV_SEPARATOR = 4;
    static final long EV_POST_CODE = 1;
    static final long EV_EFI_HCRTM_EVENT = 0x80000010L;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A crypto-agile log whose Spec ID event lists {@code (algorithmId, digestSize)} pairs. */
    static LogBuilder cryptoAgile(int... algorithmSizePairs) {
        LogBuilder b = new LogBuilder();
        b.sha1Event(0, EV_NO_ACTION, new byte[20], specId(algorithmSizePairs, new byte[0]));
        return b;
    }

    /** TCG_EfiSpecIDEvent data with the given algorithm table and vendorInfo. */
    static byte[] specId(int[] algorithmSizePairs, byte[] vendorInfo) {
        LogBuilder d = new LogBuilder();
        d.bytes("Spec ID Event03\0".getBytes(StandardCharsets.US_ASCII));
        d.u32(0).u8(0).u8(2).u8(0).u8(2);
        d.u32(algorithmSizePairs.length / 2);
        for (int i = 0; i < algorithmSizePairs.length; i += 2) {
            d.u16(algorithmSizePairs[i]).u16(algorithmSizePairs[i + 1]);
        }
        d.u8(vendorInfo.length).bytes(vendorInfo);
        return d.build();
    }

    static byte[] startupLocality(int locality) {
        LogBuilder d = new LogBuilder();
        return d.bytes("StartupLocality\0".getBytes(StandardCharsets.US_ASCII)).u8(locality).build();
    }

    /** TCG_PCR_EVENT (SHA-1 format, and the first event of every log). */
    LogBuilder sha1Event(long pcr, long type, byte[] digest, byte[] data) {
        return u32(pcr).u32(type).bytes(digest).u32(data.length).bytes(data);
    }

    /** TCG_PCR_EVENT2 with digests given as alternating algorithm id (Integer) and value (byte[]). */
    LogBuilder event2(long pcr, long type, byte[] data, Object... digests) {
        u32(pcr).u32(type).u32(digests.length / 2);
        for (int i = 0; i < digests.length; i += 2) {
            u16((Integer) digests[i]).bytes((byte[]) digests[i + 1]);
        }
        return u32(data.length).bytes(data);
    }

    LogBuilder u8(int v) {
        out.write(v);
        return this;
    }

    LogBuilder u16(int v) {
        out.write(v);
        out.write(v >>> 8);
        return this;
    }

    LogBuilder u32(long v) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    LogBuilder bytes(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    int size() {
        return out.size();
    }

    byte[] build() {
        return out.toByteArray();
    }

    /** A digest of {@code n} bytes all equal to {@code fill}. */
    static byte[] filled(int n, int fill) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) fill);
        return b;
    }
}
