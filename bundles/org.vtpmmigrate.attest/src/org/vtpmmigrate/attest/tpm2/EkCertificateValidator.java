package org.vtpmmigrate.attest.tpm2;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.PublicKey;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.vtpmmigrate.attest.tpm2.internal.TcgEkCertificateChecker;

/**
 * Validates TPM endorsement key certificates against configured CA certificates (PKIX with the
 * JDK's CertPathValidator) and checks that the certificate is for the TPM's actual EK.
 * <p>
 * TCG EK profile specifics: the subjectAltName is a directoryName with the TPM manufacturer,
 * model and version and is often critical (mandatory when the subject is empty); the subject
 * directory attributes carry the TPM specification; the extended key usage, when present,
 * must include tcg-kp-EKCertificate (2.23.133.8.1). These are recognised for the EK
 * certificate; any other unrecognised critical extension still fails validation.
 * <p>
 * <b>Revocation is not checked</b>: TPM vendors publish CRLs inconsistently and hosts may be
 * offline, so revocation checking is off. An EK certificate whose CA revoked it is accepted
 * as long as the chain is valid; remove a compromised CA from the trust anchors instead.
 * Thread-safe.
 */
public final class EkCertificateValidator {
    /** tcg-kp-EKCertificate. */
    public static final String TCG_KP_EK_CERTIFICATE = "2.23.133.8.1";
    /** Longest chain considered: EK certificate, intermediates, anchor. */
    private static final int MAX_PATH_LENGTH = 8;
    /** EK certificate NV indices hold at most a few KiB. */
    private static final int MAX_CERTIFICATE_BYTES = 16 * 1024;

    private final Set<TrustAnchor> anchors;
    private final List<X509Certificate> anchorCertificates;
    private final List<X509Certificate> intermediates;

    /**
     * @param trustedCaCertificates       trust anchors (typically the manufacturers' root CAs)
     * @param intermediateCaCertificates  CA certificates that may link an EK certificate to an anchor
     */
    public EkCertificateValidator(Collection<X509Certificate> trustedCaCertificates,
            Collection<X509Certificate> intermediateCaCertificates) {
        if (trustedCaCertificates.isEmpty()) {
            throw new IllegalArgumentException("at least one trusted CA certificate is needed");
        }
        this.anchorCertificates = List.copyOf(trustedCaCertificates);
        this.intermediates = List.copyOf(intermediateCaCertificates);
        Set<TrustAnchor> a = new HashSet<>();
        for (X509Certificate c : anchorCertificates) {
            a.add(new TrustAnchor(c, null));
        }
        this.anchors = Set.copyOf(a);
    }

    /**
     * Decodes a certificate from PEM, DER, or the contents of an EK certificate NV index (DER
     * followed by 0x00 or 0xFF padding up to the index size, as some TPMs store it).
     */
    public static X509Certificate parseCertificate(byte[] data) throws EkCertificateException {
        Objects.requireNonNull(data, "data");
        if (data.length > MAX_CERTIFICATE_BYTES) {
            throw new EkCertificateException(EkCertificateException.Reason.MALFORMED,
                    data.length + " bytes exceed the maximum " + MAX_CERTIFICATE_BYTES + " for an EK certificate");
        }
        byte[] der = data;
        if (!new String(data, 0, Math.min(data.length, 64), StandardCharsets.US_ASCII).contains("-----BEGIN")) {
            int len = derLength(data);
            for (int i = len; i < data.length; i++) {
                if (data[i] != data[len] || (data[i] != 0 && data[i] != (byte) 0xFF)) {
                    throw new EkCertificateException(EkCertificateException.Reason.MALFORMED, "byte " + i
                            + " after the " + len + "-byte certificate is neither 0x00 nor 0xFF padding");
                }
            }
            der = java.util.Arrays.copyOf(data, len);
        }
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException e) {
            throw new EkCertificateException(EkCertificateException.Reason.MALFORMED, "not an X.509 certificate: "
                    + e.getMessage(), e);
        }
    }

    /** Length of the outer DER SEQUENCE including its header. */
    private static int derLength(byte[] d) throws EkCertificateException {
        if (d.length < 2 || d[0] != 0x30) {
            throw new EkCertificateException(EkCertificateException.Reason.MALFORMED, "does not start with a DER SEQUENCE");
        }
        int first = d[1] & 0xFF;
        if (first < 0x80) {
            return 2 + first;
        }
        int n = first & 0x7F;
        if (n == 0 || n > 3 || d.length < 2 + n) {
            throw new EkCertificateException(EkCertificateException.Reason.MALFORMED, "bad DER length header");
        }
        int len = 0;
        for (int i = 0; i < n; i++) {
            len = (len << 8) | (d[2 + i] & 0xFF);
        }
        int total = 2 + n + len;
        if (total > d.length) {
            throw new EkCertificateException(EkCertificateException.Reason.MALFORMED,
                    "DER length " + total + " exceeds the " + d.length + " bytes given");
        }
        return total;
    }

    public EkCertificateInfo validate(X509Certificate ekCertificate, TpmPublic ekPublic) throws EkCertificateException {
        return validate(ekCertificate, ekPublic, Instant.now());
    }

    /**
     * @param ekCertificate the certificate read from the TPM's NV (or supplied by the host)
     * @param ekPublic      the EK public area the TPM reports (TPM2_ReadPublic or CreatePrimary)
     * @param at            validation time
     */
    public EkCertificateInfo validate(X509Certificate ekCertificate, TpmPublic ekPublic, Instant at)
            throws EkCertificateException {
        Objects.requireNonNull(ekCertificate, "ekCertificate");
        Objects.requireNonNull(ekPublic, "ekPublic");
        String subject = ekCertificate.getSubjectX500Principal().getName();
        if (ekCertificate.getBasicConstraints() != -1) {
            throw new EkCertificateException(EkCertificateException.Reason.NOT_EK_CERTIFICATE,
                    "certificate '" + subject + "' is a CA certificate");
        }
        try {
            List<String> eku = ekCertificate.getExtendedKeyUsage();
            if (eku != null && !eku.contains(TCG_KP_EK_CERTIFICATE)) {
                throw new EkCertificateException(EkCertificateException.Reason.NOT_EK_CERTIFICATE, "extended key usage "
                        + eku + " of '" + subject + "' lacks tcg-kp-EKCertificate " + TCG_KP_EK_CERTIFICATE);
            }
        } catch (CertificateException e) {
            throw new EkCertificateException(EkCertificateException.Reason.MALFORMED, "unreadable extended key usage", e);
        }
        Optional<String> mismatch = keyMismatch(ekCertificate.getPublicKey(), ekPublic);
        if (mismatch.isPresent()) {
            throw new EkCertificateException(EkCertificateException.Reason.KEY_MISMATCH, mismatch.get());
        }

        List<X509Certificate> chain = buildChain(ekCertificate);
        TcgEkCertificateChecker tcgChecker = new TcgEkCertificateChecker(ekCertificate);
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            // The anchor is not part of a PKIX CertPath.
            CertPath path = cf.generateCertPath(chain.subList(0, chain.size() - 1));
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            params.setDate(Date.from(at));
            params.addCertPathChecker(tcgChecker);
            CertPathValidator.getInstance("PKIX").validate(path, params);
        } catch (CertPathValidatorException e) {
            String where = e.getIndex() >= 0 && e.getIndex() < chain.size()
                    ? " at '" + chain.get(e.getIndex()).getSubjectX500Principal().getName() + "'" : "";
            if (e.getReason() == PKIXReason.UNRECOGNIZED_CRIT_EXT) {
                throw new EkCertificateException(EkCertificateException.Reason.UNHANDLED_CRITICAL_EXTENSION,
                        e.getMessage() + where, e);
            }
            throw new EkCertificateException(EkCertificateException.Reason.INVALID_PATH,
                    e.getReason() + ": " + e.getMessage() + where, e);
        } catch (GeneralSecurityException e) {
            throw new EkCertificateException(EkCertificateException.Reason.INVALID_PATH, "PKIX validation could not run: " + e, e);
        }
        TcgEkCertificateChecker.TpmIdentity id = TcgEkCertificateChecker.tpmIdentity(ekCertificate);
        return new EkCertificateInfo(chain, id.manufacturer(), id.model(), id.version());
    }

    /** EK certificate first, trust anchor last; picks issuers by name, preferring one whose key verifies. */
    private List<X509Certificate> buildChain(X509Certificate ek) throws EkCertificateException {
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(ek);
        X509Certificate current = ek;
        while (chain.size() <= MAX_PATH_LENGTH) {
            X509Certificate anchor = issuerAmong(current, anchorCertificates);
            if (anchor != null) {
                chain.add(anchor);
                return chain;
            }
            X509Certificate next = issuerAmong(current, intermediates);
            if (next == null || chain.contains(next)) {
                throw new EkCertificateException(EkCertificateException.Reason.NO_PATH, "no configured CA certificate"
                        + " has subject '" + current.getIssuerX500Principal().getName() + "', the issuer of '"
                        + current.getSubjectX500Principal().getName() + "'");
            }
            chain.add(next);
            current = next;
        }
        throw new EkCertificateException(EkCertificateException.Reason.NO_PATH, "no trust anchor within "
                + MAX_PATH_LENGTH + " certificates");
    }

    private static X509Certificate issuerAmong(X509Certificate cert, List<X509Certificate> candidates) {
        X509Certificate byName = null;
        for (X509Certificate c : candidates) {
            if (!c.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
                continue;
            }
            try {
                cert.verify(c.getPublicKey());
                return c;
            } catch (GeneralSecurityException e) {
                // same name, other key (a renewed CA, or a forgery): PKIX reports it if nothing better is found
                byName = byName == null ? c : byName;
            }
        }
        return byName;
    }

    /** Compares the certified key with the EK by value (modulus and exponent, or curve and point). */
    static Optional<String> keyMismatch(PublicKey certKey, TpmPublic ek) {
        PublicKey tpmKey;
        try {
            tpmKey = ek.toPublicKey();
        } catch (InvalidKeyException e) {
            return Optional.of("EK public area has no usable key: " + e.getMessage());
        }
        if (tpmKey instanceof RSAPublicKey t) {
            Optional<BigInteger[]> c = rsaParts(certKey);
            if (c.isEmpty()) {
                return Optional.of("certificate holds a " + certKey.getAlgorithm() + " key, the EK is RSA");
            }
            if (!c.get()[0].equals(t.getModulus()) || !c.get()[1].equals(t.getPublicExponent())) {
                return Optional.of("certificate's RSA modulus " + c.get()[0].toString(16).substring(0, 16)
                        + "… is not the EK's " + t.getModulus().toString(16).substring(0, 16) + "…");
            }
            return Optional.empty();
        }
        ECPublicKey t = (ECPublicKey) tpmKey;
        if (!(certKey instanceof ECPublicKey c)) {
            return Optional.of("certificate holds a " + certKey.getAlgorithm() + " key, the EK is ECC");
        }
        Optional<EccCurve> certCurve = EccCurve.of(c.getParams());
        Optional<EccCurve> ekCurve = EccCurve.of(t.getParams());
        if (!certCurve.equals(ekCurve)) {
            return Optional.of("certificate's curve " + certCurve.map(Enum::name).orElse("(unknown)") + " is not the EK's "
                    + ekCurve.map(Enum::name).orElse("(unknown)"));
        }
        if (!c.getW().equals(t.getW())) {
            return Optional.of("certificate's EC point is not the EK's");
        }
        return Optional.empty();
    }

    /** Modulus and exponent from an RSA key, also when the certificate uses the id-RSAES-OAEP key OID. */
    private static Optional<BigInteger[]> rsaParts(PublicKey key) {
        if (key instanceof RSAPublicKey r) {
            return Optional.of(new BigInteger[] {r.getModulus(), r.getPublicExponent()});
        }
        try {
            SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(key.getEncoded());
            ASN1ObjectIdentifier oid = spki.getAlgorithm().getAlgorithm();
            if (oid.equals(PKCSObjectIdentifiers.id_RSAES_OAEP) || oid.equals(PKCSObjectIdentifiers.rsaEncryption)) {
                org.bouncycastle.asn1.pkcs.RSAPublicKey r = org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(spki.parsePublicKey());
                return Optional.of(new BigInteger[] {r.getModulus(), r.getPublicExponent()});
            }
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
