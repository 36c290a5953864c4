package org.vtpmmigrate.tpm;

import java.util.Arrays;

/**
 * A TPM-signed attestation (from TPM2_Quote or TPM2_Certify) exactly as the TPM produced it.
 * Byte arrays are copied in and out.
 */
public final class SignedAttestation {

    private final byte[] attest;
    private final byte[] signature;

    /**
     * @param attest the TPMS_ATTEST bytes (the content of the TPM2B_ATTEST, which is what was signed)
     * @param signature the TPMT_SIGNATURE bytes
     */
    public SignedAttestation(byte[] attest, byte[] signature) {
        this.attest = attest.clone();
        this.signature = signature.clone();
    }

    /** The TPMS_ATTEST bytes; the signature is over their digest. */
    public byte[] attest() {
        return attest.clone();
    }

    /** The TPMT_SIGNATURE bytes (sigAlg, hashAlg, then the algorithm's signature fields). */
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SignedAttestation that && Arrays.equals(attest, that.attest)
                && Arrays.equals(signature, that.signature);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(attest) + Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "SignedAttestation[attest " + attest.length + " bytes, signature " + signature.length + " bytes]";
    }
}
