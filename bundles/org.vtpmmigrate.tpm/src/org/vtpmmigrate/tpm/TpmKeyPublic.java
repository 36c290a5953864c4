package org.vtpmmigrate.tpm;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The public part of a TPM key exactly as the TPM encodes it, and its TPM name.
 * Byte arrays are copied in and out.
 */
public final class TpmKeyPublic {

    private final byte[] tpm2bPublic;
    private final byte[] name;

    /**
     * @param tpm2bPublic the TPM2B_PUBLIC: a 2-byte big-endian size, then the TPMT_PUBLIC
     * @param name the TPM name: 2-byte nameAlg, then the nameAlg digest of the TPMT_PUBLIC
     */
    public TpmKeyPublic(byte[] tpm2bPublic, byte[] name) {
        this.tpm2bPublic = tpm2bPublic.clone();
        this.name = name.clone();
    }

    /** The TPM2B_PUBLIC bytes (size-prefixed TPMT_PUBLIC), as tpm2-tools reads a public key file. */
    public byte[] tpm2bPublic() {
        return tpm2bPublic.clone();
    }

    /** The TPMT_PUBLIC bytes: {@link #tpm2bPublic()} without the size prefix. */
    public byte[] tpmtPublic() {
        return Arrays.copyOfRange(tpm2bPublic, 2, tpm2bPublic.length);
    }

    /** The TPM name (nameAlg || digest), as it appears in TPMS_CERTIFY_INFO and MakeCredential. */
    public byte[] name() {
        return name.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TpmKeyPublic that && Arrays.equals(tpm2bPublic, that.tpm2bPublic)
                && Arrays.equals(name, that.name);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(tpm2bPublic) + Arrays.hashCode(name);
    }

    @Override
    public String toString() {
        return "TpmKeyPublic[name=" + HexFormat.of().formatHex(name) + ", " + tpm2bPublic.length + " bytes]";
    }
}
