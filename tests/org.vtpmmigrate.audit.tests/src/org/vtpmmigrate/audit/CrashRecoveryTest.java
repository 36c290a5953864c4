package org.vtpmmigrate.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SortedMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vtpmmigrate.attest.HashAlgorithm;

/**
 * A write interrupted at any byte leaves an incomplete last line. The writer reports it and
 * refuses to continue; recovery saves the bytes aside, cuts them off and records that in the
 * chain. Nothing is dropped silently and nothing broken is "fixed".
 */
class CrashRecoveryTest {
    @TempDir
    Path dir;

    private final SoftwareAk ak = SoftwareAk.create();

    /** The log as it was, and the line the interrupted write was producing. */
    private record Crashed(byte[] intact, byte[] nextLine) {
    }

    private Crashed crashedLog(Path file) throws Exception {
        TestLogs.write(file, ak);
        byte[] full = Files.readAllBytes(file);
        List<String> lines = TestLogs.lines(file);
        int lastLength = lines.get(lines.size() - 1).getBytes(StandardCharsets.UTF_8).length + 1;
        return new Crashed(Arrays.copyOf(full, full.length - lastLength),
                Arrays.copyOfRange(full, full.length - lastLength, full.length));
    }

    /**
     * Cuts across the whole line: the first and last 16 bytes (a line complete but for its newline
     * among them) and every 29th byte between. Each case syncs files, which is what takes time.
     */
    @Test
    void anInterruptionAnywhereInALineIsReportedAndRecovered() throws Exception {
        Path file = dir.resolve("host-a.jsonl");
        Crashed crashed = crashedLog(file);
        int length = crashed.nextLine.length;
        java.util.SortedSet<Integer> cuts = new java.util.TreeSet<>();
        for (int i = 1; i <= 16; i++) {
            cuts.add(i);
            cuts.add(length - i);
        }
        for (int i = 17; i < length - 16; i += 29) {
            cuts.add(i);
        }
        for (int cut : cuts) {
            byte[] torn = Arrays.copyOf(crashed.nextLine, cut);
            byte[] onDisk = concat(crashed.intact, torn);
            Files.write(file, onDisk);
            Files.deleteIfExists(dir.resolve("host-a.jsonl.torn-" + crashed.intact.length));

            TornRecordException e = assertThrows(TornRecordException.class, () -> AuditLogWriter.open(file, "host-a", ak,
                    new byte[0], new TestLogs.SteppingClock(TestLogs.START.plusSeconds(99), 1)), "cut at " + cut);
            assertEquals(crashed.intact.length, e.offset());
            assertEquals(cut, e.length());
            assertEquals(8, e.line());
            assertArrayEquals(onDisk, Files.readAllBytes(file), "a refused open leaves the file as it was");

            try (AuditLogWriter w = AuditLogWriter.openRecovering(file, "host-a", ak, new byte[0],
                    new TestLogs.SteppingClock(TestLogs.START.plusSeconds(99), 1))) {
                AuditRecord recovery = w.recoveryRecord().orElseThrow();
                assertEquals(7, recovery.sequence(), "the recovery record takes the place of the torn one");
                SortedMap<String, String> d = recovery.event().details();
                assertEquals(Long.toString(crashed.intact.length), d.get("torn.offset"));
                assertEquals(Integer.toString(cut), d.get("torn.length"));
                assertEquals("8", d.get("torn.line"));
                assertEquals(HexFormat.of().formatHex(HashAlgorithm.SHA256.digest(torn)), d.get("torn.sha256"));
                Path saved = dir.resolve(d.get("torn.saved-as"));
                assertArrayEquals(torn, Files.readAllBytes(saved), "the torn bytes are kept");
            }
            VerificationReport report = new AuditLogVerifier().verify(file, ak.publicArea());
            assertTrue(report.verified(), () -> "cut at " + cut + ": " + report.summary());
            assertEquals(EventKind.LOG_RECOVERED, report.verifiedRecords().get(7).kind());
        }
    }

    @Test
    void theLogContinuesAfterRecovery() throws Exception {
        Path file = dir.resolve("host-a.jsonl");
        Crashed crashed = crashedLog(file);
        Files.write(file, concat(crashed.intact, Arrays.copyOf(crashed.nextLine, 100)));
        try (AuditLogWriter w = AuditLogWriter.openRecovering(file, "host-a", ak, new byte[0],
                new TestLogs.SteppingClock(TestLogs.START.plusSeconds(99), 1))) {
            AuditRecord next = w.append(AuditEvent.builder(EventKind.MIGRATION_REQUESTED).migration("mig-0002")
                    .role(Role.SOURCE).build());
            assertEquals(8, next.sequence());
            assertArrayEquals(w.recoveryRecord().orElseThrow().recordHash(), next.previousHash());
        }
        try (AuditLogWriter w = AuditLogWriter.open(file, "host-a", ak, new byte[0],
                new TestLogs.SteppingClock(TestLogs.START.plusSeconds(120), 1))) {
            assertTrue(w.recoveryRecord().isEmpty(), "a clean log needs no recovery");
            assertEquals(8, w.lastRecord().sequence());
        }
    }

    @Test
    void aHeaderCutShortIsRecoveredIntoANewHeaderAndARecoveryRecord() throws Exception {
        Path file = dir.resolve("host-a.jsonl");
        TestLogs.write(file, ak);
        Files.write(file, Arrays.copyOf(Files.readAllBytes(file), 50));
        try (AuditLogWriter w = AuditLogWriter.openRecovering(file, "host-a", ak, new byte[0],
                new TestLogs.SteppingClock(TestLogs.START, 1))) {
            assertEquals(1, w.recoveryRecord().orElseThrow().sequence());
        }
        VerificationReport report = new AuditLogVerifier().verify(file);
        assertTrue(report.verified(), report::summary);
        assertEquals(List.of(EventKind.LOG_OPENED, EventKind.LOG_RECOVERED),
                report.verifiedRecords().stream().map(AuditRecord::kind).toList());
    }

    @Test
    void recoveryRefusesALogThatIsBrokenElsewhereAndTouchesNothing() throws Exception {
        Path file = dir.resolve("host-a.jsonl");
        Crashed crashed = crashedLog(file);
        String intact = new String(crashed.intact, StandardCharsets.UTF_8).replace("\"verdict\":\"TRUSTED\"",
                "\"verdict\":\"REFUSED\"");
        byte[] onDisk = concat(intact.getBytes(StandardCharsets.UTF_8), Arrays.copyOf(crashed.nextLine, 30));
        Files.write(file, onDisk);
        UnverifiedLogException e = assertThrows(UnverifiedLogException.class, () -> AuditLogWriter.openRecovering(file,
                "host-a", ak, new byte[0], new TestLogs.SteppingClock(TestLogs.START, 1)));
        assertEquals("verdict", e.report().firstBroken().orElseThrow().mainProblem().orElseThrow().field());
        assertArrayEquals(onDisk, Files.readAllBytes(file));
        try (var listing = Files.list(dir)) {
            assertEquals(1, listing.count(), "no file was saved aside");
        }
    }

    @Test
    void anUntouchedLogNeedsNoRecoveryAndAnEmptyFileGetsAHeader() throws Exception {
        Path file = dir.resolve("host-a.jsonl");
        Files.createFile(file);
        try (AuditLogWriter w = AuditLogWriter.openRecovering(file, "host-a", ak, new byte[0],
                new TestLogs.SteppingClock(TestLogs.START, 1))) {
            assertTrue(w.recoveryRecord().isEmpty());
            assertEquals(EventKind.LOG_OPENED, w.lastRecord().kind());
        }
        assertTrue(new AuditLogVerifier().verify(file).verified());
    }

    @Test
    void aClosedWriterRefusesToAppend() throws Exception {
        Path file = dir.resolve("host-a.jsonl");
        AuditLogWriter w = AuditLogWriter.open(file, "host-a", ak, new byte[0], new TestLogs.SteppingClock(TestLogs.START, 1));
        w.close();
        AuditLogException e = assertThrows(AuditLogException.class, () -> w.append(
                AuditEvent.builder(EventKind.MIGRATION_REQUESTED).migration("m").role(Role.SOURCE).build()));
        assertTrue(e.getMessage().endsWith("the writer is closed"), e.getMessage());
        assertFalse(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).contains("MIGRATION_REQUESTED"));
        assertTrue(new AuditLogVerifier().verify(file).verified());
    }

    /** /dev/full accepts the open and the lock and fails every write with ENOSPC, as a full disk does. */
    @Test
    void aFailedWriteIsReportedWithItsCause() {
        AuditLogException e = assertThrows(AuditLogException.class, () -> AuditLogWriter.open(Path.of("/dev/full"),
                "host-a", ak, new byte[0], new TestLogs.SteppingClock(TestLogs.START, 1)));
        assertTrue(e.getMessage().contains("writing record 0 failed"), e.getMessage());
        assertTrue(e.getCause() instanceof java.io.IOException, String.valueOf(e.getCause()));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
