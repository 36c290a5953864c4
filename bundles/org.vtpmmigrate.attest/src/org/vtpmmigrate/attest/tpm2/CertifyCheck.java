package org.vtpmmigrate.attest.tpm2;

/** The checks {@link CertifyVerifier} runs, in order. */
public enum CertifyCheck {
    /**
     * The AK's public area is not a restricted, fixedTPM signing key (checked when the AK is given
     * as a public area). A key that is not restricted can sign any digest, including that of a
     * forged TPMS_ATTEST.
     */
    ATTESTATION_KEY,
    /** TPMT_SIGNATURE or TPMS_ATTEST could not be decoded. */
    FORMAT,
    /** Signature scheme, hash or key type not acceptable, or not matching the AK. */
    SIGNATURE_ALGORITHM,
    /** The AK's signature over the TPMS_ATTEST bytes does not verify. */
    SIGNATURE,
    /** magic is not TPM_GENERATED_VALUE. */
    MAGIC,
    /** The attestation is not a TPM2_Certify result. */
    TYPE,
    /** extraData is not the expected qualifying data (transcript hash). */
    QUALIFYING_DATA,
    /** The certified name is not the name of the public area presented. */
    NAME,
    /** The public area's object attributes differ from the required set. */
    OBJECT_ATTRIBUTES,
    /** The public area's authPolicy differs from the policy digest the verifier computed. */
    AUTH_POLICY
}
