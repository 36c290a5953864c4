package org.vtpmmigrate.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.vtpmmigrate.management.PkiException.Problem;
import org.vtpmmigrate.management.internal.CertificateIssuer;
import org.vtpmmigrate.management.internal.PemFiles;
import org.vtpmmigrate.management.internal.Subjects;

/** The administrator CA: what it issues, how it is stored, and what loading refuses and why. */
class AdministratorCaTest {
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final char[] PASSPHRASE = "correct horse battery staple".toCharArray();

    private final Instant now = Instant.now();
    private final AdministratorCa ca = create("Lab Admin CA");

    @TempDir
    Path dir;

    private AdministratorCa create(String name) {
        try {
            return AdministratorCa.create(name,
                    new Validity(now.minus(Duration.ofDays(30)), now.plus(Duration.ofDays(3650))));
        } catch (PkiException e) {
            throw new AssertionError(e);
        }
    }

    private static Validity week() {
        return Validity.fromNow(Duration.ofDays(7));
    }

    private IssuedCredentials agent() throws PkiException {
        return ca.issueAgent("agent-a", List.of("agent-a.lab.example", "localhost"), List.of("127.0.0.1", "::1"),
                week());
    }

    private static PkiException refused(Problem problem, Executable action) {
        PkiException e = assertThrows(PkiException.class, action);
        assertEquals(problem, e.problem(), e::getMessage);
        return e;
    }

    /** Validates a chain as any PKIX relying party would, with the CA as the only anchor. */
    private static void validatePkix(X509Certificate leaf, X509Certificate anchor) throws Exception {
        CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf));
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
        parameters.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(path, parameters);
    }

    // --- what is issued ---------------------------------------------------------------------------

    @Test
    void theCaIsASelfSignedP256CaWithPathLengthZero() throws Exception {
        X509Certificate certificate = ca.certificate();
        assertEquals("CN=Lab Admin CA,O=vTPM Migrate", Subjects.rfc2253(certificate));
        assertEquals(certificate.getSubjectX500Principal(), certificate.getIssuerX500Principal());
        certificate.verify(certificate.getPublicKey());
        assertEquals(0, certificate.getBasicConstraints(), "CA with path length 0");
        boolean[] keyUsage = certificate.getKeyUsage();
        assertTrue(keyUsage[5] && keyUsage[6], "keyCertSign and cRLSign");
        assertFalse(keyUsage[0], "the CA key does not sign TLS handshakes");
        assertTrue(certificate.getCriticalExtensionOIDs().containsAll(Set.of("2.5.29.19", "2.5.29.15")));
        assertEquals("SHA256withECDSA", certificate.getSigAlgName());
        assertEquals(256, ((ECPublicKey) certificate.getPublicKey()).getParams().getCurve().getField().getFieldSize());
        assertEquals(now.minus(Duration.ofDays(30)).getEpochSecond(), certificate.getNotBefore().toInstant().getEpochSecond());
    }

    @Test
    void anAgentCertificateServesAndCallsAndNamesItsHost() throws Exception {
        IssuedCredentials agent = agent();
        X509Certificate certificate = agent.certificate();
        assertEquals(Role.AGENT, agent.role());
        assertEquals("CN=agent-a,OU=agent,O=vTPM Migrate", Subjects.rfc2253(certificate));
        assertEquals(List.of(SERVER_AUTH, CLIENT_AUTH), certificate.getExtendedKeyUsage());
        assertEquals(-1, certificate.getBasicConstraints(), "not a CA");
        boolean[] keyUsage = certificate.getKeyUsage();
        assertTrue(keyUsage[0], "digitalSignature");
        for (int i = 1; i < keyUsage.length; i++) {
            assertFalse(keyUsage[i], "only digitalSignature, not bit " + i);
        }
        Collection<List<?>> names = certificate.getSubjectAlternativeNames();
        List<String> rendered = new ArrayList<>();
        for (List<?> name : names) {
            rendered.add(name.get(0) + ":" + name.get(1));
        }
        assertEquals(List.of("2:agent-a.lab.example", "2:localhost", "7:127.0.0.1", "7:0:0:0:0:0:0:0:1"), rendered);
        validatePkix(certificate, ca.certificate());
    }

    @Test
    void anAdministratorCertificateOnlyCalls() throws Exception {
        IssuedCredentials alice = ca.issueAdministrator("alice", week());
        assertEquals(Role.ADMINISTRATOR, alice.role());
        assertEquals("CN=alice,OU=administrator,O=vTPM Migrate", Subjects.rfc2253(alice.certificate()));
        assertEquals(List.of(CLIENT_AUTH), alice.certificate().getExtendedKeyUsage());
        assertNull(alice.certificate().getSubjectAlternativeNames());
        validatePkix(alice.certificate(), ca.certificate());
    }

    @Test
    void everyCertificateHasItsOwnKeyAndSerial() throws Exception {
        IssuedCredentials first = agent();
        IssuedCredentials second = agent();
        IssuedCredentials admin = ca.issueAdministrator("alice", week());
        List<X509Certificate> all = List.of(ca.certificate(), first.certificate(), second.certificate(), admin.certificate());
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                assertNotEquals(all.get(i).getPublicKey(), all.get(j).getPublicKey(), i + " vs " + j);
                assertNotEquals(all.get(i).getSerialNumber(), all.get(j).getSerialNumber(), i + " vs " + j);
            }
        }
        assertTrue(first.certificate().getSerialNumber().bitLength() >= 64, "unpredictable serials");
    }

    @Test
    void aCertificateOfAnotherCaDoesNotValidateAgainstThisOne() throws Exception {
        AdministratorCa impostor = create("Lab Admin CA");
        X509Certificate foreign = impostor.issueAdministrator("mallory", week()).certificate();
        assertThrows(CertPathValidatorException.class, () -> validatePkix(foreign, ca.certificate()));
    }

    @Test
    void namesThatCannotGoIntoACertificateAreRefused() {
        refused(Problem.INVALID_NAME, () -> ca.issueAgent("agent a", List.of(), List.of("10.0.0.1"), week()));
        refused(Problem.INVALID_NAME, () -> ca.issueAgent("agent-a", List.of("*.lab.example"), List.of(), week()));
        refused(Problem.INVALID_NAME, () -> ca.issueAgent("agent-a", List.of("bad_label.example"), List.of(), week()));
        refused(Problem.INVALID_NAME, () -> ca.issueAgent("agent-a", List.of(), List.of("10.0.0"), week()));
        refused(Problem.INVALID_NAME, () -> ca.issueAgent("agent-a", List.of(), List.of("010.0.0.1"), week()));
        refused(Problem.INVALID_NAME, () -> ca.issueAdministrator("alice,OU=agent", week()));
        PkiException noName = refused(Problem.INVALID_NAME, () -> ca.issueAgent("agent-a", List.of(), List.of(), week()));
        assertTrue(noName.getMessage().contains("at least one DNS name or IP address"), noName::getMessage);
    }

    @Test
    void aValidityBeyondTheCasIsRefused() {
        PkiException e = refused(Problem.INVALID_VALIDITY, () -> ca.issueAdministrator("alice",
                Validity.fromNow(Duration.ofDays(20 * 365))));
        assertTrue(e.getMessage().contains("not within the CA's"), e::getMessage);
    }

    // --- files ---------------------------------------------------------------------------------------

    @Test
    void credentialsRoundTripThroughEncryptedPemFiles() throws Exception {
        IssuedCredentials agent = agent();
        Path certificateFile = dir.resolve("agent-a.crt.pem");
        Path keyFile = dir.resolve("agent-a.key.pem");
        Path caFile = dir.resolve("ca.crt.pem");
        ca.write(caFile, dir.resolve("ca.key.pem"), PASSPHRASE);
        agent.write(certificateFile, keyFile, PASSPHRASE);

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(certificateFile)));
        String keyText = Files.readString(keyFile, StandardCharsets.US_ASCII);
        assertTrue(keyText.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"), keyText);
        String certificateText = Files.readString(certificateFile, StandardCharsets.US_ASCII);
        assertEquals(2, certificateText.split("-----BEGIN CERTIFICATE-----", -1).length - 1, "certificate and CA");

        TlsCredentials loaded = TlsCredentials.load(certificateFile, keyFile, PASSPHRASE, caFile);
        assertEquals(agent.certificate(), loaded.certificate());
        assertEquals(ca.certificate(), loaded.caCertificate());
        assertEquals(Role.AGENT, loaded.role());
        assertEquals("CN=agent-a,OU=agent,O=vTPM Migrate", loaded.subject());
        assertEquals("TLSv1.3", loaded.sslContext().getProtocol());
    }

    @Test
    void opensslReadsTheEncryptedKeyAndVerifiesTheChain() throws Exception {
        IssuedCredentials agent = agent();
        Path certificateFile = dir.resolve("agent.crt.pem");
        Path keyFile = dir.resolve("agent.key.pem");
        Path caFile = dir.resolve("ca.crt.pem");
        ca.write(caFile, dir.resolve("ca.key.pem"), null);
        agent.write(certificateFile, keyFile, PASSPHRASE);

        String verify = run("openssl", "verify", "-CAfile", caFile.toString(), "-purpose", "sslserver",
                certificateFile.toString());
        assertEquals(certificateFile + ": OK", verify.trim());
        String publicFromKey = run("openssl", "pkey", "-in", keyFile.toString(), "-passin",
                "pass:" + new String(PASSPHRASE), "-pubout");
        String publicFromCertificate = run("openssl", "x509", "-in", certificateFile.toString(), "-noout", "-pubkey");
        assertEquals(publicFromCertificate, publicFromKey, "the decrypted key is the certificate's key");
    }

    private String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "openssl did not finish");
            assertEquals(0, process.exitValue(), () -> String.join(" ", command) + " failed: " + output);
            return output;
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void anUnencryptedKeyIsPlainPkcs8() throws Exception {
        IssuedCredentials alice = ca.issueAdministrator("alice", week());
        Path keyFile = dir.resolve("alice.key.pem");
        alice.write(dir.resolve("alice.crt.pem"), keyFile, null);
        assertTrue(Files.readString(keyFile).startsWith("-----BEGIN PRIVATE KEY-----"));
        Path caFile = dir.resolve("ca.crt.pem");
        ca.write(caFile, dir.resolve("ca.key.pem"), null);
        assertEquals(Role.ADMINISTRATOR, TlsCredentials.load(dir.resolve("alice.crt.pem"), keyFile, null, caFile).role());
    }

    @Test
    void theCaItselfRoundTripsAndKeepsIssuing() throws Exception {
        Path certificateFile = dir.resolve("ca.crt.pem");
        Path keyFile = dir.resolve("ca.key.pem");
        ca.write(certificateFile, keyFile, PASSPHRASE);
        AdministratorCa loaded = AdministratorCa.load(certificateFile, keyFile, PASSPHRASE);
        assertEquals(ca.certificate(), loaded.certificate());
        X509Certificate issued = loaded.issueAdministrator("bob", week()).certificate();
        validatePkix(issued, ca.certificate());
    }

    @Test
    void aWrongOrMissingPassphraseIsNamed() throws Exception {
        Path keyFile = dir.resolve("ca.key.pem");
        ca.write(dir.resolve("ca.crt.pem"), keyFile, PASSPHRASE);
        refused(Problem.WRONG_PASSPHRASE, () -> AdministratorCa.load(dir.resolve("ca.crt.pem"), keyFile,
                "wrong".toCharArray()));
        PkiException missing = refused(Problem.PASSPHRASE_REQUIRED, () -> AdministratorCa.load(dir.resolve("ca.crt.pem"),
                keyFile, null));
        assertEquals(keyFile, missing.file().orElseThrow());
    }

    @Test
    void aKeyFileOthersCanReadIsRefused() throws Exception {
        IssuedCredentials alice = ca.issueAdministrator("alice", week());
        Path keyFile = dir.resolve("alice.key.pem");
        Path caFile = dir.resolve("ca.crt.pem");
        ca.write(caFile, dir.resolve("ca.key.pem"), null);
        alice.write(dir.resolve("alice.crt.pem"), keyFile, null);
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
        PkiException e = refused(Problem.INSECURE_KEY_FILE,
                () -> TlsCredentials.load(dir.resolve("alice.crt.pem"), keyFile, null, caFile));
        assertTrue(e.getMessage().contains("rw-r--r--") && e.getMessage().contains("chmod 600"), e::getMessage);
    }

    @Test
    void existingFilesAreNeverOverwritten() throws Exception {
        Path certificateFile = dir.resolve("ca.crt.pem");
        Path keyFile = dir.resolve("ca.key.pem");
        Files.writeString(keyFile, "precious");
        refused(Problem.FILE_EXISTS, () -> ca.write(certificateFile, keyFile, null));
        assertEquals("precious", Files.readString(keyFile));
        assertFalse(Files.exists(certificateFile), "nothing half-written");

        Files.delete(keyFile);
        ca.write(certificateFile, keyFile, null);
        refused(Problem.FILE_EXISTS, () -> create("Other CA").write(certificateFile, dir.resolve("other.key.pem"), null));
        assertEquals(ca.certificate(), AdministratorCa.load(certificateFile, keyFile, null).certificate());
    }

    // --- what loading refuses --------------------------------------------------------------------

    /** Writes credentials and the CA, then loads them with this CA as the trust anchor. */
    private TlsCredentials writeAndLoad(X509Certificate certificate, PrivateKey key) throws PkiException {
        Path certificateFile = dir.resolve("party.crt.pem");
        Path keyFile = dir.resolve("party.key.pem");
        Path caFile = dir.resolve("ca.crt.pem");
        if (!Files.exists(caFile)) {
            ca.write(caFile, dir.resolve("ca.key.pem"), null);
        }
        PemFiles.writeCertificates(certificateFile, List.of(certificate));
        PemFiles.writePrivateKey(keyFile, key, null);
        return TlsCredentials.load(certificateFile, keyFile, null, caFile);
    }

    @Test
    void aCertificateOfAnotherCaIsRefusedNamingBoth() {
        AdministratorCa other = create("Other CA");
        PkiException e = refused(Problem.WRONG_CA, () -> {
            IssuedCredentials foreign = other.issueAdministrator("mallory", week());
            writeAndLoad(foreign.certificate(), foreign.privateKey());
        });
        assertTrue(e.getMessage().contains("'CN=mallory,OU=administrator,O=vTPM Migrate' was issued by 'CN=Other CA"),
                e::getMessage);
        assertTrue(e.getMessage().contains("not by the administrator CA 'CN=Lab Admin CA"), e::getMessage);
    }

    @Test
    void aCertificateOfAnImpostorCaWithTheSameNameIsRefused() {
        AdministratorCa impostor = create("Lab Admin CA");
        PkiException e = refused(Problem.WRONG_CA, () -> {
            IssuedCredentials forged = impostor.issueAdministrator("alice", week());
            writeAndLoad(forged.certificate(), forged.privateKey());
        });
        assertTrue(e.getMessage().contains("signature does not verify"), e::getMessage);
    }

    @Test
    void anExpiredCertificateIsRefusedWithItsDate() throws Exception {
        Validity past = new Validity(now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1)));
        IssuedCredentials expired = ca.issueAdministrator("retired", past);
        PkiException e = refused(Problem.EXPIRED, () -> expired.toTlsCredentials());
        assertTrue(e.getMessage().contains("expired at " + past.notAfter()), e::getMessage);
    }

    @Test
    void aCertificateNotYetValidIsRefused() throws Exception {
        IssuedCredentials early = ca.issueAdministrator("early", new Validity(now.plus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(5))));
        PkiException e = refused(Problem.NOT_YET_VALID, early::toTlsCredentials);
        assertTrue(e.getMessage().contains("is the clock right?"), e::getMessage);
    }

    /** A certificate from this CA's key with a profile the CA itself would never issue. */
    private X509Certificate issueOdd(KeyPair keys, Role role, int keyUsage,
            List<KeyPurposeId> purposes) throws Exception {
        Path caKey = dir.resolve("signing-ca.key.pem");
        ca.write(dir.resolve("signing-ca.crt.pem"), caKey, null);
        PrivateKey caPrivate = PemFiles.readPrivateKey(caKey, null);
        return CertificateIssuer.issue(Subjects.endEntity("odd", role), keys.getPublic(), ca.certificate(), caPrivate,
                week(), new CertificateIssuer.Profile(false, 0, keyUsage, purposes,
                        List.of(new GeneralName(GeneralName.iPAddress, "127.0.0.1"))));
    }

    @Test
    void aMissingKeyUsageIsNamed() throws Exception {
        KeyPair keys = CertificateIssuer.newKeyPair();
        X509Certificate noKeyUsage = issueOdd(keys, Role.ADMINISTRATOR, 0, List.of(KeyPurposeId.id_kp_clientAuth));
        PkiException e = refused(Problem.MISSING_KEY_USAGE, () -> writeAndLoad(noKeyUsage, keys.getPrivate()));
        assertTrue(e.getMessage().contains("digitalSignature"), e::getMessage);
    }

    @Test
    void aMissingClientAuthUsageIsNamed() throws Exception {
        KeyPair keys = CertificateIssuer.newKeyPair();
        X509Certificate serverOnly = issueOdd(keys, Role.ADMINISTRATOR, KeyUsage.digitalSignature,
                List.of(KeyPurposeId.id_kp_serverAuth));
        PkiException e = refused(Problem.MISSING_KEY_USAGE, () -> writeAndLoad(serverOnly, keys.getPrivate()));
        assertTrue(e.getMessage().contains("lacks the clientAuth extended key usage"), e::getMessage);
    }

    @Test
    void anAgentWithoutServerAuthIsRefused() throws Exception {
        KeyPair keys = CertificateIssuer.newKeyPair();
        X509Certificate clientOnlyAgent = issueOdd(keys, Role.AGENT, KeyUsage.digitalSignature,
                List.of(KeyPurposeId.id_kp_clientAuth));
        PkiException e = refused(Problem.MISSING_KEY_USAGE, () -> writeAndLoad(clientOnlyAgent, keys.getPrivate()));
        assertTrue(e.getMessage().contains("lacks the serverAuth extended key usage"), e::getMessage);
    }

    @Test
    void aKeyOfAnotherCertificateIsRefused() throws Exception {
        IssuedCredentials alice = ca.issueAdministrator("alice", week());
        IssuedCredentials bob = ca.issueAdministrator("bob", week());
        PkiException e = refused(Problem.KEY_MISMATCH, () -> writeAndLoad(alice.certificate(), bob.privateKey()));
        assertTrue(e.getMessage().contains("does not belong to the certificate 'CN=alice"), e::getMessage);
    }

    @Test
    void aTrustAnchorThatIsNoCaIsRefused() throws Exception {
        IssuedCredentials alice = ca.issueAdministrator("alice", week());
        Path notCa = dir.resolve("not-ca.crt.pem");
        PemFiles.writeCertificates(notCa, List.of(agent().certificate()));
        alice.write(dir.resolve("alice.crt.pem"), dir.resolve("alice.key.pem"), null);
        PkiException e = refused(Problem.NOT_A_CA, () -> TlsCredentials.load(dir.resolve("alice.crt.pem"),
                dir.resolve("alice.key.pem"), null, notCa));
        assertEquals(notCa, e.file().orElseThrow());
    }

    @Test
    void filesThatAreNotWhatTheySeemAreRefused() throws Exception {
        Path garbage = dir.resolve("garbage.pem");
        Files.writeString(garbage, "not a pem file\n");
        refused(Problem.MALFORMED_PEM, () -> AdministratorCa.load(garbage, garbage, null));

        Path keyAsCertificate = dir.resolve("key.pem");
        ca.issueAdministrator("alice", week()).write(dir.resolve("alice.crt.pem"), keyAsCertificate, null);
        PkiException swapped = refused(Problem.MALFORMED_PEM, () -> AdministratorCa.load(keyAsCertificate,
                keyAsCertificate, null));
        assertTrue(swapped.getMessage().contains("expected a CERTIFICATE"), swapped::getMessage);

        Path binary = dir.resolve("binary.der");
        Files.write(binary, ca.certificate().getEncoded());
        PkiException der = refused(Problem.MALFORMED_PEM, () -> AdministratorCa.load(binary, binary, null));
        assertTrue(der.getMessage().contains("non-ASCII byte at offset 1"), der::getMessage);

        refused(Problem.FILE_UNREADABLE, () -> AdministratorCa.load(dir.resolve("missing.pem"), garbage, null));
        Path huge = dir.resolve("huge.pem");
        Files.write(huge, new byte[300 * 1024]);
        refused(Problem.FILE_UNREADABLE, () -> AdministratorCa.load(huge, garbage, null));
    }

    @Test
    void validityPeriodsAreCheckedAndTruncatedToSeconds() {
        Instant start = Instant.parse("2025-01-01T00:00:00.750Z");
        Validity validity = new Validity(start, start.plusSeconds(60));
        assertEquals(Instant.parse("2025-01-01T00:00:00Z"), validity.notBefore());
        assertThrows(IllegalArgumentException.class, () -> new Validity(start, start));
        assertThrows(IllegalArgumentException.class, () -> Validity.fromNow(Duration.ZERO));
        assertTrue(Validity.fromNow(Duration.ofDays(1)).contains(Instant.now()));
        assertTrue(validity.contains(start.plusSeconds(30)));
        assertFalse(validity.contains(start.plusSeconds(61)));
    }
}
