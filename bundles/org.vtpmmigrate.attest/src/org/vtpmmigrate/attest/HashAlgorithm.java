package org.vtpmmigrate.attest;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The TPM 2.0 hash algorithms this project understands (TCG Algorithm Registry ids), with the
 * JDK digest name and size. PCR banks, event-log digests and policy digests are keyed by this.
 */
public enum HashAlgorithm {
    SHA1(0x0004, "SHA-1", 20, "sha1"),
    SHA256(0x000B, "SHA-256", 32, "sha256"),
    SHA384(0x000C, "SHA-384", 48, "sha384"),
    SHA512(0x000D, "SHA-512", 64, "sha512"),
    /** Chinese national standard; found in real event logs. The JDK lacks it, Bouncy Castle has it. */
    SM3_256(0x0012, "SM3", 32, "sm3_256");

    private final int tpmAlgId;
    private final String jdkName;
    private final int digestSize;
    private final String bankName;

    HashAlgorithm(int tpmAlgId, String jdkName, int digestSize, String bankName) {
        this.tpmAlgId = tpmAlgId;
        this.jdkName = jdkName;
        this.digestSize = digestSize;
        this.bankName = bankName;
    }

    /** TPM_ALG_ID as on the wire. */
    public int tpmAlgId() { return tpmAlgId; }

    /** Digest length in bytes. */
    public int digestSize() { return digestSize; }

    /** The name used for PCR banks in files and JSON ("sha256"). */
    public String bankName() { return bankName; }

    /** A fresh digest instance; the JDK ships all but SM3. */
    public MessageDigest newDigest() {
        if (this == SM3_256) {
            return new org.bouncycastle.jcajce.provider.digest.SM3.Digest();
        }
        try {
            return MessageDigest.getInstance(jdkName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK lacks " + jdkName, e);
        }
    }

    public byte[] digest(byte[]... parts) {
        MessageDigest md = newDigest();
        for (byte[] p : parts) {
            md.update(p);
        }
        return md.digest();
    }

    /** All-zero value, the reset value of PCRs 0-15. */
    public byte[] zeroDigest() { return new byte[digestSize]; }

    public static Optional<HashAlgorithm> fromTpmAlgId(int id) {
        for (HashAlgorithm a : values()) {
            if (a.tpmAlgId == id) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    public static Optional<HashAlgorithm> fromBankName(String name) {
        for (HashAlgorithm a : values()) {
            if (a.bankName.equalsIgnoreCase(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
