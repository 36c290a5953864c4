package org.vtpmmigrate.attest.ima;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.PcrValuesJson;
import org.vtpmmigrate.attest.eventlog.TestCorpus;

/**
 * Every file under {@code ima/} and {@code supplement/ima/} is an IMA list with a
 * {@code .replay.json} expectation next to it (entries, templates, violations, template-hash
 * errors, PCR 10 per bank), or is listed here with the reason it is not checked against one.
 */
class ImaLogCorpusTest {
    /** Files in the IMA folders that are not lists. */
    private static final Map<String, String> NOT_LISTS = Map.of(
            "ima/ima-evm-utils/sample-tpm-2.0-pcrs-8-9", "tsspcrread PCR values of the machine (ImaRealTpmTest)");

    /** Lists to refuse, why, and what the error must say. */
    private record Rejection(String reason, String messageFragment) {
    }

    private static final Map<String, Rejection> REJECTED = Map.of(
            "ima/rust-keylime/invalid_ima_log.txt", new Rejection(
                    "garbage text; MANIFEST: must be rejected (its replay.json: 0 entries, line 1 unparseable)",
                    "line 1 (offset 0): expected '<pcr> <template-hash> <template> <fields>'"),
            "supplement/ima/tpm2-tss/sml-ima-ng-sha1-invalidated.bin", new Rejection(
                    "its only entry declares 49 bytes of template data but the file ends after 48 (the n-ng field "
                            + "lacks its NUL); the reference replayer sliced past the end without noticing. The "
                            + "completed entry is checked in ImaLogParsingTest.violationInPcr13",
                    "no complete entry: the input ends inside the first one"));

    private static final AtomicInteger CHECKED = new AtomicInteger();
    private static final AtomicInteger REFUSED = new AtomicInteger();

    static List<Path> candidateLists() {
        List<Path> out = new ArrayList<>();
        for (String dir : List.of("ima", "supplement/ima")) {
            out.addAll(TestCorpus.files(TestCorpus.path(dir), p -> !p.toString().endsWith(".json")));
        }
        return out;
    }

    static Optional<Path> expectation(Path list) {
        String name = list.getFileName().toString();
        for (String candidate : List.of(name + ".replay.json", name.replaceFirst("\\.bin$", "") + ".replay.json")) {
            Path p = list.resolveSibling(candidate);
            if (Files.exists(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The lists that parse, with their bytes, for the fuzz and real-TPM tests. */
    static List<Path> parseableLists() {
        return candidateLists().stream().filter(p -> {
            String rel = TestCorpus.relative(p);
            return !NOT_LISTS.containsKey(rel) && !REJECTED.containsKey(rel);
        }).toList();
    }

    @Test
    void tablesNameExistingFiles() {
        Set<String> present = candidateLists().stream().map(TestCorpus::relative).collect(Collectors.toSet());
        assertTrue(present.containsAll(NOT_LISTS.keySet()), "missing: " + NOT_LISTS.keySet());
        assertTrue(present.containsAll(REJECTED.keySet()), "missing: " + REJECTED.keySet());
    }

    @TestFactory
    Stream<DynamicTest> everyListMatchesItsExpectationOrIsRefused() {
        return candidateLists().stream().filter(p -> !NOT_LISTS.containsKey(TestCorpus.relative(p)))
                .map(p -> DynamicTest.dynamicTest(TestCorpus.relative(p), () -> check(p)));
    }

    private static void check(Path file) throws Exception {
        String rel = TestCorpus.relative(file);
        Rejection rejection = REJECTED.get(rel);
        if (rejection != null) {
            ImaFormatException e = assertThrows(ImaFormatException.class, () -> ImaLog.read(file), rejection.reason());
            assertTrue(e.getMessage().contains(rejection.messageFragment()),
                    rel + ": expected '" + rejection.messageFragment() + "' in: " + e.getMessage());
            REFUSED.incrementAndGet();
            return;
        }
        Path expectationFile = expectation(file).orElseThrow(
                () -> new AssertionError("no .replay.json for " + rel + ": add one or list the file here"));
        JsonObject expected = TestCorpus.json(expectationFile).getAsJsonObject();
        ImaLog log = ImaLog.read(file);
        if (expected.has("replayed_pcrs")) {
            checkBinaryExpectation(rel, log, expected);
        } else {
            checkAsciiExpectation(rel, log, expected);
        }
        CHECKED.incrementAndGet();
    }

    /** tools/ima_replay.py output: PCRs as {"10": {"sha1": "0x..", "sha256": "0x.."}}. */
    private static void checkAsciiExpectation(String rel, ImaLog log, JsonObject expected) throws Exception {
        assertEquals(ImaLog.Format.ASCII, log.format(), rel);
        assertEquals(expected.get("entries").getAsInt(), log.entries().size(), rel + " entries");
        Map<String, Integer> templates = new TreeMap<>();
        for (Map.Entry<String, JsonElement> t : expected.getAsJsonObject("templates").entrySet()) {
            templates.put(t.getKey(), t.getValue().getAsInt());
        }
        assertEquals(templates, countTemplates(log), rel + " templates");
        assertEquals(expected.get("violations(zero template hash)").getAsInt(), log.violationCount(),
                rel + " violations");
        List<Integer> errorLines = new ArrayList<>();
        for (JsonElement e : expected.getAsJsonArray("template_hash_errors")) {
            JsonArray pair = e.getAsJsonArray();
            assertEquals("template-hash-mismatch", pair.get(1).getAsString(), rel);
            errorLines.add(pair.get(0).getAsInt());
        }
        assertEquals(errorLines, log.templateHashProblems().stream().map(ImaEntry::lineNumber).toList(),
                rel + " lines whose template hash does not verify");

        PcrValues.Builder wanted = PcrValues.builder();
        for (Map.Entry<String, JsonElement> pcr : expected.getAsJsonObject("pcrs").entrySet()) {
            for (Map.Entry<String, JsonElement> bank : pcr.getValue().getAsJsonObject().entrySet()) {
                wanted.put(HashAlgorithm.fromBankName(bank.getKey()).orElseThrow(), Integer.parseInt(pcr.getKey()),
                        TestCorpus.hex(bank.getValue().getAsString()));
            }
        }
        PcrValues want = wanted.build();
        if (log.entries().stream().anyMatch(e -> !e.isViolation() && e.templateHash().length != 20)) {
            // keylime's sm3_256/unknown samples carry 32-byte "template hashes" (MANIFEST: negative
            // cases). A TPM cannot extend 32 bytes into the sha1 bank, so that bank is refused;
            // replay.json's sha1 value comes from hashing the 32 bytes in, which no kernel does.
            ImaReplayException e = assertThrows(ImaReplayException.class, () -> log.replay(HashAlgorithm.SHA1), rel);
            assertEquals(HashAlgorithm.SHA1, e.bank());
            assertTrue(e.getMessage().contains("is 32 bytes"), e.getMessage());
            assertEquals(text(want, HashAlgorithm.SHA256), PcrValuesJson.toText(log.replay(HashAlgorithm.SHA256)),
                    rel + " sha256 bank");
            return;
        }
        assertEquals(PcrValuesJson.toText(want), PcrValuesJson.toText(log.replay(want.banks())), rel + " PCRs");
    }

    private static String text(PcrValues values, HashAlgorithm bank) {
        PcrValues.Builder b = PcrValues.builder();
        values.indices(bank).forEach(i -> b.put(bank, i, values.get(bank, i).orElseThrow()));
        return PcrValuesJson.toText(b.build());
    }

    /** tools/ima_binary_replay.py output, with per-entry details. */
    private static void checkBinaryExpectation(String rel, ImaLog log, JsonObject expected) throws Exception {
        assertEquals(ImaLog.Format.BINARY, log.format(), rel);
        assertEquals(expected.get("entries").getAsInt(), log.entries().size(), rel + " entries");
        List<String> templates = new ArrayList<>();
        expected.getAsJsonArray("templates").forEach(t -> templates.add(t.getAsString()));
        assertEquals(templates, List.copyOf(countTemplates(log).keySet()), rel + " templates");
        assertEquals(expected.get("violations").getAsInt(), log.violationCount(), rel + " violations");
        assertEquals(0, expected.getAsJsonArray("template_hash_mismatch_entries").size(), rel);
        assertEquals(List.of(), log.templateHashProblems(), rel + " template hashes");
        assertTrue(log.entries().stream().allMatch(e -> e.isViolation()
                || e.templateHashStatus() == ImaEntry.TemplateHashStatus.VALID), rel);

        PcrValues want = TestCorpus.pcrsByBank(expected.getAsJsonObject("replayed_pcrs"));
        assertEquals(PcrValuesJson.toText(want), PcrValuesJson.toText(log.replay(want.banks())), rel + " PCRs");

        JsonArray trailing = expected.getAsJsonArray("trailing_garbage");
        if (trailing.isEmpty()) {
            assertEquals(Optional.empty(), log.incompleteTail(), rel);
        } else {
            int bytes = trailing.get(0).getAsJsonObject().get("trailing_bytes_hex").getAsString().length() / 2;
            ImaLog.IncompleteTail tail = log.incompleteTail().orElseThrow(() -> new AssertionError(rel + " tail"));
            assertEquals(bytes, tail.length(), rel + " trailing bytes");
        }

        JsonArray details = expected.getAsJsonArray("entries_detail");
        for (int i = 0; i < details.size(); i++) {
            JsonObject d = details.get(i).getAsJsonObject();
            ImaEntry e = log.entries().get(i);
            String where = rel + " entry " + i;
            assertEquals(d.get("pcr").getAsInt(), e.pcr(), where);
            assertEquals(d.get("template_hash").getAsString(), HexFormat.of().formatHex(e.templateHash()), where);
            assertEquals(d.get("template").getAsString(), e.templateName(), where);
            JsonObject fields = d.getAsJsonObject("fields");
            if (fields.has("d-ng")) {
                assertEquals(Optional.of(fields.get("d-ng").getAsString()), e.fileDigestText(), where + " d-ng");
                assertEquals(Optional.of(fields.get("n-ng").getAsString()), e.filePath(), where + " n-ng");
            } else {
                String digest = HexFormat.of().formatHex(e.fileDigest().orElseThrow());
                assertEquals(fields.get("d").getAsString(), digest, where);
                assertEquals(Optional.of(fields.get("n").getAsString()), e.filePath(), where + " n");
            }
            if (fields.has("third")) {
                assertEquals("", fields.get("third").getAsString(), where);
                assertEquals(Optional.empty(), e.signature(), where + " no signature");
            }
        }
    }

    private static Map<String, Integer> countTemplates(ImaLog log) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        log.entries().forEach(e -> counts.merge(e.templateName(), 1, Integer::sum));
        return new TreeMap<>(counts);
    }

    @Test
    void everyParsedListHasEntriesInOrder() throws Exception {
        for (Path p : parseableLists()) {
            ImaLog log = ImaLog.read(p);
            assertFalse(log.entries().isEmpty(), TestCorpus.relative(p));
            for (int i = 0; i < log.entries().size(); i++) {
                assertEquals(i, log.entries().get(i).index());
            }
            if (log.format() == ImaLog.Format.ASCII) {
                assertEquals(1, log.entries().get(0).lineNumber());
            }
        }
    }

    @AfterAll
    static void report() {
        System.out.println("IMA corpus: " + CHECKED.get() + " lists matched their expectations, " + REFUSED.get()
                + " refused as expected");
    }
}
