package org.vtpmmigrate.attest.tpm2.internal;

import java.nio.ByteOrder;
import java.util.Arrays;

import org.vtpmmigrate.attest.tpm2.TpmFormatException;

/**
 * Bounded reader for TPM marshalled data. Every read checks the bytes that remain; every
 * size-prefixed (TPM2B) field is checked against the remaining bytes and against the field's
 * maximum from the TPM 2.0 specification, so a hostile size can neither overrun the input nor
 * make us allocate more than the structure allows. TPM wire format is big-endian; the
 * little-endian mode exists for tpm2-tools files that dump host (x86) structures.
 */
public final class TpmReader {
    private final byte[] data;
    private final int end;
    private final boolean bigEndian;
    private final String structure;
    private int pos;

    private TpmReader(byte[] data, int start, int end, ByteOrder order, String structure) {
        this.data = data;
        this.pos = start;
        this.end = end;
        this.bigEndian = order == ByteOrder.BIG_ENDIAN;
        this.structure = structure;
    }

    /** A big-endian reader over all of {@code data}; {@code structure} prefixes field names in errors. */
    public static TpmReader of(byte[] data, String structure) {
        return new TpmReader(data, 0, data.length, ByteOrder.BIG_ENDIAN, structure);
    }

    public static TpmReader littleEndian(byte[] data, String structure) {
        return new TpmReader(data, 0, data.length, ByteOrder.LITTLE_ENDIAN, structure);
    }

    public int offset() {
        return pos;
    }

    public int remaining() {
        return end - pos;
    }

    public String structure() {
        return structure;
    }

    /** The full field path used in error messages. */
    public String path(String field) {
        return structure + "." + field;
    }

    public TpmFormatException error(String field, String problem) {
        return new TpmFormatException(path(field), pos, problem);
    }

    /** Error located at an earlier offset (for a field already consumed). */
    public TpmFormatException errorAt(String field, int offset, String problem) {
        return new TpmFormatException(path(field), offset, problem);
    }

    private void need(String field, int n) throws TpmFormatException {
        if (n > end - pos) {
            throw error(field, "needs " + n + " bytes, only " + (end - pos) + " left");
        }
    }

    public int u8(String field) throws TpmFormatException {
        need(field, 1);
        return data[pos++] & 0xFF;
    }

    public int u16(String field) throws TpmFormatException {
        need(field, 2);
        int a = data[pos] & 0xFF;
        int b = data[pos + 1] & 0xFF;
        pos += 2;
        return bigEndian ? (a << 8) | b : (b << 8) | a;
    }

    /** Unsigned 32-bit value. */
    public long u32(String field) throws TpmFormatException {
        need(field, 4);
        long v = 0;
        for (int i = 0; i < 4; i++) {
            int idx = bigEndian ? pos + i : pos + 3 - i;
            v = (v << 8) | (data[idx] & 0xFF);
        }
        pos += 4;
        return v;
    }

    /** 64-bit value; TPM clocks never reach the sign bit in practice, callers treat it as unsigned. */
    public long u64(String field) throws TpmFormatException {
        need(field, 8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            int idx = bigEndian ? pos + i : pos + 7 - i;
            v = (v << 8) | (data[idx] & 0xFF);
        }
        pos += 8;
        return v;
    }

    /** A 32-bit count that must lie within {@code 0..max}. */
    public int count32(String field, int max) throws TpmFormatException {
        int at = pos;
        long n = u32(field);
        if (n > max) {
            throw errorAt(field, at, "count " + n + " exceeds the maximum " + max);
        }
        return (int) n;
    }

    public byte[] bytes(String field, int n) throws TpmFormatException {
        if (n < 0) {
            throw error(field, "negative length " + n);
        }
        need(field, n);
        byte[] out = Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return out;
    }

    public void skip(String field, int n) throws TpmFormatException {
        need(field, n);
        pos += n;
    }

    /** A TPM2B: 16-bit size, then that many bytes; the size must not exceed {@code max}. */
    public byte[] tpm2b(String field, int max) throws TpmFormatException {
        int at = pos;
        int size = u16(field + ".size");
        if (size > max) {
            throw errorAt(field + ".size", at, "size " + size + " exceeds the maximum " + max + " for this field");
        }
        if (size > end - pos) {
            throw errorAt(field + ".size", at, "size " + size + " exceeds the " + (end - pos) + " bytes left");
        }
        return bytes(field, size);
    }

    /**
     * Opens the body of a size-prefixed structure (TPM2B_PUBLIC, TPM2B_ID_OBJECT...) as its own
     * reader; the outer reader moves past it. Offsets in errors stay relative to the outer input.
     */
    public TpmReader sized(String field, int max, String innerStructure) throws TpmFormatException {
        int at = pos;
        int size = u16(field + ".size");
        if (size > max) {
            throw errorAt(field + ".size", at, "size " + size + " exceeds the maximum " + max + " for this field");
        }
        if (size > end - pos) {
            throw errorAt(field + ".size", at, "size " + size + " exceeds the " + (end - pos) + " bytes left");
        }
        TpmReader inner = new TpmReader(data, pos, pos + size, bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN,
                innerStructure);
        pos += size;
        return inner;
    }

    /** The bytes between two offsets of this reader's input (for hashing exactly what was parsed). */
    public byte[] slice(int from, int to) {
        return Arrays.copyOfRange(data, from, to);
    }

    /** Structures must be consumed completely: trailing bytes mean a framing error or smuggled data. */
    public void expectEnd() throws TpmFormatException {
        if (pos != end) {
            throw new TpmFormatException(structure, pos, (end - pos) + " unexpected trailing bytes");
        }
    }
}
