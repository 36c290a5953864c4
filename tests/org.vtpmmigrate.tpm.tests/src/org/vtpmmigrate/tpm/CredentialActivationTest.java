package org.vtpmmigrate.tpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.vtpmmigrate.testsupport.SwtpmProcess;
import org.vtpmmigrate.tpm.internal.TssTpmConnection;

/**
 * Enrolment on a real swtpm: EK certificates and public keys, and TPM2_ActivateCredential against
 * credentials made offline by tpm2_makecredential.
 */
class CredentialActivationTest extends SwtpmPerClassTest {

    CredentialActivationTest() {
        super(SwtpmProcess.builder());
    }

    @Test
    void rsaEkCertificateIsForTheEkAndIssuedBySwtpmsLocalCa() throws Exception {
        byte[] der = tpm.readEkCertificate(EkType.RSA_2048).orElseThrow();
        X509Certificate certificate = parseCertificate(der);
        assertArrayEquals(certificate.getEncoded(), der, "NV padding is cut off exactly");
        RSAPublicKey ek = (RSAPublicKey) TpmWire.parsePublic(tpm.readEkPublic(EkType.RSA_2048).tpm2bPublic()).key();
        assertEquals(ek, certificate.getPublicKey());
        X509Certificate issuer = parseCertificate(Files.readAllBytes(swtpm.localCaCertificateFiles().get(1)));
        certificate.verify(issuer.getPublicKey());
    }

    @Test
    void eccP384EkCertificateIsForThePersistentP384Ek() throws Exception {
        X509Certificate certificate = parseCertificate(tpm.readEkCertificate(EkType.ECC_NIST_P384).orElseThrow());
        ECPublicKey ek = (ECPublicKey) TpmWire.parsePublic(tpm.readEkPublic(EkType.ECC_NIST_P384).tpm2bPublic()).key();
        assertEquals(ek.getW(), ((ECPublicKey) certificate.getPublicKey()).getW());
    }

    @Test
    void missingCertificateIsEmptyAndTheP256EkComesFromItsTemplate() throws Exception {
        assertEquals(Optional.empty(), tpm.readEkCertificate(EkType.ECC_NIST_P256));
        TpmWire.PublicArea ek = TpmWire.parsePublic(tpm.readEkPublic(EkType.ECC_NIST_P256).tpm2bPublic());
        assertEquals(256, ((ECPublicKey) ek.key()).getParams().getCurve().getField().getFieldSize());
        assertEquals("837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa",
                HexFormat.of().formatHex(ek.authPolicy()), "EK policy PolicySecret(TPM_RH_ENDORSEMENT)");
        assertEquals(Set.of(), ((TssTpmConnection) tpm).loadedHandles(), "the transient EK was flushed");
    }

    @Test
    void activationWithTheRsaEkRecoversTheSecret() throws Exception {
        try (AttestationKey ak = tpm.createAttestationKey(AkAlgorithm.ECC_NIST_P256)) {
            byte[] secret = randomBytes(32);
            ToolMadeCredential credential = makeCredential(tpm.readEkPublic(EkType.RSA_2048), secret, ak.keyPublic().name());
            assertArrayEquals(secret,
                    tpm.activateCredential(ak, EkType.RSA_2048, credential.credentialBlob(), credential.encryptedSecret()));
            assertEquals(Set.of(ak.handle()), ((TssTpmConnection) tpm).loadedHandles(), "policy session flushed");
        }
    }

    @Test
    void activationWithTheP384EkRecoversTheSecret() throws Exception {
        try (AttestationKey ak = tpm.createAttestationKey(AkAlgorithm.RSA_2048)) {
            byte[] secret = randomBytes(16);
            ToolMadeCredential credential = makeCredential(tpm.readEkPublic(EkType.ECC_NIST_P384), secret,
                    ak.keyPublic().name());
            assertArrayEquals(secret, tpm.activateCredential(ak, EkType.ECC_NIST_P384, credential.credentialBlob(),
                    credential.encryptedSecret()));
        }
    }

    @Test
    void credentialForAnotherKeyNameFailsWithIntegrity() throws Exception {
        try (AttestationKey ak = tpm.createAttestationKey(AkAlgorithm.ECC_NIST_P256)) {
            byte[] otherName = ak.keyPublic().name();
            otherName[otherName.length - 1] ^= 1;
            ToolMadeCredential credential = makeCredential(tpm.readEkPublic(EkType.RSA_2048), randomBytes(32), otherName);
            TpmException failure = assertThrows(TpmException.class, () -> tpm.activateCredential(ak, EkType.RSA_2048,
                    credential.credentialBlob(), credential.encryptedSecret()));
            assertEquals(TpmException.Kind.TPM_ERROR, failure.kind());
            assertEquals("TPM_RC_INTEGRITY", failure.responseCode().orElseThrow().name(), failure.getMessage());
            assertTrue(failure.getMessage().startsWith("ActivateCredential of attestation key"), failure.getMessage());
            assertTrue(failure.getMessage().contains("not made for this attestation key"), failure.getMessage());
            assertEquals(Set.of(ak.handle()), ((TssTpmConnection) tpm).loadedHandles(), "policy session flushed");
        }
    }

    @Test
    void malformedCredentialIsRefusedBeforeSending() throws Exception {
        try (AttestationKey ak = tpm.createAttestationKey(AkAlgorithm.ECC_NIST_P256)) {
            ToolMadeCredential credential = makeCredential(tpm.readEkPublic(EkType.RSA_2048), randomBytes(32),
                    ak.keyPublic().name());
            byte[] truncated = Arrays.copyOf(credential.credentialBlob(), credential.credentialBlob().length - 1);
            IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                    () -> tpm.activateCredential(ak, EkType.RSA_2048, truncated, credential.encryptedSecret()));
            assertTrue(failure.getMessage().contains("credentialBlob"), failure.getMessage());
        }
    }

    @Test
    void withoutPersistentEkTheTemplateGivesTheCertifiedKeyAndActivationWorks() throws Exception {
        try (SwtpmProcess fresh = SwtpmProcess.start()) {
            TpmConnector connector = TpmConnector.of(TpmEndpoint.parse(fresh.endpointSpec()));
            X509Certificate certificate;
            try (TpmConnection before = connector.connect()) {
                certificate = parseCertificate(before.readEkCertificate(EkType.RSA_2048).orElseThrow());
            }
            fresh.runTool("tpm2_evictcontrol", "-C", "o", "-c", "0x81010001").requireSuccess();
            assertTrue(fresh.runTool("tpm2_getcap", "handles-persistent").requireSuccess().stdout()
                    .toLowerCase().indexOf("0x81010001") < 0, "EK evicted");

            try (TpmConnection tpmWithoutEk = connector.connect();
                    AttestationKey ak = tpmWithoutEk.createAttestationKey(AkAlgorithm.ECC_NIST_P256)) {
                TpmKeyPublic ek = tpmWithoutEk.readEkPublic(EkType.RSA_2048);
                assertEquals(certificate.getPublicKey(), TpmWire.parsePublic(ek.tpm2bPublic()).key(),
                        "the L-1 template recreates the certified EK");
                byte[] secret = randomBytes(32);
                ToolMadeCredential credential = makeCredential(ek, secret, ak.keyPublic().name());
                assertArrayEquals(secret, tpmWithoutEk.activateCredential(ak, EkType.RSA_2048,
                        credential.credentialBlob(), credential.encryptedSecret()));
                assertEquals(Set.of(ak.handle()), ((TssTpmConnection) tpmWithoutEk).loadedHandles(),
                        "transient EK and policy session flushed");
            }
        }
    }

    private ToolMadeCredential makeCredential(TpmKeyPublic ek, byte[] secret, byte[] akName) throws Exception {
        return ToolMadeCredential.make(swtpm, ek.tpm2bPublic(), secret, akName);
    }

    private static X509Certificate parseCertificate(byte[] der) throws Exception {
        try (InputStream in = new ByteArrayInputStream(der)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
