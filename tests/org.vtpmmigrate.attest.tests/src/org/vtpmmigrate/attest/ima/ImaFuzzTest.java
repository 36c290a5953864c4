package org.vtpmmigrate.attest.ima;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.eventlog.FuzzHarness;

/** Both IMA parsers under random and mutated input, seeded with every list of the corpus. */
class ImaFuzzTest {
    private static final int CASES = 2000;
    private static final Duration TIME_CAP = Duration.ofSeconds(10);
    private static final Set<Class<? extends Exception>> TYPED =
            Set.of(ImaFormatException.class, ImaReplayException.class);

    /** Seeds of one format, with the offsets where entries (lines) start. */
    private static List<FuzzHarness.Seed> seeds(ImaLog.Format format) throws Exception {
        List<FuzzHarness.Seed> seeds = new ArrayList<>();
        for (Path p : ImaLogCorpusTest.parseableLists()) {
            byte[] bytes = Files.readAllBytes(p);
            ImaLog log = ImaLog.parse(bytes);
            if (log.format() == format) {
                int[] offsets = log.entries().stream().mapToInt(e -> (int) e.offset()).toArray();
                seeds.add(new FuzzHarness.Seed(p.getFileName().toString(), bytes, offsets));
            }
        }
        return seeds;
    }

    /** Parsing, then what a verifier does with the list; replay may refuse a bank with its typed exception. */
    private static void exercise(ImaLog log) throws ImaReplayException {
        log.templateHashProblems();
        log.bootAggregate();
        for (ImaEntry e : log.entries()) {
            e.toString();
        }
        PcrValues claimed = PcrValues.builder().put(HashAlgorithm.SHA256, 10, new byte[32]).build();
        log.compare(claimed).describe();
        log.replay(HashAlgorithm.SHA1, HashAlgorithm.SHA256);
    }

    @Test
    void asciiParserOnlyThrowsItsTypedExceptions() throws Exception {
        List<FuzzHarness.Seed> seeds = seeds(ImaLog.Format.ASCII);
        assertTrue(seeds.size() >= 5, "ASCII seeds: " + seeds.size());
        FuzzHarness.Outcome outcome = FuzzHarness.run(seeds, TYPED, input -> exercise(ImaLog.parseAscii(input)),
                0xA5C11L, CASES, TIME_CAP).assertMeaningful();
        System.out.println("IMA ASCII fuzzing: " + outcome);
    }

    @Test
    void binaryParserOnlyThrowsItsTypedExceptions() throws Exception {
        List<FuzzHarness.Seed> seeds = seeds(ImaLog.Format.BINARY);
        assertTrue(seeds.size() >= 4, "binary seeds: " + seeds.size());
        FuzzHarness.Outcome outcome = FuzzHarness.run(seeds, TYPED, input -> exercise(ImaLog.parseBinary(input)),
                0xB1AL, CASES, TIME_CAP).assertMeaningful();
        System.out.println("IMA binary fuzzing: " + outcome);
    }
}
