package org.vtpmmigrate.tpm;

import java.util.Locale;

/** A PCR bank, identified by its hash algorithm (TPM_ALG_ID). */
public enum PcrBank {
    SHA1(0x0004, "sha1", 20, "SHA-1"),
    SHA256(0x000B, "sha256", 32, "SHA-256"),
    SHA384(0x000C, "sha384", 48, "SHA-384"),
    SHA512(0x000D, "sha512", 64, "SHA-512");

    private final int algorithmId;
    private final String bankName;
    private final int digestLength;
    private final String jcaName;

    PcrBank(int algorithmId, String bankName, int digestLength, String jcaName) {
        this.algorithmId = algorithmId;
        this.bankName = bankName;
        this.digestLength = digestLength;
        this.jcaName = jcaName;
    }

    /** The TPM_ALG_ID of the bank's hash algorithm, for example 0x000B for sha256. */
    public int algorithmId() {
        return algorithmId;
    }

    /** The conventional lower-case name, as tpm2-tools and event logs spell it ("sha256"). */
    public String bankName() {
        return bankName;
    }

    /** The size in bytes of one PCR value in this bank. */
    public int digestLength() {
        return digestLength;
    }

    /** The JCA MessageDigest algorithm name ("SHA-256"). */
    public String jcaName() {
        return jcaName;
    }

    /**
     * Returns the bank whose hash algorithm has this TPM_ALG_ID.
     *
     * @throws IllegalArgumentException if no supported bank uses it
     */
    public static PcrBank fromAlgorithmId(int algorithmId) {
        for (PcrBank bank : values()) {
            if (bank.algorithmId == algorithmId) {
                return bank;
            }
        }
        throw new IllegalArgumentException(String.format("Unsupported PCR bank hash algorithm 0x%04x", algorithmId));
    }

    /**
     * Returns the bank with this name, case-insensitively ("sha256", "SHA256").
     *
     * @throws IllegalArgumentException if no bank has that name
     */
    public static PcrBank fromName(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        for (PcrBank bank : values()) {
            if (bank.bankName.equals(wanted)) {
                return bank;
            }
        }
        throw new IllegalArgumentException("Unknown PCR bank '" + name + "': expected sha1, sha256, sha384 or sha512");
    }

    @Override
    public String toString() {
        return bankName;
    }
}
