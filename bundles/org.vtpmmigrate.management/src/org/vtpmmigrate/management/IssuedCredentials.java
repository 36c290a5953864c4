package org.vtpmmigrate.management;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.vtpmmigrate.management.internal.PemFiles;

/** A certificate just issued by the {@link AdministratorCa}, with its fresh private key. */
public final class IssuedCredentials {
    private final X509Certificate certificate;
    private final X509Certificate caCertificate;
    private final PrivateKey privateKey;
    private final Role role;

    IssuedCredentials(X509Certificate certificate, X509Certificate caCertificate, PrivateKey privateKey, Role role) {
        this.certificate = certificate;
        this.caCertificate = caCertificate;
        this.privateKey = privateKey;
        this.role = role;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public X509Certificate caCertificate() {
        return caCertificate;
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    public Role role() {
        return role;
    }

    /**
     * Writes the certificate followed by the CA certificate to {@code certificateFile} and the key
     * (PKCS#8, owner-only, encrypted when {@code passphrase} is not null) to {@code keyFile}; neither may
     * exist yet.
     */
    public void write(Path certificateFile, Path keyFile, char[] passphrase) throws PkiException {
        PemFiles.writeCredentials(certificateFile, List.of(certificate, caCertificate), keyFile, privateKey,
                passphrase);
    }

    /** These credentials checked and ready for TLS (as {@link TlsCredentials#load} would give them). */
    public TlsCredentials toTlsCredentials() throws PkiException {
        return TlsCredentials.of(certificate, privateKey, caCertificate, null, null);
    }
}
