package org.vtpmmigrate.attest.ima;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.eventlog.EventLog;
import org.vtpmmigrate.attest.eventlog.ReplayCheck;
import org.vtpmmigrate.attest.eventlog.TestCorpus;

/**
 * IMA replays against PCR values read from TPMs, and the boot_aggregate links between IMA lists
 * and boot event logs that the corpus MANIFEST describes.
 */
class ImaRealTpmTest {

    @Test
    void keylimeListReplayedIntoSwtpmMatchesPcr10InEveryBank() throws Exception {
        ImaLog log = ImaLog.read(TestCorpus.path("ima/rust-keylime/ascii_runtime_measurements"));
        assertEquals(826, log.entries().size());
        PcrValues tpm = TestCorpus.tpm2ToolsPcrs(TestCorpus.path("quotes/swtpm/common/pcrread_all.yaml"));
        ReplayCheck<ImaEntry> check = log.compare(tpm);
        assertTrue(check.matches(), check.describe());
        for (HashAlgorithm bank : List.of(HashAlgorithm.SHA1, HashAlgorithm.SHA256, HashAlgorithm.SHA384)) {
            assertEquals(Set.of(10), check.matched().get(bank), bank + ": PCR 10 compared");
        }
        assertTrue(check.notCovered().isEmpty());
        assertEquals(List.of(), log.templateHashProblems());
    }

    @Test
    void truncatedSampleListDoesNotExplainTheMachinesPcr10AndSaysWhy() throws Exception {
        // MANIFEST: the machine's PCR10 belongs to the full list, not to this 1-line sample
        ImaLog sample = ImaLog.read(TestCorpus.path("ima/ima-evm-utils/sample-ascii_runtime_measurements-pcrs-8-9"));
        PcrValues tpm = TestCorpus.numberedLines(TestCorpus.path("ima/ima-evm-utils/sample-tpm-2.0-pcrs-8-9"),
                HashAlgorithm.SHA1);
        ReplayCheck<ImaEntry> check = sample.compare(tpm);
        assertFalse(check.matches());
        assertEquals(1, check.mismatches().size());
        ReplayCheck.Mismatch<ImaEntry> m = check.mismatches().get(0);
        assertEquals(HashAlgorithm.SHA1, m.bank());
        assertEquals(10, m.pcr());
        assertEquals("3134641a3e8a1f5f75fa850bb21c3104d6ab863b", HexFormat.of().formatHex(m.claimed()));
        assertEquals(sample.entries(), m.entries());
        assertTrue(check.describe().contains("sha1 PCR 10: claimed 3134641a"), check.describe());
        assertTrue(check.describe().contains("boot_aggregate"), check.describe());
    }

    @Test
    void bootAggregateOfNewerKernelCoversPcrs0To9OfTheBootLog() throws Exception {
        EventLog boot = EventLog.read(
                TestCorpus.path("eventlogs/ima-evm-utils/sample-binary_bios_measurements-pcrs-8-9"));
        ImaLog ima = ImaLog.read(TestCorpus.path("ima/ima-evm-utils/sample-ascii_runtime_measurements-pcrs-8-9"));
        ImaEntry aggregate = ima.bootAggregate().orElseThrow();
        assertEquals(Optional.of(HashAlgorithm.SHA256), aggregate.fileDigestHashAlgorithm());
        byte[] computed = BootAggregate.compute(boot.replay(), HashAlgorithm.SHA256, true);
        assertArrayEquals(aggregate.fileDigest().orElseThrow(), computed);
        assertTrue(HexFormat.of().formatHex(computed).startsWith("83d19723"));
        // PCRs 0-7 alone do not give it: this kernel includes 8 and 9
        byte[] pcrs0To7 = BootAggregate.compute(boot.replay(), HashAlgorithm.SHA256, false);
        assertFalse(java.util.Arrays.equals(computed, pcrs0To7));
    }

    @Test
    void bootAggregateOfOlderKernelCoversPcrs0To7() throws Exception {
        EventLog boot = EventLog.read(TestCorpus.path("eventlogs/ima-evm-utils/test_binary_bios_measurements"));
        ImaLog ima = ImaLog.read(TestCorpus.path("ima/ima-evm-utils/test_ascii_runtime_measurements"));
        byte[] computed = BootAggregate.compute(boot.replay(), HashAlgorithm.SHA256, false);
        assertArrayEquals(ima.bootAggregate().orElseThrow().fileDigest().orElseThrow(), computed);
        assertTrue(HexFormat.of().formatHex(computed).startsWith("f1b4c7c9"));
    }

    @Test
    void listStartedWithoutATpmHasAZeroBootAggregate() throws Exception {
        ImaLog log = ImaLog.read(TestCorpus.path("ima/rust-keylime/ascii_runtime_measurements"));
        ImaEntry aggregate = log.bootAggregate().orElseThrow();
        assertEquals(Optional.of("sha1:" + "00".repeat(20)), aggregate.fileDigestText());
        assertFalse(aggregate.isViolation(), "a zero file digest is not a violation; the template hash is not zero");
    }
}
