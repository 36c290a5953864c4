package org.vtpmmigrate.tpm;

/**
 * The endorsement keys of the TCG EK Credential Profile, with the NV index of their certificate
 * and the persistent handle where they are usually kept.
 */
public enum EkType {
    /** RSA 2048 EK, template L-1; swtpm_setup makes this one. */
    RSA_2048(0x01C00002, 0x81010001, true),
    /** ECC NIST P-256 EK, template L-2. */
    ECC_NIST_P256(0x01C0000A, 0x81010002, true),
    /**
     * ECC NIST P-384 EK, high-range template H-3; swtpm_setup 0.7 makes this one as its ECC EK.
     * Used only when persistent: there is no transient fallback for it.
     */
    ECC_NIST_P384(0x01C00016, 0x81010016, false);

    private final int certificateNvIndex;
    private final int persistentHandle;
    private final boolean creatableFromTemplate;

    EkType(int certificateNvIndex, int persistentHandle, boolean creatableFromTemplate) {
        this.certificateNvIndex = certificateNvIndex;
        this.persistentHandle = persistentHandle;
        this.creatableFromTemplate = creatableFromTemplate;
    }

    /** The NV index holding the DER EK certificate. */
    public int certificateNvIndex() {
        return certificateNvIndex;
    }

    /** The persistent handle looked at first. */
    public int persistentHandle() {
        return persistentHandle;
    }

    /**
     * Whether the EK is recreated as a transient primary key from its default template when it is
     * not persistent (it is the same key: a primary key is derived from the endorsement seed and
     * the template).
     */
    public boolean creatableFromTemplate() {
        return creatableFromTemplate;
    }
}
