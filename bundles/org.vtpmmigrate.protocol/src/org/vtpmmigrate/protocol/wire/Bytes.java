package org.vtpmmigrate.protocol.wire;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An immutable byte string: message fields (nonces, MACs, TPM structures, logs) are carried as
 * this so that messages are values (equality, safe sharing) and print as bounded hex.
 */
public final class Bytes {
    public static final Bytes EMPTY = new Bytes(new byte[0]);

    private static final int TO_STRING_BYTES = 16;

    private final byte[] value;

    private Bytes(byte[] value) {
        this.value = value;
    }

    /** A copy of {@code value}; later changes to the array do not show. */
    public static Bytes of(byte[] value) {
        Objects.requireNonNull(value, "value");
        return value.length == 0 ? EMPTY : new Bytes(value.clone());
    }

    /** A copy of {@code length} bytes of {@code value} from {@code offset}. */
    public static Bytes of(byte[] value, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, value.length);
        return length == 0 ? EMPTY : new Bytes(Arrays.copyOfRange(value, offset, offset + length));
    }

    /** The bytes from the buffer's position to its limit; the buffer's position is not moved. */
    public static Bytes of(ByteBuffer buffer) {
        byte[] copy = new byte[buffer.remaining()];
        buffer.duplicate().get(copy);
        return copy.length == 0 ? EMPTY : new Bytes(copy);
    }

    /** Parses hex digits (no separators), for tests and configuration. */
    public static Bytes fromHex(String hex) {
        return of(HexFormat.of().parseHex(hex));
    }

    /** Takes ownership of an array the caller will not touch again (decoders, digests). */
    static Bytes owning(byte[] value) {
        return value.length == 0 ? EMPTY : new Bytes(value);
    }

    public int length() {
        return value.length;
    }

    public boolean isEmpty() {
        return value.length == 0;
    }

    public byte get(int index) {
        return value[index];
    }

    public byte[] toByteArray() {
        return value.clone();
    }

    /** Writes the bytes at the buffer's position. */
    public void writeTo(ByteBuffer buffer) {
        buffer.put(value);
    }

    /** Feeds the bytes to a digest without copying them. */
    public void updateDigest(MessageDigest digest) {
        digest.update(value);
    }

    /** Comparison whose time does not depend on where the first difference is (MACs, digests). */
    public boolean constantTimeEquals(Bytes other) {
        return MessageDigest.isEqual(value, other.value);
    }

    public String toHex() {
        return HexFormat.of().formatHex(value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes && Arrays.equals(value, ((Bytes) o).value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    /** Hex, shortened to the first bytes for long values so logs stay readable. */
    @Override
    public String toString() {
        if (value.length <= TO_STRING_BYTES) {
            return "0x" + toHex();
        }
        return "0x" + HexFormat.of().formatHex(value, 0, TO_STRING_BYTES) + "...(" + value.length + " bytes)";
    }
}
