package org.vtpmmigrate.attest.tpm2;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.StringJoiner;

/**
 * TPMA_OBJECT flags (TPM 2.0 Part 2 §8.3). Names follow tpm2-tools ("fixedtpm", "userwithauth")
 * so messages can be compared with tool output.
 */
public enum ObjectAttribute {
    FIXED_TPM(1, "fixedtpm"),
    ST_CLEAR(2, "stclear"),
    FIXED_PARENT(4, "fixedparent"),
    SENSITIVE_DATA_ORIGIN(5, "sensitivedataorigin"),
    USER_WITH_AUTH(6, "userwithauth"),
    ADMIN_WITH_POLICY(7, "adminwithpolicy"),
    NO_DA(10, "noda"),
    ENCRYPTED_DUPLICATION(11, "encryptedduplication"),
    RESTRICTED(16, "restricted"),
    DECRYPT(17, "decrypt"),
    SIGN_ENCRYPT(18, "sign"),
    X509_SIGN(19, "x509sign");

    private final int bit;
    private final String toolName;

    ObjectAttribute(int bit, String toolName) {
        this.bit = bit;
        this.toolName = toolName;
    }

    public long mask() {
        return 1L << bit;
    }

    /** The name tpm2-tools prints for this flag. */
    public String toolName() {
        return toolName;
    }

    /** Every bit that is not a defined flag: the TPM rejects objects with these set. */
    public static final long RESERVED_MASK;

    static {
        long defined = 0;
        for (ObjectAttribute a : values()) {
            defined |= a.mask();
        }
        RESERVED_MASK = 0xFFFF_FFFFL & ~defined;
    }

    /** Decodes TPMA_OBJECT; rejects reserved bits because a set of named flags could not represent them. */
    public static Set<ObjectAttribute> fromBits(long bits) {
        if ((bits & RESERVED_MASK) != 0 || bits < 0 || bits > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(String.format("reserved TPMA_OBJECT bits set: 0x%08x", bits & RESERVED_MASK));
        }
        EnumSet<ObjectAttribute> set = EnumSet.noneOf(ObjectAttribute.class);
        for (ObjectAttribute a : values()) {
            if ((bits & a.mask()) != 0) {
                set.add(a);
            }
        }
        return Collections.unmodifiableSet(set);
    }

    public static long toBits(Set<ObjectAttribute> attributes) {
        long bits = 0;
        for (ObjectAttribute a : attributes) {
            bits |= a.mask();
        }
        return bits;
    }

    /** tpm2-tools style: {@code fixedtpm|fixedparent|decrypt}, in bit order. */
    public static String format(Set<ObjectAttribute> attributes) {
        StringJoiner j = new StringJoiner("|");
        for (ObjectAttribute a : values()) {
            if (attributes.contains(a)) {
                j.add(a.toolName);
            }
        }
        String s = j.toString();
        return s.isEmpty() ? "(none)" : s;
    }
}
