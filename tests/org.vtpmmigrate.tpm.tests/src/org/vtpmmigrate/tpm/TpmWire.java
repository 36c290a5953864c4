package org.vtpmmigrate.tpm;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;

/**
 * Just enough TPM 2.0 wire parsing for the tests to check the bundle's output independently of
 * its implementation: public keys, signatures, and the TPMS_ATTEST fields the tests compare.
 */
final class TpmWire {

    static final int TPM_ALG_RSA = 0x0001;
    static final int TPM_ALG_ECC = 0x0023;
    static final int TPM_ALG_NULL = 0x0010;
    static final int TPM_ALG_RSASSA = 0x0014;
    static final int TPM_ALG_ECDSA = 0x0018;
    static final int TPM_GENERATED_VALUE = 0xff544347;
    static final int TPM_ST_ATTEST_CERTIFY = 0x8017;
    static final int TPM_ST_ATTEST_QUOTE = 0x8018;

    /** TPMA_OBJECT bits the tests check. */
    static final int FIXED_TPM = 0x00000002;
    static final int FIXED_PARENT = 0x00000010;
    static final int SENSITIVE_DATA_ORIGIN = 0x00000020;
    static final int RESTRICTED = 0x00010000;
    static final int DECRYPT = 0x00020000;
    static final int SIGN = 0x00040000;

    private TpmWire() {
    }

    /** Fields of a TPMT_PUBLIC this test suite looks at. */
    record PublicArea(int type, int nameAlg, int attributes, byte[] authPolicy, PublicKey key) {
    }

    /** Parses a TPM2B_PUBLIC of an RSA or ECC (P-256, P-384) key. */
    static PublicArea parsePublic(byte[] tpm2bPublic) throws Exception {
        ByteBuffer in = ByteBuffer.wrap(tpm2bPublic);
        int size = u16(in);
        if (size != tpm2bPublic.length - 2) {
            throw new IllegalArgumentException("TPM2B_PUBLIC size " + size + " != " + (tpm2bPublic.length - 2));
        }
        int type = u16(in);
        int nameAlg = u16(in);
        int attributes = in.getInt();
        byte[] authPolicy = sized(in);
        skipSymmetric(in);
        PublicKey key;
        if (type == TPM_ALG_RSA) {
            skipScheme(in);
            u16(in); // keyBits
            int exponent = in.getInt();
            byte[] modulus = sized(in);
            key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(new BigInteger(1, modulus),
                    BigInteger.valueOf(exponent == 0 ? 65537 : exponent)));
        } else if (type == TPM_ALG_ECC) {
            skipScheme(in);
            int curve = u16(in);
            skipScheme(in); // kdf
            byte[] x = sized(in);
            byte[] y = sized(in);
            String curveName = switch (curve) {
                case 0x0003 -> "secp256r1";
                case 0x0004 -> "secp384r1";
                default -> throw new IllegalArgumentException("curve " + curve);
            };
            key = ecPublicKey(curveName, new BigInteger(1, x), new BigInteger(1, y));
        } else {
            throw new IllegalArgumentException("key type " + type);
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(in.remaining() + " bytes after the public area");
        }
        return new PublicArea(type, nameAlg, attributes, authPolicy, key);
    }

    static ECPublicKey ecPublicKey(String curveName, BigInteger x, BigInteger y) throws Exception {
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec(curveName));
        ECParameterSpec spec = parameters.getParameterSpec(ECParameterSpec.class);
        return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), spec));
    }

    /** Verifies a TPMT_SIGNATURE (ECDSA or RSASSA over SHA-256) over {@code signed}. */
    static boolean verify(PublicKey key, byte[] signed, byte[] tpmtSignature) throws Exception {
        ByteBuffer in = ByteBuffer.wrap(tpmtSignature);
        int sigAlg = u16(in);
        int hashAlg = u16(in);
        if (hashAlg != 0x000B) {
            throw new IllegalArgumentException("signature hash " + hashAlg);
        }
        Signature verifier;
        byte[] signature;
        if (sigAlg == TPM_ALG_ECDSA) {
            BigInteger r = new BigInteger(1, sized(in));
            BigInteger s = new BigInteger(1, sized(in));
            verifier = Signature.getInstance("SHA256withECDSA");
            signature = derSignature(r, s);
        } else if (sigAlg == TPM_ALG_RSASSA) {
            verifier = Signature.getInstance("SHA256withRSA");
            signature = sized(in);
        } else {
            throw new IllegalArgumentException("signature algorithm " + sigAlg);
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(in.remaining() + " bytes after the signature");
        }
        verifier.initVerify(key);
        verifier.update(signed);
        return verifier.verify(signature);
    }

    /** The TPMS_ATTEST header fields, and the type-specific part as bytes. */
    record Attest(int magic, int type, byte[] qualifiedSigner, byte[] extraData, byte[] attested) {
    }

    static Attest parseAttest(byte[] attest) {
        ByteBuffer in = ByteBuffer.wrap(attest);
        int magic = in.getInt();
        int type = u16(in);
        byte[] signer = sized(in);
        byte[] extraData = sized(in);
        in.position(in.position() + 17 + 8); // clockInfo, firmwareVersion
        byte[] attested = new byte[in.remaining()];
        in.get(attested);
        return new Attest(magic, type, signer, extraData, attested);
    }

    /** TPMS_QUOTE_INFO: returns pcrDigest after checking the selection bytes. */
    static byte[] quotePcrDigest(byte[] attested, byte[] expectedTpmlPcrSelection) {
        ByteBuffer in = ByteBuffer.wrap(attested);
        byte[] selection = new byte[expectedTpmlPcrSelection.length];
        in.get(selection);
        if (!Arrays.equals(selection, expectedTpmlPcrSelection)) {
            throw new IllegalArgumentException("quoted PCR selection differs from the requested one");
        }
        byte[] digest = sized(in);
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(in.remaining() + " bytes after TPMS_QUOTE_INFO");
        }
        return digest;
    }

    /** TPMS_CERTIFY_INFO: returns the certified object's name. */
    static byte[] certifiedName(byte[] attested) {
        ByteBuffer in = ByteBuffer.wrap(attested);
        byte[] name = sized(in);
        sized(in); // qualifiedName
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(in.remaining() + " bytes after TPMS_CERTIFY_INFO");
        }
        return name;
    }

    /** TPML_PCR_SELECTION bytes with 3-byte bitmaps, built independently of the bundle. */
    static byte[] tpmlPcrSelection(PcrSelection selection) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(4).putInt(selection.banks().size()).array());
        for (PcrBank bank : selection.banks()) {
            out.writeBytes(ByteBuffer.allocate(2).putShort((short) bank.algorithmId()).array());
            out.write(3);
            byte[] bitmap = new byte[3];
            for (int index : selection.indices(bank)) {
                bitmap[index / 8] |= (byte) (1 << (index % 8));
            }
            out.writeBytes(bitmap);
        }
        return out.toByteArray();
    }

    private static void skipSymmetric(ByteBuffer in) {
        if (u16(in) != TPM_ALG_NULL) {
            u16(in);
            u16(in);
        }
    }

    private static void skipScheme(ByteBuffer in) {
        if (u16(in) != TPM_ALG_NULL) {
            u16(in);
        }
    }

    static int u16(ByteBuffer in) {
        return in.getShort() & 0xFFFF;
    }

    static byte[] sized(ByteBuffer in) {
        byte[] content = new byte[u16(in)];
        in.get(content);
        return content;
    }

    private static byte[] derSignature(BigInteger r, BigInteger s) {
        byte[] rBytes = r.toByteArray();
        byte[] sBytes = s.toByteArray();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(0x02);
        body.write(rBytes.length);
        body.writeBytes(rBytes);
        body.write(0x02);
        body.write(sBytes.length);
        body.writeBytes(sBytes);
        ByteArrayOutputStream der = new ByteArrayOutputStream();
        der.write(0x30);
        der.write(body.size());
        der.writeBytes(body.toByteArray());
        return der.toByteArray();
    }
}
