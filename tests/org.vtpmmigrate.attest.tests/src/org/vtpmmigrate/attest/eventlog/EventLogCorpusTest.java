package org.vtpmmigrate.attest.eventlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.PcrValuesJson;

/**
 * Every file under {@code eventlogs/} and {@code supplement/eventlogs/} that is not an
 * expectation or tool output is treated as an event log, one dynamic test each: it either parses
 * and replays to the PCRs of {@code supplement/eventlogs/replay_expected_pcrs.json} (and of the
 * {@code .replay.json} next to it), or it is listed in {@link #REJECTED} with the reason it must
 * be refused. A new log without an expectation fails, so adding a log extends coverage.
 */
class EventLogCorpusTest {
    private static final String EXPECTATIONS = "supplement/eventlogs/replay_expected_pcrs.json";
    private static final Set<String> NOT_LOGS = Set.of(".json", ".yaml", ".stderr", ".warn", ".b64");

    /** A log that must be refused, why (from the manifests), and a fragment the error must contain. */
    private record Rejection(String reason, String messageFragment) {
    }

    private static final Map<String, Rejection> REJECTED = new LinkedHashMap<>();

    static {
        Rejection acpi = new Rejection("a 56-byte ACPI CCEL table, which points to a TDX event log; "
                + "MANIFEST section 1: 'ACPI tables (not logs)'", "ACPI CCEL table");
        REJECTED.put("eventlogs/go-eventlog/ccel/CCEL.bin", acpi);
        REJECTED.put("eventlogs/go-eventlog/ccel/cos-113-intel-tdx.table.bin", acpi);
        Rejection ccel = new Rejection("Intel TDX confidential-computing log (MR indices 1-4 are RTMRs): "
                + "MANIFEST calls these 'not TPM logs ... negative/robustness inputs only' and "
                + "replay_expected_pcrs.json excludes them; the unpadded ones are structurally TCG_PCR_EVENT2, "
                + "but their Spec ID event sits in register 1, where a TPM log has PCR 0",
                "Spec ID event has PCR index 1");
        REJECTED.put("eventlogs/go-eventlog/ccel/CCEL_unpadded.data.bin", ccel);
        REJECTED.put("eventlogs/go-eventlog/ccel/cos-113-intel-tdx-dupe-separator-unpadded.bin", ccel);
        REJECTED.put("eventlogs/go-eventlog/ccel/cos-113-intel-tdx-dupe-separator.bin", ccel);
        REJECTED.put("eventlogs/go-eventlog/ccel/cos-113-intel-tdx.bin", ccel);
        REJECTED.put("eventlogs/go-eventlog/ccel/event_log.bin", ccel);
        REJECTED.put("eventlogs/keylime/binary_bios_measurements-bogus", new Rejection(
                "ASCII text 'bogus invalid event log file here'; MANIFEST: must be rejected cleanly "
                        + "(replay_expected_pcrs.json lists it with replay_error)", "printable text"));
        REJECTED.put("eventlogs/keylime/binary_bios_measurements-empty", new Rejection(
                "0 bytes; MANIFEST: must be rejected cleanly", "empty input"));
    }

    /**
     * The Spec ID event of this tpm2-tools fixture ends before its 4 vendorInfo bytes (MANIFEST);
     * tools/replay.py stops there, replay_expected_pcrs.json (tpm2-tools semantics) accepts it.
     */
    private static final String SIDECAR_TOO_STRICT = "eventlogs/tpm2-tools/upstream/specid-vendordata.bin";

    private static final AtomicInteger REPLAYED = new AtomicInteger();
    private static final AtomicInteger REFUSED = new AtomicInteger();

    static Map<String, JsonObject> expectations() {
        Map<String, JsonObject> byPath = new HashMap<>();
        for (JsonElement e : TestCorpus.json(TestCorpus.path(EXPECTATIONS)).getAsJsonArray()) {
            JsonObject o = e.getAsJsonObject();
            // the file names the supplement folder "_supplement"
            String log = o.get("log").getAsString().replaceFirst("^_supplement/", "supplement/");
            byPath.put(log, o);
        }
        return byPath;
    }

    static List<Path> candidateLogs() {
        List<Path> logs = new ArrayList<>();
        for (String dir : List.of("eventlogs", "supplement/eventlogs")) {
            logs.addAll(TestCorpus.files(TestCorpus.path(dir), p -> {
                String name = p.getFileName().toString();
                return NOT_LOGS.stream().noneMatch(name::endsWith);
            }));
        }
        return logs;
    }

    /** The logs replay_expected_pcrs.json expects to replay (all but the one it records an error for). */
    static List<Path> replayableLogs() {
        Map<String, JsonObject> expected = expectations();
        return candidateLogs().stream().filter(p -> {
            JsonObject e = expected.get(TestCorpus.relative(p));
            return e != null && e.has("replayed_pcrs");
        }).toList();
    }

    @Test
    void everyExpectationHasItsLogAndEveryRejectionItsFile() {
        Set<String> present = new java.util.HashSet<>();
        candidateLogs().forEach(p -> present.add(TestCorpus.relative(p)));
        for (String log : expectations().keySet()) {
            assertTrue(present.contains(log), "replay_expected_pcrs.json names " + log + ", which is missing");
        }
        for (String log : REJECTED.keySet()) {
            assertTrue(present.contains(log), "rejection table names " + log + ", which is missing");
        }
        assertTrue(expectations().size() >= 46, "the manifest promises 46 TPM logs, found " + expectations().size());
    }

    @TestFactory
    Stream<DynamicTest> everyLogReplaysToItsExpectedPcrsOrIsRefused() {
        Map<String, JsonObject> expected = expectations();
        return candidateLogs().stream().map(p -> {
            String rel = TestCorpus.relative(p);
            return DynamicTest.dynamicTest(rel, () -> check(p, rel, expected.get(rel)));
        });
    }

    private static void check(Path file, String rel, JsonObject expectation) throws Exception {
        Rejection rejection = REJECTED.get(rel);
        if (expectation != null && expectation.has("replayed_pcrs")) {
            assertFalse(rejection != null, rel + " is both expected to replay and listed as rejected");
            replaysAsExpected(file, rel, expectation);
            REPLAYED.incrementAndGet();
            return;
        }
        if (rejection == null) {
            fail("no expectation for " + rel + ": add it to " + EXPECTATIONS + " or to the rejection table");
        }
        EventLogFormatException e = assertThrows(EventLogFormatException.class, () -> EventLog.read(file),
                rel + " must be refused: " + rejection.reason());
        assertTrue(e.getMessage().contains(rejection.messageFragment()),
                rel + ": expected the error to say '" + rejection.messageFragment() + "', got: " + e.getMessage());
        assertTrue(e.offset() >= 0 && e.offset() <= Files.size(file), "error offset within the file: " + e.offset());
        REFUSED.incrementAndGet();
    }

    private static void replaysAsExpected(Path file, String rel, JsonObject expectation) throws Exception {
        EventLog log = EventLog.read(file);
        String format = expectation.get("format").getAsString();
        assertEquals(format.startsWith("crypto-agile") ? EventLog.Format.CRYPTO_AGILE : EventLog.Format.SHA1,
                log.format(), rel + " format (" + format + ")");
        List<String> banks = new ArrayList<>();
        expectation.getAsJsonArray("banks").forEach(b -> banks.add(b.getAsString()));
        List<String> mine = log.algorithmIds().stream()
                .map(id -> HashAlgorithm.fromTpmAlgId(id).map(HashAlgorithm::bankName).orElse("0x" + id)).toList();
        assertEquals(banks, mine, rel + " banks");
        assertEquals(expectation.get("events").getAsInt(), log.events().size(), rel + " event count");
        assertEquals(expectation.get("no_action_events").getAsInt(),
                log.events().stream().filter(e -> !e.isExtended()).count(), rel + " EV_NO_ACTION count");
        assertEquals(expectation.get("hcrtm_event").getAsBoolean(), log.hasHcrtmEvent(), rel + " H-CRTM");
        if (log.format() == EventLog.Format.CRYPTO_AGILE) {
            // the reference replayer looks for StartupLocality only in crypto-agile logs; the
            // SHA-1 short_no_action_eventlog is checked on its own in EventLogDecodingTest
            JsonElement locality = expectation.get("startup_locality");
            OptionalInt expectedLocality = locality.isJsonNull() ? OptionalInt.empty()
                    : OptionalInt.of(locality.getAsInt());
            assertEquals(expectedLocality, log.startupLocality(), rel + " StartupLocality");
        }

        PcrValues replayed = log.replay();
        PcrValues wanted = TestCorpus.pcrsByBank(expectation.getAsJsonObject("replayed_pcrs"));
        assertEquals(PcrValuesJson.toText(wanted), PcrValuesJson.toText(replayed), rel + " replayed PCRs");

        Path sidecar = file.resolveSibling(file.getFileName() + ".replay.json");
        if (Files.exists(sidecar)) {
            JsonObject side = TestCorpus.json(sidecar).getAsJsonObject();
            if (side.has("error")) {
                // tools/replay.py is stricter than the supplement's replayer on this one log
                assertEquals(SIDECAR_TOO_STRICT, rel, rel + ".replay.json records an error: " + side.get("error"));
                assertTrue(log.quirks().contains(EventLog.Quirk.SPEC_ID_VENDOR_INFO_OUTSIDE_EVENT), rel + " quirk");
                return;
            }
            assertNotNull(side.get("pcrs"), rel + ".replay.json has no pcrs");
            assertEquals(PcrValuesJson.toText(TestCorpus.pcrsByBank(side.getAsJsonObject("pcrs"))),
                    PcrValuesJson.toText(replayed), rel + " PCRs vs " + sidecar.getFileName());
        }
    }

    @AfterAll
    static void report() {
        System.out.println("event log corpus: " + REPLAYED.get() + " logs replayed to their expected PCRs, "
                + REFUSED.get() + " refused as expected");
    }
}
