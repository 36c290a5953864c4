package org.vtpmmigrate.tpm;

/** Key type and signature scheme of an attestation key. */
public enum AkAlgorithm {
    /** ECC NIST P-256 with ECDSA over SHA-256 (the default: fast to create). */
    ECC_NIST_P256,
    /** RSA 2048 with RSASSA-PKCS1-v1_5 over SHA-256 (slow to create: prime generation). */
    RSA_2048
}
