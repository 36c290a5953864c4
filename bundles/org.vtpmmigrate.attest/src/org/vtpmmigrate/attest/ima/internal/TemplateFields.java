package org.vtpmmigrate.attest.ima.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.vtpmmigrate.attest.eventlog.internal.LittleEndianReader;
import org.vtpmmigrate.attest.eventlog.internal.LittleEndianReader.OutOfBoundsException;

/**
 * IMA template field encodings as the kernel builds them (security/integrity/ima/
 * ima_template_lib.c), in one place for both list formats: the ASCII list prints the fields, so
 * the bytes the kernel hashed are rebuilt from the text with these; the binary list carries them.
 */
public final class TemplateFields {
    /** IMA_EVENT_NAME_LEN_MAX: the {@code ima} template hashes its name padded to this + 1. */
    public static final int IMA_EVENT_NAME_LEN_MAX = 255;
    /** TPM_DIGEST_SIZE: the {@code ima} template's {@code d} field and every template hash. */
    public static final int SHA1_SIZE = 20;

    /** A {@code d-ng} field split into the algorithm name and the digest. */
    public record DigestField(String algorithm, byte[] digest) {
    }

    private TemplateFields() {
    }

    /** {@code d-ng} data: algorithm name, ':', NUL, digest. */
    public static byte[] digestNg(String algorithm, byte[] digest) {
        byte[] name = algorithm.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[name.length + 2 + digest.length];
        System.arraycopy(name, 0, out, 0, name.length);
        out[name.length] = ':';
        out[name.length + 1] = 0;
        System.arraycopy(digest, 0, out, name.length + 2, digest.length);
        return out;
    }

    /** Parses {@code d-ng} data; null when it is not algorithm ':' NUL digest. */
    public static DigestField parseDigestNg(byte[] data) {
        int nul = -1;
        for (int i = 0; i < data.length; i++) {
            if (data[i] == 0) {
                nul = i;
                break;
            }
        }
        if (nul < 2 || data[nul - 1] != ':') {
            return null;
        }
        String algorithm = new String(data, 0, nul - 1, StandardCharsets.US_ASCII);
        if (!algorithm.chars().allMatch(c -> c > 0x20 && c < 0x7F && c != ':')) {
            return null;
        }
        byte[] digest = new byte[data.length - nul - 1];
        System.arraycopy(data, nul + 1, digest, 0, digest.length);
        return new DigestField(algorithm, digest);
    }

    /** {@code n-ng} data: the name and its terminating NUL. */
    public static byte[] nameNg(byte[] name) {
        byte[] out = new byte[name.length + 1];
        System.arraycopy(name, 0, out, 0, name.length);
        return out;
    }

    /** The name of {@code n-ng} data; null unless it ends with its only NUL. */
    public static byte[] parseNameNg(byte[] data) {
        if (data.length == 0 || data[data.length - 1] != 0) {
            return null;
        }
        for (int i = 0; i < data.length - 1; i++) {
            if (data[i] == 0) {
                return null;
            }
        }
        byte[] name = new byte[data.length - 1];
        System.arraycopy(data, 0, name, 0, name.length);
        return name;
    }

    /** Template data of the non-{@code ima} templates: each field as u32 length (LE) and bytes. */
    public static byte[] join(List<byte[]> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] f : fields) {
            int n = f.length;
            out.write(n);
            out.write(n >>> 8);
            out.write(n >>> 16);
            out.write(n >>> 24);
            out.write(f, 0, n);
        }
        return out.toByteArray();
    }

    /**
     * Splits template data into its length-prefixed fields; the fields must fill it exactly.
     * Offsets in errors are relative to {@code base}, the data's offset in the input.
     */
    public static List<byte[]> split(byte[] input, int base, int length, int expectedFields)
            throws OutOfBoundsException {
        LittleEndianReader r = new LittleEndianReader(input, base, base + length);
        List<byte[]> fields = new ArrayList<>(expectedFields);
        for (int i = 0; i < expectedFields; i++) {
            long n = r.u32("template field " + i + " length");
            fields.add(r.bytes("template field " + i, r.length("template field " + i, n, r.remaining())));
        }
        if (r.hasRemaining()) {
            throw new OutOfBoundsException("template data", r.offset(), r.remaining()
                    + " bytes after the last of the template's " + expectedFields + " fields");
        }
        return fields;
    }

    /**
     * What the kernel hashes for an {@code ima} template entry: the 20-byte digest, then the name
     * in a zeroed buffer of IMA_EVENT_NAME_LEN_MAX + 1 bytes (ima_calc_field_array_hash_tfm).
     */
    public static byte[] imaTemplateHashInput(byte[] digest, byte[] name) {
        if (digest.length != SHA1_SIZE || name.length > IMA_EVENT_NAME_LEN_MAX) {
            throw new IllegalArgumentException("ima template: digest " + digest.length + " bytes, name " + name.length);
        }
        byte[] out = new byte[SHA1_SIZE + IMA_EVENT_NAME_LEN_MAX + 1];
        System.arraycopy(digest, 0, out, 0, SHA1_SIZE);
        System.arraycopy(name, 0, out, SHA1_SIZE, name.length);
        return out;
    }
}
