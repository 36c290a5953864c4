package org.vtpmmigrate.attest.tpm2;

import java.util.Optional;

/**
 * Scheme algorithm identifiers that appear in TPMT_PUBLIC parameters and TPMT_SIGNATURE
 * (signing, encryption, key exchange, keyed-hash and KDF schemes; TCG Algorithm Registry).
 */
public enum TpmScheme {
    NULL(0x0010),
    HMAC(0x0005),
    MGF1(0x0007),
    XOR(0x000A),
    RSASSA(0x0014),
    RSAES(0x0015),
    RSAPSS(0x0016),
    OAEP(0x0017),
    ECDSA(0x0018),
    ECDH(0x0019),
    ECDAA(0x001A),
    SM2(0x001B),
    ECSCHNORR(0x001C),
    ECMQV(0x001D),
    KDF1_SP800_56A(0x0020),
    KDF2(0x0021),
    KDF1_SP800_108(0x0022);

    private final int tpmAlgId;

    TpmScheme(int tpmAlgId) {
        this.tpmAlgId = tpmAlgId;
    }

    public int tpmAlgId() {
        return tpmAlgId;
    }

    /** NULL and RSAES carry no hash algorithm; every other scheme does. */
    public boolean hasHash() {
        return this != NULL && this != RSAES;
    }

    public static Optional<TpmScheme> fromTpmAlgId(int id) {
        for (TpmScheme s : values()) {
            if (s.tpmAlgId == id) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
