package org.vtpmmigrate.management.internal;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.vtpmmigrate.management.PkiException;
import org.vtpmmigrate.management.PkiException.Problem;
import org.vtpmmigrate.management.Role;

/**
 * What a certificate must satisfy to be used in the administrator PKI, checked up front so that a
 * misconfigured agent or console says why at start-up instead of failing TLS handshakes later.
 */
public final class CertificateChecks {
    static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final int DIGITAL_SIGNATURE = 0;
    private static final int KEY_CERT_SIGN = 5;

    private CertificateChecks() {
    }

    /** The trust anchor: self-signed, a CA, allowed to sign certificates, currently valid. */
    public static void checkAuthority(X509Certificate ca, Instant now, Path file) throws PkiException {
        String subject = Subjects.rfc2253(ca);
        if (!ca.getSubjectX500Principal().equals(ca.getIssuerX500Principal())) {
            throw new PkiException(Problem.NOT_A_CA, file, "'" + subject + "' is issued by '"
                    + ca.getIssuerX500Principal() + "'; the administrator CA certificate is self-signed", null);
        }
        try {
            ca.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new PkiException(Problem.NOT_A_CA, file, "'" + subject + "' is not signed by its own key", e);
        }
        if (ca.getBasicConstraints() < 0) {
            throw new PkiException(Problem.NOT_A_CA, file, "'" + subject
                    + "' has no basic constraints cA=true: it is not a CA certificate", null);
        }
        boolean[] keyUsage = ca.getKeyUsage();
        if (keyUsage == null || !keyUsage[KEY_CERT_SIGN]) {
            throw new PkiException(Problem.MISSING_KEY_USAGE, file, "CA certificate '" + subject
                    + "' lacks the keyCertSign key usage", null);
        }
        checkDates(ca, now, file);
    }

    /**
     * An end-entity certificate of the administrator CA: issued and signed by {@code ca}, valid now,
     * not a CA, digitalSignature usage, a known role in its subject, and the extended key usages of that
     * role (clientAuth; agents also serverAuth).
     *
     * @return the role the certificate grants
     */
    public static Role checkEndEntity(X509Certificate certificate, X509Certificate ca, Instant now, Path file)
            throws PkiException {
        String subject = Subjects.rfc2253(certificate);
        if (!certificate.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
            throw new PkiException(Problem.WRONG_CA, file, "'" + subject + "' was issued by '"
                    + certificate.getIssuerX500Principal().getName() + "', not by the administrator CA '"
                    + Subjects.rfc2253(ca) + "'", null);
        }
        try {
            certificate.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new PkiException(Problem.WRONG_CA, file, "'" + subject
                    + "' names the administrator CA as issuer but its signature does not verify with the CA key"
                    + " (another CA of the same name?)", e);
        }
        checkDates(certificate, now, file);
        if (certificate.getBasicConstraints() >= 0) {
            throw new PkiException(Problem.WRONG_ROLE, file, "'" + subject
                    + "' is a CA certificate; TLS needs an end-entity certificate", null);
        }
        boolean[] keyUsage = certificate.getKeyUsage();
        if (keyUsage == null || !keyUsage[DIGITAL_SIGNATURE]) {
            throw new PkiException(Problem.MISSING_KEY_USAGE, file, "'" + subject
                    + "' lacks the digitalSignature key usage that TLS 1.3 needs", null);
        }
        Role role = Subjects.role(certificate).orElseThrow(() -> new PkiException(Problem.WRONG_ROLE, file, "'"
                + subject + "' has no OU naming a role (" + Role.ADMINISTRATOR.organisationalUnit() + " or "
                + Role.AGENT.organisationalUnit() + ")", null));
        if (Subjects.commonName(certificate).isEmpty()) {
            throw new PkiException(Problem.INVALID_NAME, file, "'" + subject + "' has no single CN", null);
        }
        requireExtendedKeyUsage(certificate, CLIENT_AUTH, "clientAuth", file);
        if (role == Role.AGENT) {
            requireExtendedKeyUsage(certificate, SERVER_AUTH, "serverAuth", file);
        }
        return role;
    }

    /** The private key must belong to the certificate: sign a random challenge and verify it. */
    public static void checkKeyPair(PrivateKey privateKey, PublicKey publicKey, Path keyFile, String subject)
            throws PkiException {
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(privateKey);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            throw new PkiException(Problem.KEY_MISMATCH, keyFile, "the private key cannot be used with '" + subject
                    + "': " + e.getMessage(), e);
        }
        throw new PkiException(Problem.KEY_MISMATCH, keyFile, "the private key does not belong to the certificate '"
                + subject + "'", null);
    }

    private static void checkDates(X509Certificate certificate, Instant now, Path file) throws PkiException {
        Instant notBefore = certificate.getNotBefore().toInstant();
        Instant notAfter = certificate.getNotAfter().toInstant();
        String subject = Subjects.rfc2253(certificate);
        if (now.isAfter(notAfter)) {
            throw new PkiException(Problem.EXPIRED, file, "'" + subject + "' expired at " + notAfter + " (now " + now
                    + ")", null);
        }
        if (now.isBefore(notBefore)) {
            throw new PkiException(Problem.NOT_YET_VALID, file, "'" + subject + "' is valid only from " + notBefore
                    + " (now " + now + "; is the clock right?)", null);
        }
    }

    private static void requireExtendedKeyUsage(X509Certificate certificate, String oid, String name, Path file)
            throws PkiException {
        List<String> usages;
        try {
            usages = certificate.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw new PkiException(Problem.MALFORMED_PEM, file, "the extended key usage extension of '"
                    + Subjects.rfc2253(certificate) + "' cannot be parsed", e);
        }
        if (usages == null || !usages.contains(oid)) {
            throw new PkiException(Problem.MISSING_KEY_USAGE, file, "'" + Subjects.rfc2253(certificate)
                    + "' lacks the " + name + " extended key usage" + (usages == null ? " (it has none)"
                            : " (it has " + usages + ")"), null);
        }
    }
}
