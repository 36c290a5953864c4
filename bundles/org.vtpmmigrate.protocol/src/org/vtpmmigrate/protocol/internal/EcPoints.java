package org.vtpmmigrate.protocol.internal;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.EllipticCurve;

/** NIST P-256 points in uncompressed SEC1 form (0x04 | X | Y), with full validation on decode. */
final class EcPoints {
    static final int COORDINATE_LENGTH = 32;
    static final int UNCOMPRESSED_LENGTH = 1 + 2 * COORDINATE_LENGTH;
    static final ECParameterSpec P256 = p256();

    private EcPoints() {
    }

    private static ECParameterSpec p256() {
        try {
            AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
            p.init(new ECGenParameterSpec("secp256r1"));
            return p.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks secp256r1", e);
        }
    }

    static byte[] encode(ECPoint point) {
        byte[] out = new byte[UNCOMPRESSED_LENGTH];
        out[0] = 0x04;
        put(point.getAffineX(), out, 1);
        put(point.getAffineY(), out, 1 + COORDINATE_LENGTH);
        return out;
    }

    private static void put(BigInteger v, byte[] out, int offset) {
        byte[] b = v.toByteArray();
        int skip = b.length > COORDINATE_LENGTH ? b.length - COORDINATE_LENGTH : 0;
        int len = b.length - skip;
        System.arraycopy(b, skip, out, offset + COORDINATE_LENGTH - len, len);
    }

    /**
     * Decodes and validates: length, form, coordinates below the field prime, and on the curve
     * (P-256 has cofactor 1, so that also rules out small-subgroup points).
     */
    static ECPoint decode(byte[] encoded) {
        if (encoded.length != UNCOMPRESSED_LENGTH) {
            throw new IllegalArgumentException("a P-256 public key is " + UNCOMPRESSED_LENGTH + " bytes uncompressed, got "
                    + encoded.length);
        }
        if (encoded[0] != 0x04) {
            throw new IllegalArgumentException(String.format("point form 0x%02x, only uncompressed (0x04) is accepted",
                    encoded[0]));
        }
        BigInteger x = new BigInteger(1, java.util.Arrays.copyOfRange(encoded, 1, 1 + COORDINATE_LENGTH));
        BigInteger y = new BigInteger(1, java.util.Arrays.copyOfRange(encoded, 1 + COORDINATE_LENGTH, encoded.length));
        ECPoint point = new ECPoint(x, y);
        requireOnCurve(point);
        return point;
    }

    static void requireOnCurve(ECPoint point) {
        EllipticCurve curve = P256.getCurve();
        BigInteger p = ((ECFieldFp) curve.getField()).getP();
        if (ECPoint.POINT_INFINITY.equals(point)) {
            throw new IllegalArgumentException("point at infinity");
        }
        BigInteger x = point.getAffineX();
        BigInteger y = point.getAffineY();
        if (x.signum() < 0 || x.compareTo(p) >= 0 || y.signum() < 0 || y.compareTo(p) >= 0) {
            throw new IllegalArgumentException("coordinate outside the field");
        }
        BigInteger rhs = x.pow(3).add(curve.getA().multiply(x)).add(curve.getB()).mod(p);
        if (!y.pow(2).mod(p).equals(rhs)) {
            throw new IllegalArgumentException("point is not on P-256");
        }
    }

    /** Whether {@code key} is a P-256 key (same curve and base point). */
    static boolean isP256(ECPublicKey key) {
        ECParameterSpec s = key.getParams();
        return s.getCurve().equals(P256.getCurve()) && s.getGenerator().equals(P256.getGenerator())
                && s.getOrder().equals(P256.getOrder());
    }
}
