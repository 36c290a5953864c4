package org.vtpmmigrate.protocol;

/** Which check of a verdict failed; the session derives its failure reason from it. */
public enum VerificationCheck {
    /** The evidence could not be parsed. */
    MALFORMED_EVIDENCE,
    /** The signing key is not the peer's enrolled AK. */
    ATTESTATION_KEY,
    /** A signature does not verify. */
    SIGNATURE,
    /** The quote's qualifyingData is not this run's nonce (replay). */
    NONCE,
    /** The quote does not cover the requested PCR selection. */
    PCR_SELECTION,
    /** The quote's PCR digest differs from the claimed values or from the log replay. */
    PCR_DIGEST,
    /** The event log or IMA log is malformed, or its replay does not match. */
    EVENT_LOG,
    /** A value or event is not allowed by the policy. */
    POLICY,
    /** The TPM clock or reset counters show the evidence is not fresh. */
    CLOCK,
    /** A VM launch measurement is not on the policy's allowlist. */
    LAUNCH_MEASUREMENT,
    /** Certify's qualifyingData is not this run's transcript hash. */
    QUALIFYING_DATA,
    /** The certified name does not match the offered public area. */
    KEY_NAME,
    /** The bound key's object attributes are not the required ones. */
    KEY_ATTRIBUTES,
    /** The bound key's authPolicy is not PolicyPCR over the accepted values. */
    KEY_POLICY
}
