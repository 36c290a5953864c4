package org.vtpmmigrate.attest.tpm2.internal;

/**
 * Numeric constants from TPM 2.0 Part 2 (structures) and the TCG Algorithm Registry, and the
 * size limits this code enforces. Limits follow the reference implementation's profile
 * (MAX_DIGEST_BUFFER, MAX_RSA_KEY_BYTES for 4096-bit keys, MAX_ECC_KEY_BYTES for P-521).
 */
public final class TpmConstants {
    private TpmConstants() {
    }

    public static final long TPM_GENERATED_VALUE = 0xFF544347L;

    public static final int TPM_ST_ATTEST_NV = 0x8014;
    public static final int TPM_ST_ATTEST_COMMAND_AUDIT = 0x8015;
    public static final int TPM_ST_ATTEST_SESSION_AUDIT = 0x8016;
    public static final int TPM_ST_ATTEST_CERTIFY = 0x8017;
    public static final int TPM_ST_ATTEST_QUOTE = 0x8018;
    public static final int TPM_ST_ATTEST_TIME = 0x8019;
    public static final int TPM_ST_ATTEST_CREATION = 0x801A;

    public static final int TPM_ALG_RSA = 0x0001;
    public static final int TPM_ALG_AES = 0x0006;
    public static final int TPM_ALG_KEYEDHASH = 0x0008;
    public static final int TPM_ALG_NULL = 0x0010;
    public static final int TPM_ALG_SM4 = 0x0013;
    public static final int TPM_ALG_ECC = 0x0023;
    public static final int TPM_ALG_SYMCIPHER = 0x0025;
    public static final int TPM_ALG_CAMELLIA = 0x0026;

    public static final int TPM_CC_POLICY_PCR = 0x0000017F;
    public static final int TPM_CC_POLICY_COMMAND_CODE = 0x0000016C;

    /** Largest digest (SHA-512). */
    public static final int MAX_DIGEST = 64;
    /** TPM2B_DATA and TPM2B_NAME hold a TPMT_HA: algorithm id plus the largest digest. */
    public static final int MAX_TPMT_HA = 2 + MAX_DIGEST;
    public static final int MAX_RSA_KEY_BYTES = 512;
    public static final int MAX_ECC_KEY_BYTES = 66;
    /** Upper bound for a marshalled TPMT_PUBLIC (RSA-4096 with a SHA-512 policy stays far below). */
    public static final int MAX_PUBLIC = 1024;
    /** TPMU_ENCRYPTED_SECRET: an RSA-4096 ciphertext or an ECC point. */
    public static final int MAX_ENCRYPTED_SECRET = MAX_RSA_KEY_BYTES;
    /** TPMS_ID_OBJECT: integrity HMAC plus encrypted identity, each a TPM2B_DIGEST. */
    public static final int MAX_ID_OBJECT = 2 * (2 + MAX_DIGEST);
    /** TPML_PCR_SELECTION holds at most HASH_COUNT banks (16 in the TSS headers). */
    public static final int MAX_PCR_BANKS = 16;
    /** PCR_SELECT_MAX in the TSS headers; 3 bytes cover the 24 PC Client PCRs. */
    public static final int MAX_PCR_SELECT_BYTES = 4;
    public static final int MIN_PCR_SELECT_BYTES = 3;
    /** Upper bound for a TPMS_ATTEST accepted from a peer (real ones are a few hundred bytes). */
    public static final int MAX_ATTEST = 2048;
    /** Upper bound for a TPMT_SIGNATURE (RSA-4096 plus headers). */
    public static final int MAX_SIGNATURE = 2 + 2 + 2 + MAX_RSA_KEY_BYTES;

    public static String hex16(int v) {
        return String.format("0x%04x", v);
    }
}
