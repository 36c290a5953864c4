package org.vtpmmigrate.attest.tpm2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.Vector;

import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x509.Attribute;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectDirectoryAttributes;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.testsupport.SwtpmProcess;
import org.vtpmmigrate.testsupport.TestData;

/**
 * EK certificates that swtpm_setup (--create-ek-cert, a private swtpm-localca) writes into the
 * TPM's NV, read back with tpm2_nvread and validated against that CA, compared with the EK the
 * TPM reports. The TCG profile details (empty subject, critical subjectAltName and subject
 * directory attributes, the EK extended key usage) are exercised with certificates issued here
 * by a test CA for a real EK public key.
 */
class EkCertificateValidatorTest {
    private static final int RSA_EK_CERT_INDEX = 0x01c00002;
    /** swtpm 0.7.1 certifies a NIST P-384 ECC EK (high-range index); 0x01c0000a is the P-256 one. */
    private static final List<Integer> ECC_EK_CERT_INDICES = List.of(0x01c0000a, 0x01c00016);

    /** The swtpm's working directory, where the tools write their files. */
    private static Path work;
    private static SwtpmProcess tpm;
    private static X509Certificate root;
    private static X509Certificate issuer;
    private static EkCertificateValidator validator;

    @BeforeAll
    static void manufactureTpm() throws Exception {
        tpm = SwtpmProcess.start();
        work = tpm.workingDirectory();
        root = pem(tpm.localCaCertificateFiles().get(0));
        issuer = pem(tpm.localCaCertificateFiles().get(1));
        validator = new EkCertificateValidator(List.of(root), List.of(issuer));
    }

    @AfterAll
    static void stopTpm() {
        if (tpm != null) {
            tpm.close();
        }
    }

    private static X509Certificate pem(Path p) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(p)));
    }

    private static byte[] nvRead(int index, String file) throws Exception {
        tpm.runToolThenFlush("tpm2_nvread", "-C", "o", "-o", file, String.format("0x%08x", index)).requireSuccess();
        return Files.readAllBytes(work.resolve(file));
    }

    private static TpmPublic readPublic(String handle, String file) throws Exception {
        tpm.runToolThenFlush("tpm2_readpublic", "-c", handle, "-o", file).requireSuccess();
        return TpmPublic.parseTpm2b(Files.readAllBytes(work.resolve(file)));
    }

    @Test
    void rsaEkCertificateFromNvChainsToTheLocalCaAndCertifiesTheEk() throws Exception {
        X509Certificate cert = EkCertificateValidator.parseCertificate(nvRead(RSA_EK_CERT_INDEX, "ekrsa.nv"));
        TpmPublic ek = readPublic("0x81010001", "ekrsa.pub");
        EkCertificateInfo info = validator.validate(cert, ek);
        assertEquals(List.of(cert, issuer, root), info.path());
        assertEquals(Optional.of("id:00001014"), info.tpmManufacturer());
        assertEquals(Optional.of("swtpm"), info.tpmModel());
        assertEquals(Optional.of("id:20191023"), info.tpmVersion());
        // the EK from the standard template (what tpm2_createek and the tpm bundle derive) is the certified key
        tpm.runToolThenFlush("tpm2_createek", "-c", "ek.ctx", "-G", "rsa", "-u", "ek.created.pub").requireSuccess();
        TpmPublic created = TpmPublic.parseTpm2b(Files.readAllBytes(work.resolve("ek.created.pub")));
        assertEquals(ek, created);
        assertEquals(cert, validator.validate(cert, created).certificate());
    }

    @Test
    void eccEkCertificateFromNvValidates() throws Exception {
        String caps = tpm.runToolThenFlush("tpm2_getcap", "handles-nv-index").requireSuccess().stdout().toLowerCase(java.util.Locale.ROOT);
        int index = ECC_EK_CERT_INDICES.stream().filter(i -> caps.contains(String.format("0x%x", i))).findFirst()
                .orElseThrow(() -> new AssertionError("no ECC EK certificate index in " + caps));
        X509Certificate cert = EkCertificateValidator.parseCertificate(nvRead(index, "ekecc.nv"));
        TpmPublic ek = readPublic("0x81010016", "ekecc.pub");
        assertEquals(TpmPublic.Type.ECC, ek.type());
        EkCertificateInfo info = validator.validate(cert, ek);
        assertEquals(3, info.path().size());
        assertEquals(Optional.of("swtpm"), info.tpmModel());
        EkCertificateException e = assertThrows(EkCertificateException.class,
                () -> validator.validate(cert, readPublic("0x81010001", "ekrsa2.pub")));
        assertEquals(EkCertificateException.Reason.KEY_MISMATCH, e.reason());
        assertTrue(e.getMessage().contains("the EK is RSA"), e.getMessage());
    }

    @Test
    void certificateOfAnotherTpmDoesNotCertifyThisEk() throws Exception {
        X509Certificate cert = EkCertificateValidator.parseCertificate(nvRead(RSA_EK_CERT_INDEX, "ekrsa3.nv"));
        TpmPublic otherEk = TpmPublic.parseTpm2b(TestData.bytes("quotes/swtpm/common/ek.pub"));
        EkCertificateException e = assertThrows(EkCertificateException.class, () -> validator.validate(cert, otherEk));
        assertEquals(EkCertificateException.Reason.KEY_MISMATCH, e.reason());
        assertTrue(e.getMessage().contains("modulus"), e.getMessage());
    }

    /** The corpus CA has the same names as this TPM's private CA but other keys. */
    @Test
    void caWithTheSameNameButAnotherKeyIsRefused() throws Exception {
        X509Certificate cert = EkCertificateValidator.parseCertificate(nvRead(RSA_EK_CERT_INDEX, "ekrsa4.nv"));
        TpmPublic ek = readPublic("0x81010001", "ekrsa4.pub");
        X509Certificate otherRoot = pem(TestData.resolve("quotes/swtpm/common/swtpm-localca-rootca-cert.pem"));
        X509Certificate otherIssuer = pem(TestData.resolve("quotes/swtpm/common/swtpm-localca-issuercert.pem"));
        assertEquals(issuer.getSubjectX500Principal(), otherIssuer.getSubjectX500Principal());
        EkCertificateException e = assertThrows(EkCertificateException.class,
                () -> new EkCertificateValidator(List.of(otherRoot), List.of(otherIssuer)).validate(cert, ek));
        assertEquals(EkCertificateException.Reason.INVALID_PATH, e.reason());
        assertTrue(e.getMessage().contains("CN=unknown"), e.getMessage());
        EkCertificateException noPath = assertThrows(EkCertificateException.class,
                () -> new EkCertificateValidator(List.of(otherRoot), List.of()).validate(cert, ek));
        assertEquals(EkCertificateException.Reason.NO_PATH, noPath.reason());
        assertTrue(noPath.getMessage().contains("no configured CA certificate has subject 'CN=swtpm-localca'"),
                noPath.getMessage());
    }

    @Test
    void validationTimeBeforeIssuanceIsRefused() throws Exception {
        X509Certificate cert = EkCertificateValidator.parseCertificate(nvRead(RSA_EK_CERT_INDEX, "ekrsa5.nv"));
        TpmPublic ek = readPublic("0x81010001", "ekrsa5.pub");
        Instant before = cert.getNotBefore().toInstant().minus(1, ChronoUnit.DAYS);
        EkCertificateException e = assertThrows(EkCertificateException.class, () -> validator.validate(cert, ek, before));
        assertEquals(EkCertificateException.Reason.INVALID_PATH, e.reason());
        assertTrue(e.getMessage().contains("NOT_YET_VALID"), e.getMessage());
    }

    /** The corpus EK certificate (another swtpm, 2026) against the corpus CA, as openssl verified it. */
    @Test
    void corpusEkCertificateValidates() throws Exception {
        X509Certificate cert = EkCertificateValidator.parseCertificate(TestData.bytes("quotes/swtpm/common/ek_rsa_cert.der"));
        assertEquals(cert, EkCertificateValidator.parseCertificate(TestData.bytes("quotes/swtpm/common/ek_rsa_cert.pem")));
        EkCertificateValidator corpusCa = new EkCertificateValidator(
                List.of(pem(TestData.resolve("quotes/swtpm/common/swtpm-localca-rootca-cert.pem"))),
                List.of(pem(TestData.resolve("quotes/swtpm/common/swtpm-localca-issuercert.pem"))));
        EkCertificateInfo info = corpusCa.validate(cert, TpmPublic.parseTpm2b(TestData.bytes("quotes/swtpm/common/ek.pub")));
        assertEquals(Optional.of("id:00001014"), info.tpmManufacturer());
        assertTrue(TestData.text("quotes/swtpm/common/ek_cert_verify.txt").contains("OK"));
    }

    @Test
    void nvPaddingIsAcceptedAndGarbageIsNot() throws Exception {
        byte[] der = TestData.bytes("quotes/swtpm/common/ek_rsa_cert.der");
        byte[] zeros = Arrays.copyOf(der, der.length + 100);
        assertEquals(EkCertificateValidator.parseCertificate(der), EkCertificateValidator.parseCertificate(zeros));
        byte[] ff = Arrays.copyOf(der, der.length + 3);
        Arrays.fill(ff, der.length, ff.length, (byte) 0xFF);
        assertEquals(EkCertificateValidator.parseCertificate(der), EkCertificateValidator.parseCertificate(ff));
        byte[] garbage = Arrays.copyOf(der, der.length + 2);
        garbage[der.length + 1] = 0x42;
        EkCertificateException e = assertThrows(EkCertificateException.class, () -> EkCertificateValidator.parseCertificate(garbage));
        assertEquals(EkCertificateException.Reason.MALFORMED, e.reason());
        assertThrows(EkCertificateException.class, () -> EkCertificateValidator.parseCertificate(Arrays.copyOf(der, 500)));
    }

    // ---- TCG EK profile specifics, with certificates issued here for the corpus EK public key ----

    private static final ASN1ObjectIdentifier TPM_MANUFACTURER = new ASN1ObjectIdentifier("2.23.133.2.1");
    private static final ASN1ObjectIdentifier TPM_MODEL = new ASN1ObjectIdentifier("2.23.133.2.2");
    private static final ASN1ObjectIdentifier TPM_VERSION = new ASN1ObjectIdentifier("2.23.133.2.3");
    private static final ASN1ObjectIdentifier TPM_SPECIFICATION = new ASN1ObjectIdentifier("2.23.133.2.16");

    private record TestCa(KeyPair keys, X509Certificate cert) {
    }

    private static TestCa testCa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair kp = g.generateKeyPair();
        X500Name name = new X500Name("CN=EK test CA");
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, Date.from(Instant.now().minusSeconds(60)),
                Date.from(Instant.now().plus(1, ChronoUnit.DAYS)), name, kp.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign));
        return new TestCa(kp, sign(b, kp));
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer.getPrivate())));
    }

    /** An EK certificate shaped like the TCG profile: empty subject, critical TPM-identity SAN, SDA. */
    private static JcaX509v3CertificateBuilder ekCertificateBuilder(TestCa ca, PublicKey ek) throws Exception {
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name("CN=EK test CA"), BigInteger.TWO,
                Date.from(Instant.now().minusSeconds(60)), Date.from(Instant.now().plus(1, ChronoUnit.DAYS)),
                new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), ek);
        X500Name tpmIdentity = new X500NameBuilder().addRDN(TPM_MANUFACTURER, new DERUTF8String("id:54455354"))
                .addRDN(TPM_MODEL, new DERUTF8String("test-model")).addRDN(TPM_VERSION, new DERUTF8String("id:00010002")).build();
        b.addExtension(Extension.subjectAlternativeName, true, new GeneralNames(new GeneralName(tpmIdentity)));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyEncipherment));
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        ASN1EncodableVector spec = new ASN1EncodableVector();
        spec.add(new DERUTF8String("2.0"));
        spec.add(new ASN1Integer(0));
        spec.add(new ASN1Integer(164));
        Vector<Attribute> attrs = new Vector<>();
        attrs.add(new Attribute(TPM_SPECIFICATION, new DERSet(new DERSequence(spec))));
        // critical here on purpose: some vendors mark it so, and PKIX does not know the extension
        b.addExtension(Extension.subjectDirectoryAttributes, true, new SubjectDirectoryAttributes(attrs));
        return b;
    }

    @Test
    void tcgProfileCertificateWithCriticalSanAndDirectoryAttributesIsAccepted() throws Exception {
        TestCa ca = testCa();
        TpmPublic ek = TpmPublic.parseTpm2b(TestData.bytes("quotes/swtpm/common/ek.pub"));
        JcaX509v3CertificateBuilder b = ekCertificateBuilder(ca, ek.toPublicKey());
        b.addExtension(Extension.extendedKeyUsage, false,
                new ExtendedKeyUsage(KeyPurposeId.getInstance(new ASN1ObjectIdentifier(EkCertificateValidator.TCG_KP_EK_CERTIFICATE))));
        X509Certificate cert = sign(b, ca.keys);
        assertTrue(cert.getSubjectX500Principal().getName().isEmpty());
        assertTrue(cert.getCriticalExtensionOIDs().containsAll(Set.of("2.5.29.17", "2.5.29.9")));

        EkCertificateInfo info = new EkCertificateValidator(List.of(ca.cert), List.of()).validate(cert, ek);
        assertEquals(Optional.of("id:54455354"), info.tpmManufacturer());
        assertEquals(Optional.of("test-model"), info.tpmModel());
        assertEquals(Optional.of("id:00010002"), info.tpmVersion());

        // plain PKIX refuses the same certificate: the TCG handling is what makes it acceptable
        PKIXParameters plain = new PKIXParameters(Set.of(new TrustAnchor(ca.cert, null)));
        plain.setRevocationEnabled(false);
        CertPathValidatorException jdk = assertThrows(CertPathValidatorException.class, () -> CertPathValidator
                .getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(cert)), plain));
        assertEquals(PKIXReason.UNRECOGNIZED_CRIT_EXT, jdk.getReason());
    }

    @Test
    void unknownCriticalExtensionIsStillRefused() throws Exception {
        TestCa ca = testCa();
        TpmPublic ek = TpmPublic.parseTpm2b(TestData.bytes("quotes/swtpm/common/ek.pub"));
        JcaX509v3CertificateBuilder b = ekCertificateBuilder(ca, ek.toPublicKey());
        b.addExtension(new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.1"), true, new ASN1Integer(1));
        X509Certificate cert = sign(b, ca.keys);
        EkCertificateException e = assertThrows(EkCertificateException.class,
                () -> new EkCertificateValidator(List.of(ca.cert), List.of()).validate(cert, ek));
        assertEquals(EkCertificateException.Reason.UNHANDLED_CRITICAL_EXTENSION, e.reason());
    }

    @Test
    void certificateForAnotherPurposeIsNotAnEkCertificate() throws Exception {
        TestCa ca = testCa();
        TpmPublic ek = TpmPublic.parseTpm2b(TestData.bytes("quotes/swtpm/common/ek.pub"));
        JcaX509v3CertificateBuilder b = ekCertificateBuilder(ca, ek.toPublicKey());
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        X509Certificate cert = sign(b, ca.keys);
        EkCertificateException e = assertThrows(EkCertificateException.class,
                () -> new EkCertificateValidator(List.of(ca.cert), List.of()).validate(cert, ek));
        assertEquals(EkCertificateException.Reason.NOT_EK_CERTIFICATE, e.reason());
        assertTrue(e.getMessage().contains(EkCertificateValidator.TCG_KP_EK_CERTIFICATE), e.getMessage());
        EkCertificateException ca2 = assertThrows(EkCertificateException.class,
                () -> new EkCertificateValidator(List.of(ca.cert), List.of()).validate(ca.cert, ek));
        assertEquals(EkCertificateException.Reason.NOT_EK_CERTIFICATE, ca2.reason());
    }
}
