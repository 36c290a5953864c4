package org.vtpmmigrate.attest.tpm2;

/** The checks {@link QuoteVerifier} runs, in order. */
public enum QuoteCheck {
    /**
     * The AK's public area is not a restricted, fixedTPM signing key (checked when the AK is given
     * as a public area). A key that is not restricted can sign any digest, including that of a
     * forged TPMS_ATTEST.
     */
    ATTESTATION_KEY,
    /** TPMT_SIGNATURE or TPMS_ATTEST could not be decoded (the message names field and offset). */
    FORMAT,
    /** Signature scheme, hash or key type not acceptable, or not matching the AK. */
    SIGNATURE_ALGORITHM,
    /** The AK's signature over the TPMS_ATTEST bytes does not verify. */
    SIGNATURE,
    /** magic is not TPM_GENERATED_VALUE: the structure was not produced by a TPM 2.0. */
    MAGIC,
    /** The attestation is not a quote. */
    TYPE,
    /** extraData is not the verifier's nonce: stale or replayed quote. */
    NONCE,
    /** The PCRs the quote covers are not exactly the PCRs whose values are claimed. */
    PCR_SELECTION,
    /** The digest of the claimed values differs from the quote's pcrDigest. */
    PCR_DIGEST
}
