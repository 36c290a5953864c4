package org.vtpmmigrate.attest.tpm2;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.tpm2.internal.JcaSignatures;
import org.vtpmmigrate.attest.tpm2.internal.TpmConstants;
import org.vtpmmigrate.attest.tpm2.internal.TpmReader;

/**
 * A decoded TPMT_SIGNATURE (TPM 2.0 Part 2 §11.3.4) of the schemes a TPM attestation key uses:
 * RSASSA-PKCS1-v1_5, RSASSA-PSS and ECDSA, each with its hash algorithm. tpm2-tools writes this
 * form with {@code -s} (default format "tss"). Immutable.
 */
public final class TpmSignature {
    private final TpmScheme scheme;
    private final HashAlgorithm hash;
    private final byte[] rsaSignature;
    private final byte[] ecdsaR;
    private final byte[] ecdsaS;

    private TpmSignature(TpmScheme scheme, HashAlgorithm hash, byte[] rsaSignature, byte[] ecdsaR, byte[] ecdsaS) {
        this.scheme = scheme;
        this.hash = hash;
        this.rsaSignature = rsaSignature;
        this.ecdsaR = ecdsaR;
        this.ecdsaS = ecdsaS;
    }

    public static TpmSignature parse(byte[] tpmtSignature) throws TpmFormatException {
        Objects.requireNonNull(tpmtSignature, "tpmtSignature");
        if (tpmtSignature.length > TpmConstants.MAX_SIGNATURE) {
            throw new TpmFormatException("TPMT_SIGNATURE", 0, tpmtSignature.length + " bytes exceed the maximum "
                    + TpmConstants.MAX_SIGNATURE);
        }
        TpmReader r = TpmReader.of(tpmtSignature, "TPMT_SIGNATURE");
        int algAt = r.offset();
        int alg = r.u16("sigAlg");
        TpmScheme scheme = TpmScheme.fromTpmAlgId(alg).orElse(null);
        if (scheme != TpmScheme.RSASSA && scheme != TpmScheme.RSAPSS && scheme != TpmScheme.ECDSA) {
            throw r.errorAt("sigAlg", algAt, "signature algorithm " + (scheme != null ? scheme : TpmConstants.hex16(alg))
                    + " is not supported (RSASSA, RSAPSS, ECDSA are)");
        }
        int hashAt = r.offset();
        int hashId = r.u16("signature.hash");
        HashAlgorithm hash = HashAlgorithm.fromTpmAlgId(hashId).orElseThrow(
                () -> r.errorAt("signature.hash", hashAt, "unsupported hash algorithm " + TpmConstants.hex16(hashId)));
        TpmSignature sig;
        if (scheme == TpmScheme.ECDSA) {
            byte[] rr = r.tpm2b("signature.ecdsa.signatureR", TpmConstants.MAX_ECC_KEY_BYTES);
            byte[] ss = r.tpm2b("signature.ecdsa.signatureS", TpmConstants.MAX_ECC_KEY_BYTES);
            if (rr.length == 0 || ss.length == 0) {
                throw r.error("signature.ecdsa", "empty r or s");
            }
            sig = new TpmSignature(scheme, hash, null, rr, ss);
        } else {
            byte[] s = r.tpm2b("signature.rsa.sig", TpmConstants.MAX_RSA_KEY_BYTES);
            if (s.length == 0) {
                throw r.error("signature.rsa.sig", "empty signature");
            }
            sig = new TpmSignature(scheme, hash, s, null, null);
        }
        r.expectEnd();
        return sig;
    }

    /** RSASSA, RSAPSS or ECDSA. */
    public TpmScheme scheme() {
        return scheme;
    }

    /** The hash the TPM applied to the signed structure. */
    public HashAlgorithm hash() {
        return hash;
    }

    public boolean isRsa() {
        return scheme != TpmScheme.ECDSA;
    }

    /**
     * The signature as the JDK's {@code Signature.verify} takes it: the raw RSA signature, or
     * r and s as a DER SEQUENCE for ECDSA.
     */
    public byte[] jcaEncoding() {
        if (isRsa()) {
            return rsaSignature.clone();
        }
        ASN1EncodableVector v = new ASN1EncodableVector();
        v.add(new ASN1Integer(new BigInteger(1, ecdsaR)));
        v.add(new ASN1Integer(new BigInteger(1, ecdsaS)));
        try {
            return new DERSequence(v).getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException("DER encoding of two integers failed", e);
        }
    }

    @Override
    public String toString() {
        return "TpmSignature[" + scheme + "-" + hash.bankName() + "]";
    }

    /**
     * Why this is not a valid signature by {@code key} over {@code signed} with one of
     * {@code allowedHashes}, or empty if it is: the scheme must fit the key, the hash must be allowed
     * (a downgrade is refused by name), and the signature must verify.
     */
    public Optional<String> verificationProblem(PublicKey key, byte[] signed, Set<HashAlgorithm> allowedHashes) {
        Optional<String> algorithm = JcaSignatures.algorithmProblem(key, this, allowedHashes);
        if (algorithm.isPresent()) {
            return algorithm;
        }
        try {
            return JcaSignatures.verify(key, this, signed) ? Optional.empty()
                    : Optional.of(scheme() + "-" + hash().bankName() + " signature over " + signed.length
                            + " bytes does not verify with the given " + key.getAlgorithm() + " key");
        } catch (GeneralSecurityException e) {
            return Optional.of("signature check could not run: " + e);
        }
    }
}
