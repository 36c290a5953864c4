package org.vtpmmigrate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vtpmmigrate.audit.AuditEvent;
import org.vtpmmigrate.audit.AuditLogWriter;
import org.vtpmmigrate.audit.EventKind;
import org.vtpmmigrate.audit.RecordSigner;
import org.vtpmmigrate.audit.Role;
import org.vtpmmigrate.audit.Verdict;
import org.vtpmmigrate.testsupport.ProcessResult;
import org.vtpmmigrate.testsupport.SwtpmProcess;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * {@code vtpm-migrate audit verify} on logs signed by an AK in a real swtpm: exit 0 for an intact
 * log, 1 naming the first broken record and listing every problem, 2 for files it cannot judge.
 */
class AuditVerifyCommandTest {
    @TempDir
    static Path work;
    private static SwtpmProcess tpm;
    private static Path log;
    private static Path akPublic;
    private static Path otherAkPublic;

    /** Signs with tpm2_sign: the TPM hashes the record bytes and signs with the restricted AK. */
    private record SwtpmAk(Path context, byte[] publicArea) implements RecordSigner {
        @Override
        public byte[] akPublicArea() {
            return publicArea.clone();
        }

        @Override
        public byte[] sign(byte[] recordBytes) throws GeneralSecurityException {
            try {
                Path message = Files.createTempFile(work, "record-", ".bin");
                Path signature = Path.of(message + ".sig");
                Files.write(message, recordBytes);
                ProcessResult r = tpm.runToolThenFlush("tpm2_sign", "-c", context.toString(), "-g", "sha256", "-o",
                        signature.toString(), message.toString());
                if (r.exitCode() != 0) {
                    throw new GeneralSecurityException("tpm2_sign failed: " + r.stderr().strip());
                }
                return Files.readAllBytes(signature);
            } catch (IOException e) {
                throw new GeneralSecurityException(e);
            }
        }
    }

    private static Path createAk(String name) {
        Path ek = work.resolve("ek.ctx");
        if (!Files.exists(ek)) {
            tpm.runToolThenFlush("tpm2_createek", "-c", ek.toString(), "-G", "ecc").requireSuccess();
        }
        tpm.runToolThenFlush("tpm2_createak", "-C", ek.toString(), "-c", work.resolve(name + ".ctx").toString(), "-G",
                "ecc", "-g", "sha256", "-s", "ecdsa", "-u", work.resolve(name + ".pub").toString()).requireSuccess();
        return work.resolve(name + ".pub");
    }

    @BeforeAll
    static void writeLogSignedByTheTpm() throws Exception {
        tpm = SwtpmProcess.start();
        akPublic = createAk("ak");
        otherAkPublic = createAk("other-ak");
        log = work.resolve("host-a.jsonl");
        Clock clock = Clock.fixed(Instant.parse("2025-11-27T09:00:00.000Z"), ZoneOffset.UTC);
        try (AuditLogWriter w = AuditLogWriter.open(log, "host-a",
                new SwtpmAk(work.resolve("ak.ctx"), Files.readAllBytes(akPublic)), new byte[0], clock)) {
            w.append(AuditEvent.builder(EventKind.MIGRATION_REQUESTED).migration("mig-1").peer("host-b")
                    .role(Role.SOURCE).build());
            w.append(AuditEvent.builder(EventKind.ATTESTATION_VERDICT).migration("mig-1").peer("host-b")
                    .role(Role.SOURCE).verdict(Verdict.TRUSTED).build());
            w.append(AuditEvent.builder(EventKind.KEY_ESTABLISHED).migration("mig-1").peer("host-b")
                    .role(Role.SOURCE).build());
            w.append(AuditEvent.builder(EventKind.COMMIT_RECEIVED).migration("mig-1").peer("host-b")
                    .role(Role.SOURCE).build());
        }
    }

    @AfterAll
    static void stopTpm() {
        if (tpm != null) {
            tpm.close();
        }
    }

    /** Exit code, stdout and stderr of one run through {@link Main}, as a user gets them. */
    private record Run(ExitCode exit, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ExitCode exit = new Main(List.of(new AuditVerifyCommand())).run(List.of(args),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Path edited(String name, java.util.function.UnaryOperator<List<String>> edit) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(log, StandardCharsets.UTF_8));
        Path file = work.resolve(name);
        Files.write(file, edit.apply(lines), StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void anIntactLogExitsZeroWithATableOfRecords() {
        Run r = run("audit", "verify", log.toString());
        assertEquals(ExitCode.OK, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("host       host-a"), r.out());
        assertTrue(r.out().contains("as the log header states it"), r.out());
        assertTrue(r.out().contains("    3      2  2025-11-27T09:00:00.000Z  ATTESTATION_VERDICT       OK"), r.out());
        assertTrue(r.out().contains("VERIFIED: 5 records"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void jsonOutputCarriesEveryResult() {
        Run r = run("audit", "verify", log.toString(), "--format", "json");
        assertEquals(ExitCode.OK, r.exit(), r.out() + r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertTrue(o.get("verified").getAsBoolean());
        assertEquals("host-a", o.get("host").getAsString());
        assertEquals("header", o.get("akSource").getAsString());
        assertEquals(5, o.getAsJsonArray("results").size());
        assertEquals(5, o.getAsJsonObject("statusCounts").get("OK").getAsInt());
        assertFalse(o.has("firstBroken"));
        JsonObject verdict = o.getAsJsonArray("results").get(2).getAsJsonObject();
        assertEquals("ATTESTATION_VERDICT", verdict.get("kind").getAsString());
        assertEquals("mig-1", verdict.get("migration").getAsString());
    }

    @Test
    void theEnrolledAkCanBeGiven() {
        Run r = run("audit", "verify", "--ak", akPublic.toString(), log.toString());
        assertEquals(ExitCode.OK, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("the expected AK given with --ak"), r.out());
    }

    @Test
    void anotherAkExitsOneNamingTheHeader() {
        Run r = run("audit", "verify", "--ak", otherAkPublic.toString(), log.toString());
        assertEquals(ExitCode.REFUSED, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("NOT VERIFIED: first broken record: line 1 (sequence 0) BAD_SIGNATURE [akPublic]: "
                + "the header names AK"), r.out());
    }

    @Test
    void aTamperedLogExitsOneNamingTheFirstBrokenRecordAndListingAll() throws Exception {
        Path file = edited("tampered.jsonl", lines -> {
            lines.set(2, lines.get(2).replace("\"TRUSTED\"", "\"REFUSED\""));
            lines.remove(3);
            return lines;
        });
        Run r = run("audit", "verify", file.toString());
        assertEquals(ExitCode.REFUSED, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("NOT VERIFIED: first broken record: line 3 (sequence 2) BROKEN_CHAIN [verdict]: "
                + "changed after signing"), r.out());
        assertTrue(r.out().contains("problems (2):"), r.out());
        assertTrue(r.out().contains("  line 4 (sequence 4) GAP [seq]: record 3 is missing"), r.out());

        JsonObject o = JsonParser.parseString(run("audit", "verify", file.toString(), "--format", "json").out())
                .getAsJsonObject();
        assertFalse(o.get("verified").getAsBoolean());
        JsonObject first = o.getAsJsonObject("firstBroken");
        assertEquals(3, first.get("line").getAsInt());
        assertEquals(2, first.get("sequence").getAsInt());
        assertEquals("BROKEN_CHAIN", first.get("status").getAsString());
        assertEquals("verdict", first.getAsJsonArray("problems").get(0).getAsJsonObject().get("field").getAsString());
        assertEquals(1, o.getAsJsonObject("statusCounts").get("GAP").getAsInt());
    }

    @Test
    void anInterruptedLastWriteExitsOne() throws Exception {
        byte[] all = Files.readAllBytes(log);
        Path file = work.resolve("torn.jsonl");
        Files.write(file, java.util.Arrays.copyOf(all, all.length - 10));
        Run r = run("audit", "verify", file.toString());
        assertEquals(ExitCode.REFUSED, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("line 5 (sequence 4) MALFORMED: incomplete last line"), r.out());
    }

    /** A key written with JSON escapes decodes to terminal control sequences; they are printed escaped. */
    @Test
    void controlCharactersFromTheLogNeverReachTheTerminal() throws Exception {
        Path file = edited("hostile.jsonl", lines -> {
            lines.set(1, lines.get(1).replace("\"peer\":", "\"\\u001b]0;owned\\u0007\":"));
            return lines;
        });
        for (String format : new String[] {"text", "json"}) {
            Run r = run("audit", "verify", file.toString(), "--format", format);
            assertEquals(ExitCode.REFUSED, r.exit(), r.out() + r.err());
            assertFalse(r.out().contains("\u001b") || r.out().contains("\u0007"), r.out());
            assertTrue(r.out().contains("\\u001b]0;owned\\u0007"), r.out());
        }
    }

    @Test
    void filesThatCannotBeJudgedExitTwo() throws Exception {
        Path empty = Files.createFile(work.resolve("empty.jsonl"));
        Path text = Files.writeString(work.resolve("notes.txt"), "migration went fine\n");
        Path notAk = Files.writeString(work.resolve("not-ak.pub"), "not a key");
        String[][] cases = {
            {"audit", "verify", work.resolve("absent.jsonl").toString()},
            {"audit", "verify", work.toString()},
            {"audit", "verify", empty.toString()},
            {"audit", "verify", text.toString()},
            {"audit", "verify"},
            {"audit", "verify", log.toString(), log.toString()},
            {"audit", "verify", log.toString(), "--format", "xml"},
            {"audit", "verify", log.toString(), "--ak", notAk.toString()},
        };
        String[] expected = {"absent.jsonl: not a readable file", "not a readable file", "the file is empty",
            "no line is a record", "expected one audit log file, got 0", "expected one audit log file, got 2",
            "--format must be text or json, got 'xml'", "not a TPM2B_PUBLIC"};
        for (int i = 0; i < cases.length; i++) {
            Run r = run(cases[i]);
            assertEquals(ExitCode.USAGE, r.exit(), String.join(" ", cases[i]) + ": " + r.out() + r.err());
            assertTrue(r.err().startsWith("vtpm-migrate audit verify: ") && r.err().contains(expected[i]),
                    String.join(" ", cases[i]) + ": " + r.err());
        }
    }

    @Test
    void helpNamesTheOptions() {
        Run r = run("audit", "verify", "--help");
        assertEquals(ExitCode.OK, r.exit());
        assertTrue(r.out().contains("usage: vtpm-migrate audit verify FILE [--format text|json] [--ak AK_PUBLIC]"), r.out());
    }
}
