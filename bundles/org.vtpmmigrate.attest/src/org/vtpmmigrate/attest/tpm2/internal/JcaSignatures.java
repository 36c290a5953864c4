package org.vtpmmigrate.attest.tpm2.internal;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Optional;
import java.util.Set;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.tpm2.EccCurve;
import org.vtpmmigrate.attest.tpm2.TpmScheme;
import org.vtpmmigrate.attest.tpm2.TpmSignature;

/** Checks TPM signatures with the JDK providers. */
public final class JcaSignatures {
    private JcaSignatures() {
    }

    /** RSA attestation keys below this size are refused (downgrade protection). */
    public static final int MIN_RSA_BITS = 2048;

    /** Why the signature cannot be accepted before verifying it, or empty if scheme, hash and key fit. */
    public static Optional<String> algorithmProblem(PublicKey key, TpmSignature sig, Set<HashAlgorithm> allowedHashes) {
        if (!allowedHashes.contains(sig.hash())) {
            return Optional.of("signature hash " + sig.hash().bankName() + " is not allowed (allowed: "
                    + names(allowedHashes) + ")");
        }
        if (sig.hash() == HashAlgorithm.SM3_256) {
            return Optional.of("SM3 signatures are not supported");
        }
        if (sig.isRsa()) {
            if (!(key instanceof RSAPublicKey rsa)) {
                return Optional.of(sig.scheme() + " signature cannot come from a " + key.getAlgorithm() + " key");
            }
            if (rsa.getModulus().bitLength() < MIN_RSA_BITS) {
                return Optional.of("RSA key of " + rsa.getModulus().bitLength() + " bits is below " + MIN_RSA_BITS);
            }
        } else {
            if (!(key instanceof ECPublicKey ec)) {
                return Optional.of("ECDSA signature cannot come from a " + key.getAlgorithm() + " key");
            }
            if (EccCurve.of(ec.getParams()).isEmpty()) {
                return Optional.of("EC key is not on a supported NIST curve");
            }
        }
        return Optional.empty();
    }

    /** Whether {@code sig} is a valid signature of {@code signed} by {@code key}. */
    public static boolean verify(PublicKey key, TpmSignature sig, byte[] signed) throws GeneralSecurityException {
        String md = JcaNames.digest(sig.hash());
        if (sig.scheme() == TpmScheme.RSAPSS) {
            // TPMs use either salt = digest length (FIPS 186-4 mode) or the largest salt the key
            // allows (Part 1 §B.7); both are valid RSASSA-PSS, so accept either.
            int keyBytes = (((RSAPublicKey) key).getModulus().bitLength() + 7) / 8;
            int digestLen = sig.hash().digestSize();
            for (int salt : new int[] {digestLen, keyBytes - digestLen - 2}) {
                Signature s = Signature.getInstance("RSASSA-PSS");
                s.setParameter(new PSSParameterSpec(md, "MGF1", new MGF1ParameterSpec(md), salt, 1));
                if (verifyOnce(s, key, signed, sig.jcaEncoding())) {
                    return true;
                }
            }
            return false;
        }
        String alg = md.replace("-", "") + (sig.scheme() == TpmScheme.ECDSA ? "withECDSA" : "withRSA");
        return verifyOnce(Signature.getInstance(alg), key, signed, sig.jcaEncoding());
    }

    private static boolean verifyOnce(Signature s, PublicKey key, byte[] signed, byte[] signature)
            throws GeneralSecurityException {
        s.initVerify(key);
        s.update(signed);
        try {
            return s.verify(signature);
        } catch (SignatureException e) {
            // a malformed encoding (wrong length, r or s out of range) is simply an invalid signature
            return false;
        }
    }

    private static String names(Set<HashAlgorithm> hs) {
        StringBuilder sb = new StringBuilder();
        for (HashAlgorithm h : HashAlgorithm.values()) {
            if (hs.contains(h)) {
                sb.append(sb.length() == 0 ? "" : ",").append(h.bankName());
            }
        }
        return sb.toString();
    }
}
