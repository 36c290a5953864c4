package org.vtpmmigrate.attest.eventlog;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.vtpmmigrate.attest.PcrValues;

/** The event log parser, replay and decoders under random and mutated input (see {@link FuzzHarness}). */
class EventLogFuzzTest {
    private static final long SEED = 0x5EEDL;
    private static final int CASES = 2000;
    private static final Duration TIME_CAP = Duration.ofSeconds(10);

    @Test
    void onlyTheTypedExceptionEverEscapes() throws Exception {
        List<FuzzHarness.Seed> seeds = new ArrayList<>();
        for (Path p : EventLogCorpusTest.replayableLogs()) {
            byte[] bytes = Files.readAllBytes(p);
            EventLog log = EventLog.parse(bytes);
            seeds.add(new FuzzHarness.Seed(TestCorpus.relative(p), bytes,
                    log.events().stream().mapToInt(e -> (int) e.offset()).toArray()));
        }
        PcrValues nothingClaimed = PcrValues.builder().build();
        FuzzHarness.Outcome outcome = FuzzHarness.run(seeds, Set.of(EventLogFormatException.class), input -> {
            EventLog log = EventLog.parse(input);
            // what a verifier does next must not fail either
            log.replay();
            log.compare(nothingClaimed).describe();
            for (TcgEvent e : log.events()) {
                e.toString();
            }
        }, SEED, CASES, TIME_CAP);
        System.out.println("event log fuzzing: " + outcome.assertMeaningful());
    }
}
