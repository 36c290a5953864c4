package org.vtpmmigrate.protocol.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECPoint;
import org.junit.jupiter.api.Test;

class EcPointsTest {
    @Test
    void aRealKeyRoundTripsAndInvalidPointsAreRefused() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(EcPoints.P256);
        ECPoint w = ((ECPublicKey) g.generateKeyPair().getPublic()).getW();
        byte[] encoded = EcPoints.encode(w);
        assertEquals(65, encoded.length);
        assertEquals(w, EcPoints.decode(encoded));

        byte[] offCurve = encoded.clone();
        offCurve[64] ^= 1;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EcPoints.decode(offCurve)).getMessage()
                .contains("not on P-256"));
        byte[] compressed = encoded.clone();
        compressed[0] = 0x02;
        assertThrows(IllegalArgumentException.class, () -> EcPoints.decode(compressed));
        assertThrows(IllegalArgumentException.class, () -> EcPoints.decode(java.util.Arrays.copyOf(encoded, 64)));
        BigInteger p = ((ECFieldFp) EcPoints.P256.getCurve().getField()).getP();
        assertThrows(IllegalArgumentException.class, () -> EcPoints.requireOnCurve(new ECPoint(p, w.getAffineY())));
        assertThrows(IllegalArgumentException.class, () -> EcPoints.requireOnCurve(ECPoint.POINT_INFINITY));
    }
}
