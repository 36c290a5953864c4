package org.vtpmmigrate.management;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.vtpmmigrate.management.PkiException.Problem;
import org.vtpmmigrate.management.internal.CertificateChecks;
import org.vtpmmigrate.management.internal.Check;
import org.vtpmmigrate.management.internal.CertificateIssuer;
import org.vtpmmigrate.management.internal.NetworkNames;
import org.vtpmmigrate.management.internal.PemFiles;
import org.vtpmmigrate.management.internal.Subjects;

/**
 * The administrator CA: a self-signed ECDSA P-256 certificate (CA, path length 0) whose key issues the
 * certificates of agents ({@link Role#AGENT}: serverAuth + clientAuth, DNS and IP subject alternative
 * names) and of administrators ({@link Role#ADMINISTRATOR}: clientAuth). Every party of the management
 * API trusts this CA and nothing else.
 */
public final class AdministratorCa {
    /** Host ids as the agent configuration accepts them. */
    private static final Pattern HOST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    /** Names of people and CAs: printable, no DN special characters. */
    private static final Pattern PERSON_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}");

    private final X509Certificate certificate;
    private final PrivateKey privateKey;

    private AdministratorCa(X509Certificate certificate, PrivateKey privateKey) {
        this.certificate = certificate;
        this.privateKey = privateKey;
    }

    /** Creates a new CA with a fresh key, named {@code CN=<name>,O=vTPM Migrate}. */
    public static AdministratorCa create(String name, Validity validity) throws PkiException {
        requireName(name, PERSON_NAME, "CA name");
        Objects.requireNonNull(validity, "validity");
        KeyPair keys = CertificateIssuer.newKeyPair();
        X509Certificate certificate = CertificateIssuer.issue(Subjects.authority(name), keys.getPublic(), null,
                keys.getPrivate(), validity, new CertificateIssuer.Profile(true, 0,
                        KeyUsage.keyCertSign | KeyUsage.cRLSign, List.of(), List.of()));
        return new AdministratorCa(certificate, keys.getPrivate());
    }

    /**
     * Loads a CA written by {@link #write}; checks that the certificate is a valid self-signed CA and that
     * the key belongs to it.
     *
     * @param passphrase the key's passphrase, or null if it is not encrypted
     */
    public static AdministratorCa load(Path certificateFile, Path keyFile, char[] passphrase) throws PkiException {
        List<X509Certificate> certificates = PemFiles.readCertificates(certificateFile);
        if (certificates.size() != 1) {
            throw new PkiException(Problem.MALFORMED_PEM, certificateFile, "holds " + certificates.size()
                    + " certificates; a CA certificate file holds exactly one", null);
        }
        X509Certificate certificate = certificates.get(0);
        CertificateChecks.checkAuthority(certificate, Instant.now(), certificateFile);
        PrivateKey key = PemFiles.readPrivateKey(keyFile, passphrase);
        CertificateChecks.checkKeyPair(key, certificate.getPublicKey(), keyFile,
                Subjects.rfc2253(certificate));
        return new AdministratorCa(certificate, key);
    }

    /** The CA certificate: the trust anchor to hand to every agent and console. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** When the CA certificate's validity ends; issued certificates must end by then. */
    public Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }

    /**
     * Writes the CA certificate and key to new files (the key owner-only, PKCS#8, encrypted when
     * {@code passphrase} is given; it should be).
     */
    public void write(Path certificateFile, Path keyFile, char[] passphrase) throws PkiException {
        PemFiles.writeCredentials(certificateFile, List.of(certificate), keyFile, privateKey, passphrase);
    }

    /**
     * Issues an agent certificate {@code CN=<hostId>,OU=agent,O=vTPM Migrate} for a fresh key, with
     * serverAuth and clientAuth, naming the host by every DNS name and IP address given (at least one:
     * clients check the name they connected to against these).
     */
    public IssuedCredentials issueAgent(String hostId, List<String> dnsNames, List<String> ipAddresses,
            Validity validity) throws PkiException {
        requireName(hostId, HOST_ID, "host id");
        List<GeneralName> names = new ArrayList<>();
        for (String dnsName : dnsNames) {
            if (!NetworkNames.isDnsName(dnsName)) {
                throw new PkiException(Problem.INVALID_NAME, "DNS name " + Check.show(dnsName)
                        + " is not a host name of dot-separated labels [A-Za-z0-9-] (no wildcards)");
            }
            names.add(new GeneralName(GeneralName.dNSName, dnsName));
        }
        for (String address : ipAddresses) {
            if (!NetworkNames.isIpLiteral(address)) {
                throw new PkiException(Problem.INVALID_NAME, "IP address " + Check.show(address)
                        + " is not an IPv4 or IPv6 address literal (IPv4 without leading zeros)");
            }
            names.add(new GeneralName(GeneralName.iPAddress, address));
        }
        if (names.isEmpty()) {
            throw new PkiException(Problem.INVALID_NAME, "agent '" + hostId
                    + "' needs at least one DNS name or IP address, or clients cannot verify they reached it");
        }
        return issue(hostId, Role.AGENT, validity, new CertificateIssuer.Profile(false, 0,
                KeyUsage.digitalSignature, List.of(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth),
                names));
    }

    /** Issues an administrator certificate {@code CN=<name>,OU=administrator,O=vTPM Migrate} for a fresh key. */
    public IssuedCredentials issueAdministrator(String name, Validity validity) throws PkiException {
        requireName(name, PERSON_NAME, "administrator name");
        return issue(name, Role.ADMINISTRATOR, validity, new CertificateIssuer.Profile(false, 0,
                KeyUsage.digitalSignature, List.of(KeyPurposeId.id_kp_clientAuth), List.of()));
    }

    private IssuedCredentials issue(String commonName, Role role, Validity validity, CertificateIssuer.Profile profile)
            throws PkiException {
        Validity own = new Validity(certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant());
        if (!own.covers(validity)) {
            throw new PkiException(Problem.INVALID_VALIDITY, "validity " + validity.notBefore() + " .. "
                    + validity.notAfter() + " is not within the CA's " + own.notBefore() + " .. " + own.notAfter());
        }
        KeyPair keys = CertificateIssuer.newKeyPair();
        X509Certificate issued = CertificateIssuer.issue(Subjects.endEntity(commonName, role), keys.getPublic(),
                certificate, privateKey, validity, profile);
        return new IssuedCredentials(issued, certificate, keys.getPrivate(), role);
    }

    private static void requireName(String value, Pattern pattern, String what) throws PkiException {
        if (value == null || !pattern.matcher(value).matches()) {
            throw new PkiException(Problem.INVALID_NAME, what + " " + Check.show(value) + " must match "
                    + pattern.pattern());
        }
    }
}
