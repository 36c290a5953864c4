package org.vtpmmigrate.protocol.internal;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HKDF with HMAC-SHA256 (RFC 5869) on the JDK's HMAC. */
public final class Hkdf {
    static final String HMAC = "HmacSHA256";
    static final int HASH_LENGTH = 32;

    private Hkdf() {
    }

    /** HKDF-Extract: PRK = HMAC(salt, ikm); an empty salt means HashLen zero bytes (RFC 5869 §2.2). */
    public static byte[] extract(byte[] salt, byte[] ikm) {
        byte[] key = salt == null || salt.length == 0 ? new byte[HASH_LENGTH] : salt;
        Mac mac = mac(key);
        return mac.doFinal(ikm);
    }

    /** HKDF-Expand: the first {@code length} bytes of T(1) | T(2) | ... (RFC 5869 §2.3). */
    public static byte[] expand(byte[] prk, byte[] info, int length) {
        if (length < 0 || length > 255 * HASH_LENGTH) {
            throw new IllegalArgumentException("HKDF-SHA256 output length " + length + " outside 0.." + 255 * HASH_LENGTH);
        }
        if (prk.length < HASH_LENGTH) {
            throw new IllegalArgumentException("PRK of " + prk.length + " bytes is shorter than " + HASH_LENGTH);
        }
        Mac mac = mac(prk);
        byte[] out = new byte[length];
        byte[] t = new byte[0];
        int done = 0;
        for (int i = 1; done < length; i++) {
            mac.update(t);
            mac.update(info == null ? new byte[0] : info);
            mac.update((byte) i);
            t = mac.doFinal();
            int n = Math.min(t.length, length - done);
            System.arraycopy(t, 0, out, done, n);
            done += n;
        }
        return out;
    }

    static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + HMAC, e);
        }
    }

    /** HMAC-SHA256 of the concatenated parts. */
    static byte[] hmac(byte[] key, byte[]... parts) {
        Mac mac = mac(key);
        for (byte[] p : parts) {
            mac.update(p);
        }
        return mac.doFinal();
    }
}
