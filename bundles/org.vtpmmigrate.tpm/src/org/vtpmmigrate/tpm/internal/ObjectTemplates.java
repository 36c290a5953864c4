package org.vtpmmigrate.tpm.internal;

import java.util.HexFormat;

import org.vtpmmigrate.tpm.AkAlgorithm;
import org.vtpmmigrate.tpm.EkType;

import tss.tpm.TPM2B_PUBLIC_KEY_RSA;
import tss.tpm.TPMA_OBJECT;
import tss.tpm.TPMS_ECC_PARMS;
import tss.tpm.TPMS_ECC_POINT;
import tss.tpm.TPMS_NULL_ASYM_SCHEME;
import tss.tpm.TPMS_NULL_KDF_SCHEME;
import tss.tpm.TPMS_RSA_PARMS;
import tss.tpm.TPMS_SIG_SCHEME_ECDSA;
import tss.tpm.TPMS_SIG_SCHEME_RSASSA;
import tss.tpm.TPMT_PUBLIC;
import tss.tpm.TPMT_SYM_DEF_OBJECT;
import tss.tpm.TPM_ALG_ID;
import tss.tpm.TPM_ECC_CURVE;

/** The public templates of every object this bundle creates. */
final class ObjectTemplates {

    /** PolicySecret(TPM_RH_ENDORSEMENT) under SHA-256: authPolicy of EK templates L-1 and L-2. */
    static final byte[] EK_POLICY_SHA256 =
            HexFormat.of().parseHex("837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa");

    /** The attributes a bound key must have, nothing more (no userWithAuth: policy only). */
    static final TPMA_OBJECT BOUND_KEY_ATTRIBUTES = new TPMA_OBJECT(TPMA_OBJECT.fixedTPM, TPMA_OBJECT.fixedParent,
            TPMA_OBJECT.sensitiveDataOrigin, TPMA_OBJECT.decrypt);

    private static final int P256_COORDINATE = 32;
    private static final int RSA_2048_MODULUS = 256;

    private ObjectTemplates() {
    }

    /** Attestation key: restricted signing primary in the endorsement hierarchy. */
    static TPMT_PUBLIC attestationKey(AkAlgorithm algorithm) {
        TPMA_OBJECT attributes = new TPMA_OBJECT(TPMA_OBJECT.fixedTPM, TPMA_OBJECT.fixedParent,
                TPMA_OBJECT.sensitiveDataOrigin, TPMA_OBJECT.userWithAuth, TPMA_OBJECT.restricted, TPMA_OBJECT.sign);
        switch (algorithm) {
            case ECC_NIST_P256:
                return new TPMT_PUBLIC(TPM_ALG_ID.SHA256, attributes, new byte[0],
                        new TPMS_ECC_PARMS(noSymmetric(),
                                new TPMS_SIG_SCHEME_ECDSA(TPM_ALG_ID.SHA256), TPM_ECC_CURVE.NIST_P256,
                                new TPMS_NULL_KDF_SCHEME()),
                        new TPMS_ECC_POINT(new byte[0], new byte[0]));
            case RSA_2048:
                return new TPMT_PUBLIC(TPM_ALG_ID.SHA256, attributes, new byte[0],
                        new TPMS_RSA_PARMS(noSymmetric(),
                                new TPMS_SIG_SCHEME_RSASSA(TPM_ALG_ID.SHA256), 2048, 0),
                        new TPM2B_PUBLIC_KEY_RSA(new byte[0]));
            default:
                throw new IllegalArgumentException("Unsupported attestation key algorithm " + algorithm);
        }
    }

    /**
     * ECC NIST P-256 storage root key in the owner hierarchy, after the TCG provisioning guidance:
     * restricted decryption parent with AES-128-CFB and zero-filled unique coordinates.
     */
    static TPMT_PUBLIC storageRootKey() {
        TPMA_OBJECT attributes = new TPMA_OBJECT(TPMA_OBJECT.fixedTPM, TPMA_OBJECT.fixedParent,
                TPMA_OBJECT.sensitiveDataOrigin, TPMA_OBJECT.userWithAuth, TPMA_OBJECT.noDA, TPMA_OBJECT.restricted,
                TPMA_OBJECT.decrypt);
        return new TPMT_PUBLIC(TPM_ALG_ID.SHA256, attributes, new byte[0],
                new TPMS_ECC_PARMS(aes128Cfb(), new TPMS_NULL_ASYM_SCHEME(), TPM_ECC_CURVE.NIST_P256,
                        new TPMS_NULL_KDF_SCHEME()),
                new TPMS_ECC_POINT(new byte[P256_COORDINATE], new byte[P256_COORDINATE]));
    }

    /** ECC NIST P-256 unrestricted decryption key usable only through {@code authPolicy}. */
    static TPMT_PUBLIC boundDecryptionKey(byte[] authPolicy) {
        return new TPMT_PUBLIC(TPM_ALG_ID.SHA256, BOUND_KEY_ATTRIBUTES, authPolicy,
                new TPMS_ECC_PARMS(noSymmetric(), new TPMS_NULL_ASYM_SCHEME(),
                        TPM_ECC_CURVE.NIST_P256, new TPMS_NULL_KDF_SCHEME()),
                new TPMS_ECC_POINT(new byte[0], new byte[0]));
    }

    /**
     * The default EK template of the TCG EK Credential Profile (L-1 for RSA 2048, L-2 for ECC
     * NIST P-256): a primary key created from it is the EK the certificate was issued for.
     */
    static TPMT_PUBLIC endorsementKey(EkType type) {
        TPMA_OBJECT attributes = new TPMA_OBJECT(TPMA_OBJECT.fixedTPM, TPMA_OBJECT.fixedParent,
                TPMA_OBJECT.sensitiveDataOrigin, TPMA_OBJECT.adminWithPolicy, TPMA_OBJECT.restricted,
                TPMA_OBJECT.decrypt);
        switch (type) {
            case RSA_2048:
                return new TPMT_PUBLIC(TPM_ALG_ID.SHA256, attributes, EK_POLICY_SHA256.clone(),
                        new TPMS_RSA_PARMS(aes128Cfb(), new TPMS_NULL_ASYM_SCHEME(), 2048, 0),
                        new TPM2B_PUBLIC_KEY_RSA(new byte[RSA_2048_MODULUS]));
            case ECC_NIST_P256:
                return new TPMT_PUBLIC(TPM_ALG_ID.SHA256, attributes, EK_POLICY_SHA256.clone(),
                        new TPMS_ECC_PARMS(aes128Cfb(), new TPMS_NULL_ASYM_SCHEME(), TPM_ECC_CURVE.NIST_P256,
                                new TPMS_NULL_KDF_SCHEME()),
                        new TPMS_ECC_POINT(new byte[P256_COORDINATE], new byte[P256_COORDINATE]));
            default:
                throw new IllegalArgumentException("No transient template for EK type " + type);
        }
    }

    private static TPMT_SYM_DEF_OBJECT noSymmetric() {
        return new TPMT_SYM_DEF_OBJECT(TPM_ALG_ID.NULL, 0, TPM_ALG_ID.NULL);
    }

    private static TPMT_SYM_DEF_OBJECT aes128Cfb() {
        return new TPMT_SYM_DEF_OBJECT(TPM_ALG_ID.AES, 128, TPM_ALG_ID.CFB);
    }
}
