package org.vtpmmigrate.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vtpmmigrate.attest.tpm2.TpmPublic;
import org.vtpmmigrate.audit.internal.RecordContent;
import org.vtpmmigrate.audit.internal.RecordEncoding;
import org.vtpmmigrate.testsupport.SwtpmProcess;

/**
 * Logs signed by restricted attestation keys in a real swtpm (TPM2_Hash or a hash sequence, then
 * TPM2_Sign with the ticket) verify with the AK's public area as tpm2_createak wrote it.
 */
class TpmSignedLogTest {
    @TempDir
    static Path work;
    private static SwtpmProcess tpm;
    private static TpmToolsAk ecdsaAk;
    private static TpmToolsAk rsaAk;

    @BeforeAll
    static void startTpm() throws Exception {
        tpm = SwtpmProcess.start();
        ecdsaAk = TpmToolsAk.create(tpm, work, "ak-ecdsa", "ecc", "ecdsa");
        rsaAk = TpmToolsAk.create(tpm, work, "ak-rsassa", "rsa", "rsassa");
    }

    @AfterAll
    static void stopTpm() {
        if (tpm != null) {
            tpm.close();
        }
    }

    private static List<AuditRecord> writeLog(Path file, TpmToolsAk ak, byte[] ekCertificate) throws Exception {
        Clock clock = new TestLogs.SteppingClock(TestLogs.START, 11);
        try (AuditLogWriter w = AuditLogWriter.open(file, "host-a", ak, ekCertificate, clock)) {
            List<AuditEvent> events = TestLogs.sourceMigration("mig-0001", "host-b", TestLogs.START);
            w.append(events.get(1));
            w.append(events.get(3));
            AuditEvent.Builder big = AuditEvent.builder(EventKind.MIGRATION_ABORTED).migration("mig-0002")
                    .role(Role.SOURCE);
            for (int i = 0; i < 3; i++) {
                big.detail("note" + i, "n".repeat(900));
            }
            AuditRecord bigRecord = w.append(big.build());
            assertTrue(RecordEncoding.signedBytes(RecordContent.of(bigRecord)).length > 1024,
                    "a record larger than TPM2_Hash takes, hashed in a sequence");
            return List.of(bigRecord);
        }
    }

    @Test
    void aLogSignedByAnEcdsaAkVerifiesAndCarriesTheEkCertificate() throws Exception {
        Path file = work.resolve("ecdsa.jsonl");
        byte[] ekCertificate = ecdsaAk.ekCertificate();
        writeLog(file, ecdsaAk, ekCertificate);
        TpmPublic expected = TpmPublic.parseTpm2b(ecdsaAk.akPublicArea());
        VerificationReport report = new AuditLogVerifier().verify(file, expected);
        assertTrue(report.verified(), report::summary);
        assertEquals(4, report.results().size());
        LogHeader header = report.header().orElseThrow();
        assertArrayEquals(ecdsaAk.toolName(), header.akName(), "the AK name matches tpm2-tools'");
        assertArrayEquals(ekCertificate, header.ekCertificate());
        X509Certificate ek = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(header.ekCertificate()));
        assertEquals("RSA", ek.getPublicKey().getAlgorithm(), "the EK certificate from NV, carried intact: " + ek);
    }

    @Test
    void aLogSignedByAnRsaAkVerifiesAndATamperedRecordDoesNot() throws Exception {
        Path file = work.resolve("rsa.jsonl");
        writeLog(file, rsaAk, new byte[0]);
        VerificationReport report = new AuditLogVerifier().verify(file, TpmPublic.parseTpm2b(rsaAk.akPublicArea()));
        assertTrue(report.verified(), report::summary);

        List<String> lines = TestLogs.lines(file);
        lines.set(2, lines.get(2).replace("\"vmStream\":600000000", "\"vmStream\":600000001"));
        TestLogs.writeLines(file, lines);
        VerificationReport tampered = new AuditLogVerifier().verify(file);
        assertFalse(tampered.verified());
        assertEquals("line 3 (sequence 2) BROKEN_CHAIN [bytes]", tampered.firstBroken().orElseThrow().location() + " "
                + tampered.firstBroken().orElseThrow().status() + " [" + tampered.firstBroken().orElseThrow()
                        .mainProblem().orElseThrow().field() + "]");
    }

    @Test
    void anotherTpmKeyIsNotTheExpectedAk() throws Exception {
        Path file = work.resolve("other.jsonl");
        writeLog(file, rsaAk, new byte[0]);
        VerificationReport report = new AuditLogVerifier().verify(file, TpmPublic.parseTpm2b(ecdsaAk.akPublicArea()));
        assertFalse(report.verified());
        assertTrue(report.results().stream().allMatch(r -> r.status() == RecordStatus.BAD_SIGNATURE), report::summary);
    }
}
