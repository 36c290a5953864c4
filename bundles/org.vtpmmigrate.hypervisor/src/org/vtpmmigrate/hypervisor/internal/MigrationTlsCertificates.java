package org.vtpmmigrate.hypervisor.internal;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.vtpmmigrate.hypervisor.HypervisorException;

/**
 * Writes the credential directory QEMU's {@code tls-creds-x509} object reads: a CA, a server
 * certificate for the destination (endpoint=server) and a client certificate for the source
 * (endpoint=client), with the file names QEMU looks for. One directory serves both ends because each
 * end reads only its own pair.
 *
 * <p>RSA 2048 with SHA-256: QEMU's sanity check wants digitalSignature and keyEncipherment on leaf
 * certificates, keyCertSign on the CA, and the TLS server/client purpose on each leaf; that key usage
 * is the conventional one for RSA.
 */
public final class MigrationTlsCertificates {
    public static final String CA_CERTIFICATE = "ca-cert.pem";
    public static final String SERVER_CERTIFICATE = "server-cert.pem";
    public static final String SERVER_KEY = "server-key.pem";
    public static final String CLIENT_CERTIFICATE = "client-cert.pem";
    public static final String CLIENT_KEY = "client-key.pem";
    /** The name the server certificate is issued for, next to the IP address 127.0.0.1. */
    public static final String SERVER_HOST_NAME = "localhost";
    public static final Duration MAX_VALIDITY = Duration.ofDays(3650);

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SIGNATURE_ALGORITHM = "SHA256withRSA";
    /** Certificates start a little in the past so that a peer whose clock lags still accepts them. */
    private static final Duration BACKDATE = Duration.ofMinutes(5);

    private MigrationTlsCertificates() {
    }

    /** Creates {@code directory} (mode 0700) if needed and writes a fresh CA, server and client pair into it. */
    public static void write(Path directory, Duration validity) throws HypervisorException {
        if (validity.isNegative() || validity.isZero() || validity.compareTo(MAX_VALIDITY) > 0) {
            throw new IllegalArgumentException("certificate validity " + validity + " outside (0, " + MAX_VALIDITY
                    + "]");
        }
        Path dir = directory.toAbsolutePath().normalize();
        try {
            PrivateDirectories.create(dir);
            Instant notBefore = Instant.now().minus(BACKDATE);
            Instant notAfter = Instant.now().plus(validity);
            KeyPair caKeys = newRsaKeyPair();
            X500Name caName = new X500Name("CN=vtpm-migrate QEMU migration CA");
            X509CertificateHolder ca = sign(caName, caKeys, caName, caKeys, notBefore, notAfter, builder -> {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
                builder.addExtension(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            });
            writePem(dir.resolve(CA_CERTIFICATE), "CERTIFICATE", ca.getEncoded(), false);

            KeyPair serverKeys = newRsaKeyPair();
            X509CertificateHolder server = sign(new X500Name("CN=" + SERVER_HOST_NAME), serverKeys, caName, caKeys,
                    notBefore, notAfter, builder -> {
                        leafExtensions(builder, KeyPurposeId.id_kp_serverAuth);
                        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
                                new GeneralName[] {new GeneralName(GeneralName.dNSName, SERVER_HOST_NAME),
                                    new GeneralName(GeneralName.iPAddress, InetAddress.getLoopbackAddress()
                                            .getHostAddress())}));
                    });
            writePem(dir.resolve(SERVER_CERTIFICATE), "CERTIFICATE", server.getEncoded(), false);
            writePem(dir.resolve(SERVER_KEY), "PRIVATE KEY", serverKeys.getPrivate().getEncoded(), true);

            KeyPair clientKeys = newRsaKeyPair();
            X509CertificateHolder client = sign(new X500Name("CN=vtpm-migrate QEMU migration source"), clientKeys,
                    caName, caKeys, notBefore, notAfter,
                    builder -> leafExtensions(builder, KeyPurposeId.id_kp_clientAuth));
            writePem(dir.resolve(CLIENT_CERTIFICATE), "CERTIFICATE", client.getEncoded(), false);
            writePem(dir.resolve(CLIENT_KEY), "PRIVATE KEY", clientKeys.getPrivate().getEncoded(), true);
        } catch (IOException e) {
            throw new HypervisorException("cannot write QEMU TLS credentials to " + dir + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new HypervisorException("cannot create QEMU TLS credentials: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface Extensions {
        void addTo(X509v3CertificateBuilder builder) throws CertIOException;
    }

    private static void leafExtensions(X509v3CertificateBuilder builder, KeyPurposeId purpose)
            throws CertIOException {
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true,
                new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
    }

    private static X509CertificateHolder sign(X500Name subject, KeyPair subjectKeys, X500Name issuer,
            KeyPair issuerKeys, Instant notBefore, Instant notAfter, Extensions extensions)
            throws GeneralSecurityException, OperatorCreationException, CertIOException {
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                new BigInteger(127, RANDOM).add(BigInteger.ONE), Date.from(notBefore), Date.from(notAfter), subject,
                subjectKeys.getPublic());
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.subjectKeyIdentifier, false,
                utils.createSubjectKeyIdentifier(subjectKeys.getPublic()));
        builder.addExtension(Extension.authorityKeyIdentifier, false,
                utils.createAuthorityKeyIdentifier(issuerKeys.getPublic()));
        extensions.addTo(builder);
        return builder.build(new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(issuerKeys.getPrivate()));
    }

    private static KeyPair newRsaKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048, RANDOM);
        return generator.generateKeyPair();
    }

    /** Writes one PEM block; private keys are created owner-only before any byte is written. */
    private static void writePem(Path file, String type, byte[] der, boolean secret) throws IOException {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        String pem = "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
        Files.deleteIfExists(file);
        if (secret) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.write(file, pem.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }
}
