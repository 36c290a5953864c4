package org.vtpmmigrate.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writing a log and reading it back: every record verifies and reads back as written. */
class AuditLogRoundTripTest {
    @TempDir
    Path dir;

    private final SoftwareAk ak = SoftwareAk.create();

    @Test
    void everyRecordWrittenVerifiesAndReadsBackEqual() throws Exception {
        Path file = dir.resolve("host-a.jsonl");
        List<AuditRecord> written = TestLogs.write(file, ak);

        VerificationReport report = new AuditLogVerifier().verify(file);

        assertTrue(report.verified(), report::summary);
        assertEquals(written, report.verifiedRecords());
        assertEquals(8, report.results().size());
        assertEquals("host-a", report.hostId().orElseThrow());
        assertFalse(report.akPinned());
        LogHeader header = report.header().orElseThrow();
        assertArrayEquals(ak.publicArea().name(), header.akName());
        assertArrayEquals(ak.akPublicArea(), header.akPublicArea());
        for (int i = 0; i < written.size(); i++) {
            assertEquals(i, written.get(i).sequence());
            byte[] expectedPrev = i == 0 ? new byte[32] : written.get(i - 1).recordHash();
            assertArrayEquals(expectedPrev, written.get(i).previousHash(), "prev of record " + i);
        }
        assertEquals(8, ak.signatures.get(), "one signature per record");
    }

    @Test
    void textSurvivesExactlyIncludingQuotesControlCharactersAndNonAscii() throws Exception {
        Path file = dir.resolve("host-a.jsonl");
        TestLogs.write(file, ak);
        AuditRecord verdict = new AuditLogVerifier().verify(file).verifiedRecords().get(2);
        String message = verdict.event().reasons().get(1).message();
        assertEquals("unexpected event type \"EV_EFI_ACTION\"\tallowed by policy\nsee reviewer notes – ✓ ünïcödé 🚀",
                message);
        String line = TestLogs.lines(file).get(2);
        assertTrue(line.contains("\\\"EV_EFI_ACTION\\\"\\u0009allowed by policy\\u000asee reviewer notes – ✓ ünïcödé 🚀"),
                "control characters are escaped as \\u00xx, other characters written as UTF-8: " + line);
        assertFalse(line.contains(" :") || line.contains(", "), "no whitespace between tokens");
    }

    @Test
    void reopeningContinuesTheChain() throws Exception {
        Path file = dir.resolve("host-a.jsonl");
        List<AuditRecord> first = TestLogs.write(file, ak);
        AuditRecord appended;
        try (AuditLogWriter w = AuditLogWriter.open(file, "host-a", ak, new byte[0],
                new TestLogs.SteppingClock(TestLogs.START.plusSeconds(60), 5))) {
            assertEquals(first.get(first.size() - 1), w.lastRecord());
            appended = w.append(AuditEvent.builder(EventKind.MIGRATION_REQUESTED).migration("mig-0002")
                    .role(Role.SOURCE).build());
        }
        assertEquals(first.size(), appended.sequence());
        assertArrayEquals(first.get(first.size() - 1).recordHash(), appended.previousHash());
        VerificationReport report = new AuditLogVerifier().verify(file, ak.publicArea());
        assertTrue(report.verified(), report::summary);
        assertTrue(report.akPinned());
        assertEquals(first.size() + 1, report.results().size());
    }

    @Test
    void headerCarriesTheEkCertificate() throws Exception {
        Path file = dir.resolve("host-a.jsonl");
        byte[] ekCert = HexFormat.of().parseHex("3082010a0282010100c0ffee");
        try (AuditLogWriter w = AuditLogWriter.open(file, "host-a", ak, ekCert, new TestLogs.SteppingClock(TestLogs.START, 1))) {
            assertEquals(EventKind.LOG_OPENED, w.lastRecord().kind());
        }
        VerificationReport report = new AuditLogVerifier().verify(file);
        assertTrue(report.verified(), report::summary);
        assertArrayEquals(ekCert, report.header().orElseThrow().ekCertificate());
    }

    @Test
    void logKindsAreWrittenOnlyByTheLogItself() throws Exception {
        try (AuditLogWriter w = AuditLogWriter.open(dir.resolve("l"), "host-a", ak, new byte[0],
                new TestLogs.SteppingClock(TestLogs.START, 1))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> w.append(AuditEvent.builder(EventKind.LOG_RECOVERED).build()));
            assertTrue(e.getMessage().contains("LOG_RECOVERED"), e.getMessage());
        }
    }

    @Test
    void aRecordTooLongForOneLineIsRefusedBeforeItIsSigned() throws Exception {
        Path file = dir.resolve("l");
        try (AuditLogWriter w = AuditLogWriter.open(file, "host-a", ak, new byte[0],
                new TestLogs.SteppingClock(TestLogs.START, 1))) {
            int signaturesBefore = ak.signatures.get();
            AuditEvent.Builder big = AuditEvent.builder(EventKind.MIGRATION_ABORTED).migration("m").role(Role.SOURCE);
            for (int i = 0; i < 20; i++) {
                big.detail("d" + i, "x".repeat(1000));
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.append(big.build()));
            assertTrue(e.getMessage().contains("16384"), e.getMessage());
            assertEquals(signaturesBefore, ak.signatures.get(), "nothing was signed");
        }
        assertEquals(1, TestLogs.lines(file).size(), "only the header is in the file");
    }

    @Test
    void aSignatureThatDoesNotVerifyIsNeverWritten() throws Exception {
        Path file = dir.resolve("l");
        SoftwareAk other = SoftwareAk.create();
        RecordSigner wrongKey = new RecordSigner() {
            private int calls;

            @Override
            public byte[] akPublicArea() {
                return ak.akPublicArea();
            }

            @Override
            public byte[] sign(byte[] recordBytes) throws GeneralSecurityException {
                // the header is signed correctly, later records by a key that is not the AK
                return calls++ == 0 ? ak.sign(recordBytes) : other.sign(recordBytes);
            }
        };
        try (AuditLogWriter w = AuditLogWriter.open(file, "host-a", wrongKey, new byte[0],
                new TestLogs.SteppingClock(TestLogs.START, 1))) {
            byte[] before = Files.readAllBytes(file);
            AuditLogException e = assertThrows(AuditLogException.class, () -> w.append(
                    AuditEvent.builder(EventKind.MIGRATION_REQUESTED).migration("m").role(Role.SOURCE).build()));
            assertTrue(e.getMessage().contains("does not verify") && e.getMessage().contains("AK name"), e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(file));
        }
    }

    @Test
    void aSignerFailureIsReportedAndNothingIsWritten() throws Exception {
        Path file = dir.resolve("l");
        RecordSigner failing = new RecordSigner() {
            @Override
            public byte[] akPublicArea() {
                return ak.akPublicArea();
            }

            @Override
            public byte[] sign(byte[] recordBytes) throws GeneralSecurityException {
                throw new GeneralSecurityException("TPM2_Sign: TPM_RC_LOCKOUT");
            }
        };
        AuditLogException e = assertThrows(AuditLogException.class,
                () -> AuditLogWriter.open(file, "host-a", failing, new byte[0], new TestLogs.SteppingClock(TestLogs.START, 1)));
        assertTrue(e.getMessage().contains("signing record 0 failed: TPM2_Sign: TPM_RC_LOCKOUT"), e.getMessage());
        assertEquals(0, Files.size(file));
    }

    @Test
    void aKeyThatIsNotAnAttestationKeyCannotSignALog() {
        SoftwareAk unrestricted = SoftwareAk.withAttributes(SoftwareAk.UNRESTRICTED_SIGNING_ATTRIBUTES);
        AuditLogException e = assertThrows(AuditLogException.class, () -> AuditLogWriter.open(dir.resolve("l"),
                "host-a", unrestricted, new byte[0], new TestLogs.SteppingClock(TestLogs.START, 1)));
        assertTrue(e.getMessage().contains("restricted"), e.getMessage());
        IllegalArgumentException v = assertThrows(IllegalArgumentException.class,
                () -> new AuditLogVerifier().verify(dir.resolve("l"), unrestricted.publicArea()));
        assertTrue(v.getMessage().contains("restricted"), v.getMessage());
    }

    @Test
    void aLogIsContinuedOnlyByItsHostAndOneWriterAtATime() throws Exception {
        Path file = dir.resolve("l");
        TestLogs.write(file, ak);
        AuditLogException otherHost = assertThrows(AuditLogException.class, () -> AuditLogWriter.open(file, "host-b",
                ak, new byte[0], new TestLogs.SteppingClock(TestLogs.START, 1)));
        assertTrue(otherHost.getMessage().contains("belongs to host 'host-a', not 'host-b'"), otherHost.getMessage());
        try (AuditLogWriter w = AuditLogWriter.open(file, "host-a", ak, new byte[0],
                new TestLogs.SteppingClock(TestLogs.START, 1))) {
            AuditLogException second = assertThrows(AuditLogException.class, () -> AuditLogWriter.open(file, "host-a",
                    ak, new byte[0], new TestLogs.SteppingClock(TestLogs.START, 1)));
            assertTrue(second.getMessage().contains("already open for writing"), second.getMessage());
            assertEquals(7, w.lastRecord().sequence());
        }
    }

    @Test
    void aNewKeyCannotContinueAnOldLog() throws Exception {
        Path file = dir.resolve("l");
        TestLogs.write(file, ak);
        SoftwareAk newAk = SoftwareAk.create();
        UnverifiedLogException e = assertThrows(UnverifiedLogException.class, () -> AuditLogWriter.open(file, "host-a",
                newAk, new byte[0], new TestLogs.SteppingClock(TestLogs.START, 1)));
        RecordResult header = e.report().results().get(0);
        assertEquals(RecordStatus.BAD_SIGNATURE, header.status());
        assertTrue(header.mainProblem().orElseThrow().message().contains("expected AK"), header.problems().toString());
    }

    @Test
    void eventsOutsideTheLogsBoundsAreRefusedNamingTheField() {
        IllegalArgumentException noMigration = assertThrows(IllegalArgumentException.class,
                () -> AuditEvent.builder(EventKind.KEY_ESTABLISHED).role(Role.SOURCE).build());
        assertTrue(noMigration.getMessage().startsWith("migration:"), noMigration.getMessage());
        IllegalArgumentException verdictMissing = assertThrows(IllegalArgumentException.class,
                () -> AuditEvent.builder(EventKind.ATTESTATION_VERDICT).migration("m").role(Role.SOURCE).build());
        assertTrue(verdictMissing.getMessage().startsWith("verdict:"), verdictMissing.getMessage());
        IllegalArgumentException spaceInId = assertThrows(IllegalArgumentException.class,
                () -> AuditEvent.builder(EventKind.KEY_ESTABLISHED).migration("m 1"));
        assertTrue(spaceInId.getMessage().startsWith("migration:"), spaceInId.getMessage());
        IllegalArgumentException badKey = assertThrows(IllegalArgumentException.class,
                () -> AuditEvent.builder(EventKind.KEY_ESTABLISHED).detail("Upper", "v"));
        assertTrue(badKey.getMessage().startsWith("details:"), badKey.getMessage());
        IllegalArgumentException lone = assertThrows(IllegalArgumentException.class,
                () -> new Reason(Severity.ERROR, "pcr", "", "", "", "broken \ud800 surrogate"));
        assertTrue(lone.getMessage().startsWith("reasons.message:"), lone.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> new PreCopyRound(1, -5, 10));
        assertTrue(negative.getMessage().contains("bytes"), negative.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new PhaseTiming(MigrationPhase.TRANSFER, TestLogs.START.plusNanos(1), 5));
        IllegalArgumentException farFuture = assertThrows(IllegalArgumentException.class,
                () -> new PhaseTiming(MigrationPhase.TRANSFER, java.time.Instant.MAX, 5));
        assertTrue(farFuture.getMessage().startsWith("phases.TRANSFER.start:"), farFuture.getMessage());
    }

    @Test
    void theFileIsUtf8JsonLinesEndingInANewline() throws Exception {
        Path file = dir.resolve("l");
        TestLogs.write(file, ak);
        byte[] bytes = Files.readAllBytes(file);
        assertEquals('\n', bytes[bytes.length - 1]);
        String text = new String(bytes, StandardCharsets.UTF_8);
        for (String line : TestLogs.lines(file)) {
            assertTrue(line.startsWith("{\"seq\":") && line.endsWith("\"}"), line);
            assertTrue(line.getBytes(StandardCharsets.UTF_8).length < AuditRecord.MAX_LINE_BYTES);
        }
        assertTrue(text.startsWith("{\"seq\":0,\"time\":\"2025-11-27T09:00:00.000Z\",\"host\":\"host-a\",\"kind\":\"LOG_OPENED\","
                + "\"akPublic\":\"" + HexFormat.of().formatHex(ak.akPublicArea()) + "\""), text);
    }
}
