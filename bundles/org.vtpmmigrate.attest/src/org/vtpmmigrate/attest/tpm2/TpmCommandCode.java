package org.vtpmmigrate.attest.tpm2;

/** TPM_CC values of commands a policy may be restricted to with PolicyCommandCode. */
public enum TpmCommandCode {
    ACTIVATE_CREDENTIAL(0x00000147),
    CERTIFY(0x00000148),
    DUPLICATE(0x0000014B),
    ECDH_ZGEN(0x00000154),
    QUOTE(0x00000158),
    RSA_DECRYPT(0x00000159),
    SIGN(0x0000015D),
    UNSEAL(0x0000015E);

    private final int code;

    TpmCommandCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
