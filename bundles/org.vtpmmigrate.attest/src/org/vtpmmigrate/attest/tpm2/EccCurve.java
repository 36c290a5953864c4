package org.vtpmmigrate.attest.tpm2;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.util.Optional;

/** The TPM_ECC_CURVE values this project can turn into JDK keys: the NIST prime curves. */
public enum EccCurve {
    NIST_P256(0x0003, "secp256r1", 32),
    NIST_P384(0x0004, "secp384r1", 48),
    NIST_P521(0x0005, "secp521r1", 66);

    private final int tpmCurveId;
    private final String jcaName;
    private final int coordinateSize;

    EccCurve(int tpmCurveId, String jcaName, int coordinateSize) {
        this.tpmCurveId = tpmCurveId;
        this.jcaName = jcaName;
        this.coordinateSize = coordinateSize;
    }

    public int tpmCurveId() {
        return tpmCurveId;
    }

    /** Standard name understood by the JDK ("secp256r1"). */
    public String jcaName() {
        return jcaName;
    }

    /** Bytes in one field element; the TPM pads coordinates to this length. */
    public int coordinateSize() {
        return coordinateSize;
    }

    public static Optional<EccCurve> fromTpmCurveId(int id) {
        for (EccCurve c : values()) {
            if (c.tpmCurveId == id) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** Curve parameters from the JDK provider. */
    public ECParameterSpec parameterSpec() {
        try {
            AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
            p.init(new ECGenParameterSpec(jcaName));
            return p.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks curve " + jcaName, e);
        }
    }

    /** Whether (x, y) satisfies y^2 = x^3 + ax + b over the curve's prime field (cofactor 1: on-curve is enough). */
    public boolean contains(BigInteger x, BigInteger y) {
        ECParameterSpec spec = parameterSpec();
        BigInteger p = ((ECFieldFp) spec.getCurve().getField()).getP();
        if (x.signum() < 0 || y.signum() < 0 || x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
            return false;
        }
        BigInteger lhs = y.multiply(y).mod(p);
        BigInteger rhs = x.pow(3).add(spec.getCurve().getA().multiply(x)).add(spec.getCurve().getB()).mod(p);
        return lhs.equals(rhs);
    }

    /** Identifies the curve of a JDK key by its field size and order. */
    public static Optional<EccCurve> of(ECParameterSpec spec) {
        for (EccCurve c : values()) {
            ECParameterSpec s = c.parameterSpec();
            if (s.getOrder().equals(spec.getOrder()) && s.getCurve().getField().equals(spec.getCurve().getField())) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** Big-endian, left-padded to {@link #coordinateSize()}. */
    public byte[] encodeCoordinate(BigInteger v) {
        byte[] raw = v.toByteArray();
        int start = raw.length > 1 && raw[0] == 0 ? 1 : 0;
        int len = raw.length - start;
        if (len > coordinateSize) {
            throw new IllegalArgumentException("coordinate longer than " + coordinateSize + " bytes");
        }
        byte[] out = new byte[coordinateSize];
        System.arraycopy(raw, start, out, coordinateSize - len, len);
        return out;
    }

    ECPoint point(byte[] x, byte[] y) {
        return new ECPoint(new BigInteger(1, x), new BigInteger(1, y));
    }
}
