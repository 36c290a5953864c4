package org.vtpmmigrate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * {@code eventlog replay} and {@code ima replay} on corpus files, checked against the corpus'
 * independent replays (*.replay.json, replay_expected_pcrs.json), and their refusals (exit 2,
 * one line on stderr) for malformed input and wrong usage.
 */
class ReplayCommandsTest {

    /** The {@code pcrs} of an independent replay.json as bank -> pcr -> lowercase hex without 0x. */
    private static Map<String, Map<String, String>> expected(String replayJson, String member) {
        JsonObject pcrs = JsonParser.parseString(Cli.text(replayJson)).getAsJsonObject().getAsJsonObject(member);
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (Map.Entry<String, JsonElement> bank : pcrs.entrySet()) {
            Map<String, String> values = new TreeMap<>();
            for (Map.Entry<String, JsonElement> v : bank.getValue().getAsJsonObject().entrySet()) {
                values.put(v.getKey(), v.getValue().getAsString().replaceFirst("^0x", "").toLowerCase());
            }
            out.put(bank.getKey(), values);
        }
        return out;
    }

    private static Map<String, Map<String, String>> banks(String json) {
        JsonObject banks = JsonParser.parseString(json).getAsJsonObject().getAsJsonObject("banks");
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (Map.Entry<String, JsonElement> bank : banks.entrySet()) {
            Map<String, String> values = new TreeMap<>();
            bank.getValue().getAsJsonObject().entrySet().forEach(v -> values.put(v.getKey(), v.getValue().getAsString()));
            out.put(bank.getKey(), values);
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"eventlogs/go-eventlog/tpm/ubuntu-2104-no-secure-boot.bin",
            "eventlogs/keylime/binary_bios_measurements", "eventlogs/go-attestation/windows_gcp_shielded_vm.eventlog.bin",
            "eventlogs/tpm2-tools/upstream/event-sd-boot-fedora37.bin"})
    void eventLogReplayJsonEqualsTheIndependentReplay(String log) {
        Cli.Run r = Cli.run(new EventlogReplayCommand(), "eventlog", "replay", Cli.data(log), "--format", "json");
        assertEquals(ExitCode.OK, r.exit(), r.toString());
        assertEquals("", r.err());
        assertEquals(expected(log + ".replay.json", "pcrs"), banks(r.out()));
    }

    @Test
    void startupLocalityThreeIsHonouredForPcr0() {
        // MANIFEST: the correct sha256 PCR0 of keylime's log (StartupLocality 3) starts 0ee9a7fe, ends 42f2
        Cli.Run r = Cli.run(new EventlogReplayCommand(), "eventlog", "replay", Cli.data("eventlogs/keylime/binary_bios_measurements"));
        String pcr0 = r.out().lines().filter(l -> l.startsWith("sha256:0=")).findFirst().orElseThrow();
        assertTrue(pcr0.startsWith("sha256:0=0ee9a7fe") && pcr0.endsWith("42f2"), pcr0);
    }

    @Test
    void eventLogTextIsOneLinePerPcr() {
        Cli.Run r = Cli.run(new EventlogReplayCommand(), "eventlog", "replay",
                Cli.data("eventlogs/go-eventlog/tpm/ubuntu-2104-no-secure-boot.bin"), "--format", "text");
        assertEquals(ExitCode.OK, r.exit());
        List<String> lines = r.out().lines().toList();
        assertEquals(33, lines.size(), "11 PCRs in 3 banks");
        assertTrue(lines.contains("sha256:14=8351c65483c5419079e8c96758dd2130bee075d71fea226f68ec4eb5bfc71983"), r.out());
    }

    @Test
    void malformedEventLogsAreRefusedWithOneLine(@TempDir Path dir) throws Exception {
        for (String bad : List.of("eventlogs/keylime/binary_bios_measurements-bogus", "eventlogs/keylime/binary_bios_measurements-empty",
                "eventlogs/go-eventlog/ccel/CCEL.bin")) {
            Cli.Run r = Cli.run(new EventlogReplayCommand(), "eventlog", "replay", Cli.data(bad));
            assertEquals(ExitCode.USAGE, r.exit(), r.toString());
            assertEquals("", r.out());
            assertEquals(1, r.errLines().size(), r.err());
            assertTrue(r.err().startsWith("vtpm-migrate eventlog replay: ") && r.err().contains("not a TCG event log"),
                    r.err());
        }
        Path truncated = dir.resolve("truncated.bin");
        byte[] log = Files.readAllBytes(Path.of(Cli.data("eventlogs/go-eventlog/tpm/ubuntu-2104-no-secure-boot.bin")));
        Files.write(truncated, java.util.Arrays.copyOf(log, log.length - 10));
        Cli.Run r = Cli.run(new EventlogReplayCommand(), "eventlog", "replay", truncated.toString());
        assertEquals(ExitCode.USAGE, r.exit());
        assertTrue(r.err().contains("event 105"), r.err());
    }

    @Test
    void wrongUsageIsExitTwo() {
        String log = Cli.data("eventlogs/go-eventlog/tpm/ubuntu-2104-no-secure-boot.bin");
        assertEquals(ExitCode.USAGE, Cli.run(new EventlogReplayCommand(), "eventlog", "replay").exit());
        assertEquals(ExitCode.USAGE, Cli.run(new EventlogReplayCommand(), "eventlog", "replay", log, log).exit());
        Cli.Run format = Cli.run(new EventlogReplayCommand(), "eventlog", "replay", log, "--format", "yaml");
        assertEquals(ExitCode.USAGE, format.exit());
        assertEquals("vtpm-migrate eventlog replay: --format must be text or json, got 'yaml'\n", format.err());
        Cli.Run missing = Cli.run(new ImaReplayCommand(), "ima", "replay", "/nonexistent/log");
        assertEquals("vtpm-migrate ima replay: /nonexistent/log: not a readable file\n", missing.err());
        assertEquals(ExitCode.OK, Cli.run(new ImaReplayCommand(), "ima", "replay", "--help").exit());
    }

    @Test
    void imaReplayGivesThePcrTheSwtpmQuoted() {
        Cli.Run r = Cli.run(new ImaReplayCommand(), "ima", "replay", Cli.data("ima/rust-keylime/ascii_runtime_measurements"),
                "--format", "json");
        assertEquals(ExitCode.OK, r.exit(), r.toString());
        // MANIFEST: confirmed by the swtpm quote of quotes/swtpm
        assertEquals(Map.of("sha1", Map.of("10", "82231c67a69da98dc5b3aa10f6343d33109225fc"),
                "sha256", Map.of("10", "c4a065637fc6a7c55f2811dd06cb45dd037133be2b3dc5c3e6fbe6bf061db724")), banks(r.out()));
    }

    @Test
    void imaReplayReadsTheBinaryForm() {
        String list = "supplement/ima/tpm2-tss/sml-ima-ng-sha1.bin";
        Cli.Run r = Cli.run(new ImaReplayCommand(), "ima", "replay", Cli.data(list), "--format", "json");
        assertEquals(ExitCode.OK, r.exit(), r.toString());
        assertEquals(expected("supplement/ima/tpm2-tss/sml-ima-ng-sha1.replay.json", "replayed_pcrs"), banks(r.out()));
    }

    @Test
    void malformedImaListsAreRefusedWithOneLine() {
        Cli.Run garbage = Cli.run(new ImaReplayCommand(), "ima", "replay", Cli.data("ima/rust-keylime/invalid_ima_log.txt"));
        assertEquals(ExitCode.USAGE, garbage.exit());
        assertEquals(1, garbage.errLines().size());
        assertTrue(garbage.err().contains("line 1"), garbage.err());
        // a 32-byte template hash cannot be the SHA-1 the kernel extends
        Cli.Run unknown = Cli.run(new ImaReplayCommand(), "ima", "replay", Cli.data("ima/keylime/ima-log-unknown"));
        assertEquals(ExitCode.USAGE, unknown.exit());
        assertTrue(unknown.err().contains("cannot be replayed") && unknown.err().contains("sha1 bank"), unknown.err());
    }
}
