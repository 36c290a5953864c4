package org.vtpmmigrate.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each way of tampering with a written log is found, on the right record, with the right status
 * and, where a field changed, the field's name; the records around it stay OK.
 */
class TamperDetectionTest {
    @TempDir
    Path dir;

    private final SoftwareAk ak = SoftwareAk.create();
    private Path file;
    private List<String> lines;

    @BeforeEach
    void writeLog() throws Exception {
        file = dir.resolve("host-a.jsonl");
        TestLogs.write(file, ak);
        lines = TestLogs.lines(file);
        assertTrue(new AuditLogVerifier().verify(file).verified(), "the untouched log verifies");
    }

    private VerificationReport verifyEdited(List<String> edited) throws Exception {
        TestLogs.writeLines(file, edited);
        VerificationReport report = new AuditLogVerifier().verify(file);
        assertFalse(report.verified(), "tampering must be detected");
        return report;
    }

    /** Status of every line, e.g. {1=OK, 2=GAP, ...}, for assertions that show the whole picture. */
    private static Map<Integer, RecordStatus> statuses(VerificationReport report) {
        return report.results().stream().collect(Collectors.toMap(RecordResult::line, RecordResult::status,
                (a, b) -> a, java.util.TreeMap::new));
    }

    private static void assertOnly(VerificationReport report, int line, RecordStatus status) {
        for (RecordResult r : report.results()) {
            assertEquals(r.line() == line ? status : RecordStatus.OK, r.status(),
                    "line " + r.line() + ": " + r.problems() + "; all: " + statuses(report));
        }
    }

    @Test
    void aChangedVerdictIsABrokenChainNamingTheFieldAndSequence() throws Exception {
        List<String> edited = new ArrayList<>(lines);
        edited.set(2, edited.get(2).replace("\"verdict\":\"TRUSTED\"", "\"verdict\":\"REFUSED\""));
        VerificationReport report = verifyEdited(edited);
        assertOnly(report, 3, RecordStatus.BROKEN_CHAIN);
        RecordResult broken = report.firstBroken().orElseThrow();
        assertEquals(2, broken.sequence().getAsLong());
        assertEquals(List.of("verdict"), broken.problems().stream().map(RecordProblem::field).toList());
        assertTrue(report.summary().contains("line 3 (sequence 2) BROKEN_CHAIN [verdict]"), report.summary());
    }

    @Test
    void aChangedByteCountIsNamed() throws Exception {
        List<String> edited = new ArrayList<>(lines);
        edited.set(5, edited.get(5).replace("\"vtpmState\":3072", "\"vtpmState\":3073"));
        RecordResult broken = verifyEdited(edited).firstBroken().orElseThrow();
        assertEquals(5, broken.sequence().getAsLong());
        assertEquals("bytes", broken.mainProblem().orElseThrow().field());
    }

    @Test
    void aDeletedRecordLeavesAGapAfterIt() throws Exception {
        List<String> edited = new ArrayList<>(lines);
        edited.remove(3);
        VerificationReport report = verifyEdited(edited);
        assertOnly(report, 4, RecordStatus.GAP);
        RecordResult gap = report.firstBroken().orElseThrow();
        assertEquals(4, gap.sequence().getAsLong());
        assertTrue(gap.mainProblem().orElseThrow().message().contains("record 3 is missing"), gap.problems().toString());
    }

    @Test
    void deletingTheHeaderLeavesNoKeyAndAGap() throws Exception {
        List<String> edited = new ArrayList<>(lines);
        edited.remove(0);
        VerificationReport report = verifyEdited(edited);
        assertTrue(report.header().isEmpty());
        RecordResult first = report.results().get(0);
        assertEquals(RecordStatus.GAP, first.status());
        assertTrue(first.mainProblem().orElseThrow().message().contains("including the log header"), first.problems().toString());
        assertTrue(report.results().stream().skip(1).allMatch(r -> r.status() == RecordStatus.BAD_SIGNATURE),
                statuses(report).toString());
    }

    @Test
    void swappedRecordsMarkTheOneThatComesTooLate() throws Exception {
        List<String> edited = new ArrayList<>(lines);
        String third = edited.get(3);
        edited.set(3, edited.get(4));
        edited.set(4, third);
        VerificationReport report = verifyEdited(edited);
        assertOnly(report, 5, RecordStatus.REORDERED);
        RecordProblem p = report.firstBroken().orElseThrow().mainProblem().orElseThrow();
        assertEquals("seq", p.field());
        assertTrue(p.message().contains("record 3 comes after record 4 (line 4)"), p.message());
    }

    @Test
    void aReplayedRecordIsMarkedAsACopy() throws Exception {
        List<String> edited = new ArrayList<>(lines);
        edited.add(edited.get(2));
        VerificationReport report = verifyEdited(edited);
        assertOnly(report, 9, RecordStatus.REORDERED);
        String message = report.firstBroken().orElseThrow().mainProblem().orElseThrow().message();
        assertTrue(message.contains("replay: a copy of record 2, which is already at line 3"), message);
    }

    @Test
    void aRecordReplayedInPlaceOfAnotherIsCaught() throws Exception {
        List<String> edited = new ArrayList<>(lines);
        edited.set(4, edited.get(3));
        VerificationReport report = verifyEdited(edited);
        // line 5 repeats record 3; record 4 is gone, so record 5 follows a hole
        assertEquals(RecordStatus.REORDERED, report.results().get(4).status(), statuses(report).toString());
        assertEquals(RecordStatus.GAP, report.results().get(5).status(), statuses(report).toString());
    }

    @Test
    void aLineCutShortIsReportedAsTorn() throws Exception {
        byte[] all = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(all, all.length - 40));
        VerificationReport report = new AuditLogVerifier().verify(file);
        assertFalse(report.verified());
        RecordResult torn = report.tornTail().orElseThrow();
        assertEquals(8, torn.line());
        assertEquals(RecordStatus.MALFORMED, torn.status());
        assertTrue(torn.mainProblem().orElseThrow().message().contains("without a terminating newline"), torn.problems().toString());
        assertOnly(report, 8, RecordStatus.MALFORMED);
    }

    /**
     * Records removed from the end at a line boundary leave a shorter log that is intact: the
     * file alone cannot show it (documented limit; the last hash must be remembered elsewhere).
     */
    @Test
    void cuttingWholeRecordsOffTheEndIsNotVisibleInTheFileAlone() throws Exception {
        TestLogs.writeLines(file, lines.subList(0, 5));
        VerificationReport report = new AuditLogVerifier().verify(file);
        assertTrue(report.verified(), report::summary);
        assertEquals(5, report.results().size());
    }

    @Test
    void aChangedSignatureIsABadSignature() throws Exception {
        List<String> edited = new ArrayList<>(lines);
        String line = edited.get(4);
        int sig = line.indexOf("\"sig\":\"") + 7 + 20;
        char c = line.charAt(sig);
        edited.set(4, line.substring(0, sig) + (c == '0' ? '1' : '0') + line.substring(sig + 1));
        VerificationReport report = verifyEdited(edited);
        assertOnly(report, 5, RecordStatus.BAD_SIGNATURE);
        RecordProblem p = report.firstBroken().orElseThrow().mainProblem().orElseThrow();
        assertEquals("sig", p.field());
        assertTrue(p.message().contains("does not verify") && p.message().contains("AK name"), p.message());
    }

    @Test
    void anotherRecordsSignatureDoesNotFit() throws Exception {
        List<String> edited = new ArrayList<>(lines);
        String otherSig = edited.get(1).substring(edited.get(1).indexOf("\"sig\":"));
        String line = edited.get(4);
        edited.set(4, line.substring(0, line.indexOf("\"sig\":")) + otherSig);
        assertOnly(verifyEdited(edited), 5, RecordStatus.BAD_SIGNATURE);
    }

    @Test
    void anotherAkSubstitutedInTheHeaderIsCaught() throws Exception {
        SoftwareAk intruder = SoftwareAk.create();
        String hex = java.util.HexFormat.of().formatHex(ak.akPublicArea());
        String name = java.util.HexFormat.of().formatHex(ak.publicArea().name());
        List<String> edited = new ArrayList<>(lines);
        edited.set(0, edited.get(0).replace(hex, java.util.HexFormat.of().formatHex(intruder.akPublicArea()))
                .replace(name, java.util.HexFormat.of().formatHex(intruder.publicArea().name())));
        VerificationReport report = verifyEdited(edited);
        RecordResult header = report.results().get(0);
        assertEquals(RecordStatus.BROKEN_CHAIN, header.status());
        assertEquals(List.of("akPublic", "akName"), header.problems().stream().map(RecordProblem::field).toList());
        for (RecordResult r : report.results().subList(1, report.results().size())) {
            assertEquals(RecordStatus.BAD_SIGNATURE, r.status(), "line " + r.line() + " " + r.problems());
        }
    }

    @Test
    void aLogReSignedThroughoutByAnotherKeyIsCaughtOnlyWithTheExpectedAk() throws Exception {
        SoftwareAk intruder = SoftwareAk.create();
        Path forged = dir.resolve("forged.jsonl");
        TestLogs.write(forged, intruder);
        assertTrue(new AuditLogVerifier().verify(forged).verified(), "self-consistent under the intruder's key");

        VerificationReport pinned = new AuditLogVerifier().verify(forged, ak.publicArea());
        assertFalse(pinned.verified());
        RecordProblem headerProblem = pinned.results().get(0).problems().stream()
                .filter(p -> p.field().equals("akPublic")).findFirst().orElseThrow();
        assertEquals(RecordStatus.BAD_SIGNATURE, headerProblem.status());
        assertTrue(headerProblem.message().contains("expected AK is " + java.util.HexFormat.of().formatHex(ak.publicArea().name())),
                headerProblem.message());
        assertTrue(pinned.results().stream().allMatch(r -> r.status() == RecordStatus.BAD_SIGNATURE), statuses(pinned).toString());
    }

    @Test
    void aStoredHashChangedAloneIsNamed() throws Exception {
        List<String> edited = new ArrayList<>(lines);
        String line = edited.get(6);
        int at = line.indexOf("\"hash\":\"") + 8;
        edited.set(6, line.substring(0, at) + (line.charAt(at) == 'f' ? 'e' : 'f') + line.substring(at + 1));
        VerificationReport report = verifyEdited(edited);
        assertOnly(report, 7, RecordStatus.BROKEN_CHAIN);
        RecordProblem p = report.firstBroken().orElseThrow().mainProblem().orElseThrow();
        assertEquals("hash", p.field());
        assertTrue(p.message().contains("the stored hash was changed"), p.message());
    }

    @Test
    void aChangedLinkIsNamed() throws Exception {
        List<String> edited = new ArrayList<>(lines);
        String line = edited.get(6);
        int at = line.indexOf("\"prev\":\"") + 8;
        edited.set(6, line.substring(0, at) + (line.charAt(at) == 'f' ? 'e' : 'f') + line.substring(at + 1));
        VerificationReport report = verifyEdited(edited);
        assertOnly(report, 7, RecordStatus.BROKEN_CHAIN);
        assertTrue(report.firstBroken().orElseThrow().problems().stream().allMatch(p -> p.field().equals("prev")));
    }

    @Test
    void aChangedCheckValueIsMalformedWhileTheSignedContentStaysIntact() throws Exception {
        List<String> edited = new ArrayList<>(lines);
        String line = edited.get(1);
        int at = line.indexOf("\"check\":\"") + 9 + 8 * 3;
        edited.set(1, line.substring(0, at) + (line.charAt(at) == 'f' ? 'e' : 'f') + line.substring(at + 1));
        VerificationReport report = verifyEdited(edited);
        assertOnly(report, 2, RecordStatus.MALFORMED);
        RecordProblem p = report.firstBroken().orElseThrow().mainProblem().orElseThrow();
        assertEquals("check", p.field());
        assertTrue(p.message().contains("field 'kind'"), p.message());
    }

    @Test
    void anotherSpellingOfTheSameRecordIsRefused() throws Exception {
        List<String> edited = new ArrayList<>(lines);
        edited.set(1, edited.get(1).replace("{\"seq\":1,", "{\"seq\": 1,"));
        edited.set(2, edited.get(2).replace("\"host\":\"host-a\"", "\"host\":\"host\\u002da\""));
        edited.set(3, edited.get(3) + "\r");
        VerificationReport report = verifyEdited(edited);
        for (int line : new int[] {2, 3, 4}) {
            RecordResult r = report.results().get(line - 1);
            assertEquals(RecordStatus.MALFORMED, r.status(), r.problems().toString());
            assertTrue(r.mainProblem().orElseThrow().message().contains("not in canonical form"), r.problems().toString());
        }
        assertEquals("seq", report.results().get(1).mainProblem().orElseThrow().field());
        assertEquals("host", report.results().get(2).mainProblem().orElseThrow().field());
    }

    @Test
    void duplicateAndUnknownKeysAndEmptyLinesAreMalformed() throws Exception {
        List<String> edited = new ArrayList<>(lines);
        edited.set(1, edited.get(1).replace("\"vm\":\"vm-web-01\"", "\"vm\":\"vm-web-01\",\"vm\":\"vm-evil\""));
        edited.set(2, edited.get(2).replace("\"vm\":\"vm-web-01\"", "\"vm\":\"vm-web-01\",\"owner\":\"mallory\""));
        edited.add(3, "");
        VerificationReport report = verifyEdited(edited);
        assertEquals("vm: appears twice", report.results().get(1).mainProblem().orElseThrow().field() + ": "
                + report.results().get(1).mainProblem().orElseThrow().message());
        assertEquals("owner", report.results().get(2).mainProblem().orElseThrow().field());
        assertEquals("empty line", report.results().get(3).mainProblem().orElseThrow().message());
    }

    @Test
    void invalidUtf8IsMalformedWithItsPosition() throws Exception {
        byte[] all = Files.readAllBytes(file);
        int lineStart = TestLogs.lines(file).get(0).getBytes(StandardCharsets.UTF_8).length + 1;
        all[lineStart + 10] = (byte) 0xC0;
        Files.write(file, all);
        RecordResult r = new AuditLogVerifier().verify(file).results().get(1);
        assertEquals(RecordStatus.MALFORMED, r.status());
        assertEquals("invalid UTF-8 at byte 11 of the line", r.mainProblem().orElseThrow().message());
    }
}
