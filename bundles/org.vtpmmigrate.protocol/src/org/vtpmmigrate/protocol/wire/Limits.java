package org.vtpmmigrate.protocol.wire;

/**
 * Bounds of protocol version 1. Every length and count read from the network is checked against
 * one of these before it is used.
 */
public final class Limits {
    /** Migration ids are 16 random bytes chosen by the source. */
    public static final int MIGRATION_ID_LENGTH = 16;
    /** Challenge nonces (TPM qualifyingData) are 32 bytes. */
    public static final int NONCE_LENGTH = 32;
    /** HMAC-SHA256 output: key confirmation and commit acknowledgement. */
    public static final int MAC_LENGTH = 32;
    /** SHA-256: stream digest. */
    public static final int DIGEST_LENGTH = 32;
    /** VM, policy and launch-measurement names. */
    public static final int MAX_NAME_LENGTH = 128;
    /** Cipher suites in one offer. */
    public static final int MAX_OFFERED_SUITES = 16;
    /** Banks in one PCR selection (the TPM knows five hash algorithms for PCRs). */
    public static final int MAX_PCR_BANKS = 8;
    /** PC Client TPMs have PCRs 0..23. */
    public static final int PCR_COUNT = 24;
    /** One value per PCR and bank. */
    public static final int MAX_PCR_VALUES = MAX_PCR_BANKS * PCR_COUNT;
    /** Smallest and largest digest of a PCR bank or measurement (SHA-1 .. SHA-512). */
    public static final int MIN_DIGEST_LENGTH = 20;
    public static final int MAX_DIGEST_LENGTH = 64;
    /** TPMS_ATTEST structures (quote, certify). */
    public static final int MAX_ATTEST_LENGTH = 4 * 1024;
    /** TPMT_SIGNATURE structures (RSA-4096 at most). */
    public static final int MAX_SIGNATURE_LENGTH = 1024;
    /** TPM2B_PUBLIC of the bound key. */
    public static final int MAX_PUBLIC_AREA_LENGTH = 2 * 1024;
    /** The TCG PC Client event log; the largest real logs seen are about 260 KiB. */
    public static final int MAX_EVENT_LOG_LENGTH = 1024 * 1024;
    /** The IMA measurement list; real lists grow with every executed file, so they get the same room. */
    public static final int MAX_IMA_LOG_LENGTH = 1024 * 1024;
    /** VM launch measurements (firmware, kernel, initrd, disks, config, ...). */
    public static final int MAX_LAUNCH_MEASUREMENTS = 64;
    /** Ephemeral public keys: an uncompressed point of the largest supported curve fits. */
    public static final int MAX_KEY_SHARE_LENGTH = 133;
    /** Human-readable detail of an Abort, in UTF-8 bytes. */
    public static final int MAX_ABORT_DETAIL_LENGTH = 1024;
    /** Plaintext bytes in one data record. */
    public static final int MAX_RECORD_PAYLOAD = 64 * 1024;
    /** AES-GCM authentication tag. */
    public static final int RECORD_TAG_LENGTH = 16;
    /** Largest sealed part of a data record: payload and tag. */
    public static final int MAX_SEALED_RECORD = MAX_RECORD_PAYLOAD + RECORD_TAG_LENGTH;
    /** Sequence number (8), record type (1), sealed length prefix (4). */
    public static final int DATA_RECORD_PREFIX = 8 + 1 + 4;
    /** Body bound of a DATA_RECORD frame. */
    public static final int MAX_DATA_RECORD_BODY = DATA_RECORD_PREFIX + MAX_SEALED_RECORD;
    /** Body bound of an ATTESTATION_EVIDENCE frame: both logs at their limit plus room for the rest. */
    public static final int MAX_EVIDENCE_BODY = MAX_EVENT_LOG_LENGTH + MAX_IMA_LOG_LENGTH + 64 * 1024;

    private Limits() {
    }
}
