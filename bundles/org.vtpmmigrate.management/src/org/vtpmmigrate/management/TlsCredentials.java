package org.vtpmmigrate.management;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.vtpmmigrate.management.PkiException.Problem;
import org.vtpmmigrate.management.internal.CertificateChecks;
import org.vtpmmigrate.management.internal.PemFiles;
import org.vtpmmigrate.management.internal.SslContexts;
import org.vtpmmigrate.management.internal.Subjects;

/**
 * The TLS identity of an agent or console: its certificate and key, checked against the administrator
 * CA when loaded, and the TLS 1.3 context built from them (presents the certificate, trusts only the
 * administrator CA).
 */
public final class TlsCredentials {
    private final X509Certificate certificate;
    private final X509Certificate caCertificate;
    private final Role role;
    private final SSLContext sslContext;

    private TlsCredentials(X509Certificate certificate, X509Certificate caCertificate, Role role,
            SSLContext sslContext) {
        this.certificate = certificate;
        this.caCertificate = caCertificate;
        this.role = role;
        this.sslContext = sslContext;
    }

    /**
     * Loads and checks credentials. The CA file must hold the self-signed administrator CA certificate;
     * the certificate file holds this party's certificate first (further certificates are ignored); the
     * key file a PKCS#8 key readable by its owner only.
     *
     * @param passphrase the key's passphrase, or null if it is not encrypted
     * @throws PkiException naming the file and the problem: expired, issued by another CA, a key usage
     *         missing, the key not matching, a wrong passphrase, unsafe permissions
     */
    public static TlsCredentials load(Path certificateFile, Path keyFile, char[] passphrase, Path caCertificateFile)
            throws PkiException {
        List<X509Certificate> cas = PemFiles.readCertificates(caCertificateFile);
        if (cas.size() != 1) {
            throw new PkiException(Problem.MALFORMED_PEM, caCertificateFile, "holds " + cas.size()
                    + " certificates; the CA file holds exactly the administrator CA certificate", null);
        }
        X509Certificate certificate = PemFiles.readCertificates(certificateFile).get(0);
        PrivateKey key = PemFiles.readPrivateKey(keyFile, passphrase);
        return of(certificate, key, cas.get(0), certificateFile, keyFile, caCertificateFile);
    }

    static TlsCredentials of(X509Certificate certificate, PrivateKey key, X509Certificate ca, Path certificateFile,
            Path keyFile) throws PkiException {
        return of(certificate, key, ca, certificateFile, keyFile, null);
    }

    private static TlsCredentials of(X509Certificate certificate, PrivateKey key, X509Certificate ca,
            Path certificateFile, Path keyFile, Path caFile) throws PkiException {
        Instant now = Instant.now();
        CertificateChecks.checkAuthority(ca, now, caFile);
        Role role = CertificateChecks.checkEndEntity(certificate, ca, now, certificateFile);
        CertificateChecks.checkKeyPair(key, certificate.getPublicKey(), keyFile, Subjects.rfc2253(certificate));
        return new TlsCredentials(certificate, ca, role, SslContexts.mutual(key, List.of(certificate, ca), ca));
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The trust anchor: the administrator CA certificate. */
    public X509Certificate caCertificate() {
        return caCertificate;
    }

    public Role role() {
        return role;
    }

    /** The certificate subject, RFC 2253. */
    public String subject() {
        return Subjects.rfc2253(certificate);
    }

    /** When the certificate expires: a console warns before, an agent refuses after. */
    public Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }

    /** The TLS 1.3 context: this identity, trusting only the administrator CA. */
    public SSLContext sslContext() {
        return sslContext;
    }
}
