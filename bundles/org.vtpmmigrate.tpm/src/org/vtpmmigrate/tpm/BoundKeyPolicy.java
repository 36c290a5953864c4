package org.vtpmmigrate.tpm;

/** The authorization policy of a PCR-bound decryption key. */
public enum BoundKeyPolicy {
    /** authPolicy = PolicyPCR(selection, digest of the bound values). */
    PCR_ONLY,
    /**
     * authPolicy = PolicyPCR(...) then PolicyCommandCode(TPM_CC_ECDH_ZGen): the key can do nothing
     * but ECDH_ZGen, even in the bound platform state.
     */
    PCR_AND_ECDH_ZGEN
}
