package org.vtpmmigrate.attest.tpm2.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.vtpmmigrate.attest.HashAlgorithm;

/** The TPM key derivation functions of TPM 2.0 Part 1 §11.4.10. */
public final class Kdf {
    private Kdf() {
    }

    /**
     * KDFa: SP 800-108 counter mode with HMAC. Each block is HMAC(key, i || label || 00 ||
     * contextU || contextV || bits), i and bits as 32-bit big-endian; the label gets its
     * terminating zero here.
     */
    public static byte[] kdfa(HashAlgorithm hash, byte[] key, String label, byte[] contextU, byte[] contextV, int bits) {
        requireWholeBytes(bits);
        try {
            Mac mac = Mac.getInstance(JcaNames.hmac(hash));
            // SecretKeySpec refuses an empty key; HMAC zero-pads keys to the block size, so one
            // zero byte is the same HMAC key as none.
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, mac.getAlgorithm()));
            byte[] fixed = new TpmWriter().bytes(label.getBytes(StandardCharsets.US_ASCII)).u8(0).bytes(contextU)
                    .bytes(contextV).u32(bits).toByteArray();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 1; out.size() < bits / 8; i++) {
                mac.update(new TpmWriter().u32(i).toByteArray());
                mac.update(fixed);
                out.writeBytes(mac.doFinal());
            }
            return Arrays.copyOf(out.toByteArray(), bits / 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-" + hash.bankName() + " unavailable", e);
        }
    }

    /**
     * KDFe: SP 800-56A concatenation KDF. Each block is H(i || Z || label || 00 || partyUInfo ||
     * partyVInfo).
     */
    public static byte[] kdfe(HashAlgorithm hash, byte[] z, String label, byte[] partyU, byte[] partyV, int bits) {
        requireWholeBytes(bits);
        byte[] fixed = new TpmWriter().bytes(z).bytes(label.getBytes(StandardCharsets.US_ASCII)).u8(0).bytes(partyU)
                .bytes(partyV).toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 1; out.size() < bits / 8; i++) {
            MessageDigest md = hash.newDigest();
            md.update(new TpmWriter().u32(i).toByteArray());
            md.update(fixed);
            out.writeBytes(md.digest());
        }
        return Arrays.copyOf(out.toByteArray(), bits / 8);
    }

    /** HMAC with the given hash (the credential's outer integrity). */
    public static byte[] hmac(HashAlgorithm hash, byte[] key, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance(JcaNames.hmac(hash));
            mac.init(new SecretKeySpec(key, mac.getAlgorithm()));
            for (byte[] p : parts) {
                mac.update(p);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-" + hash.bankName() + " unavailable", e);
        }
    }

    private static void requireWholeBytes(int bits) {
        if (bits <= 0 || bits % 8 != 0) {
            throw new IllegalArgumentException("KDF output of " + bits + " bits is not a positive whole number of bytes");
        }
    }
}
