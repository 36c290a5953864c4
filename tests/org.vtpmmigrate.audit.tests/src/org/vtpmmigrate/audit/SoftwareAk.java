package org.vtpmmigrate.audit;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.concurrent.atomic.AtomicInteger;

import org.vtpmmigrate.attest.tpm2.EccCurve;
import org.vtpmmigrate.attest.tpm2.TpmFormatException;
import org.vtpmmigrate.attest.tpm2.TpmPublic;

/**
 * Test fixture: an ECC P-256 key in software that presents itself like a TPM attestation key:
 * a TPM2B_PUBLIC with the attributes tpm2_createak gives an AK (fixedtpm|fixedparent|
 * sensitivedataorigin|userwithauth|restricted|sign, ECDSA-SHA256), and signatures encoded as
 * TPMT_SIGNATURE. The real signer is the TPM; this one lets tests sign thousands of records fast.
 */
final class SoftwareAk implements RecordSigner {
    /** The attributes tpm2_createak sets on an AK (bit positions from TPM 2.0 Part 2 §8.3). */
    static final int AK_ATTRIBUTES = 1 << 1 | 1 << 4 | 1 << 5 | 1 << 6 | 1 << 16 | 1 << 18;
    /** A signing key that is not restricted (no bit 16): it would sign any digest. */
    static final int UNRESTRICTED_SIGNING_ATTRIBUTES = AK_ATTRIBUTES & ~(1 << 16);

    private static final int TPM_ALG_ECC = 0x0023;
    private static final int TPM_ALG_SHA256 = 0x000B;
    private static final int TPM_ALG_NULL = 0x0010;
    private static final int TPM_ALG_ECDSA = 0x0018;

    private final KeyPair keys;
    private final byte[] tpm2bPublic;
    final AtomicInteger signatures = new AtomicInteger();

    private SoftwareAk(int attributes) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            this.keys = g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        ECPublicKey pub = (ECPublicKey) keys.getPublic();
        byte[] x = EccCurve.NIST_P256.encodeCoordinate(pub.getW().getAffineX());
        byte[] y = EccCurve.NIST_P256.encodeCoordinate(pub.getW().getAffineY());
        ByteBuffer t = ByteBuffer.allocate(2 + 2 + 4 + 2 + 2 + 4 + 2 + 2 + 2 + 32 + 2 + 32);
        t.putShort((short) TPM_ALG_ECC).putShort((short) TPM_ALG_SHA256).putInt(attributes).putShort((short) 0)
                .putShort((short) TPM_ALG_NULL).putShort((short) TPM_ALG_ECDSA).putShort((short) TPM_ALG_SHA256)
                .putShort((short) EccCurve.NIST_P256.tpmCurveId()).putShort((short) TPM_ALG_NULL)
                .putShort((short) 32).put(x).putShort((short) 32).put(y);
        this.tpm2bPublic = ByteBuffer.allocate(2 + t.capacity()).putShort((short) t.capacity()).put(t.array()).array();
    }

    /** A fresh AK-shaped key. */
    static SoftwareAk create() {
        return new SoftwareAk(AK_ATTRIBUTES);
    }

    /** A fresh key with the given object attributes. */
    static SoftwareAk withAttributes(int attributes) {
        return new SoftwareAk(attributes);
    }

    @Override
    public byte[] akPublicArea() {
        return tpm2bPublic.clone();
    }

    TpmPublic publicArea() {
        try {
            return TpmPublic.parseTpm2b(tpm2bPublic);
        } catch (TpmFormatException e) {
            throw new IllegalStateException(e);
        }
    }

    /** ECDSA P-256 over SHA-256 of the bytes, as TPMT_SIGNATURE {ECDSA, SHA256, r, s}. */
    @Override
    public byte[] sign(byte[] recordBytes) throws GeneralSecurityException {
        Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initSign(keys.getPrivate());
        s.update(recordBytes);
        byte[] rs = s.sign();
        signatures.incrementAndGet();
        return ByteBuffer.allocate(2 + 2 + 2 + 32 + 2 + 32).putShort((short) TPM_ALG_ECDSA)
                .putShort((short) TPM_ALG_SHA256).putShort((short) 32).put(rs, 0, 32).putShort((short) 32)
                .put(rs, 32, 32).array();
    }
}
