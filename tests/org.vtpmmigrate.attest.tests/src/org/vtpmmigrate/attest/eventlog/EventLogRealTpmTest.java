package org.vtpmmigrate.attest.eventlog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.Test;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;

/**
 * Replays compared with PCR values read from real TPMs: the three ground-truth files of the
 * corpus MANIFEST (a TPM 1.2 laptop, a GCP vTPM, the ima-evm-utils test machine) and swtpm after
 * the corpus tools extended a real boot log into it (quotes/swtpm).
 */
class EventLogRealTpmTest {

    /** go-attestation's Log.PCRs: {"pcrs": {"3": {...}}}, where 3 is Go's crypto.SHA1. */
    private static PcrValues goAttestationPcrs(String relative) {
        JsonObject pcrs = TestCorpus.json(TestCorpus.path(relative)).getAsJsonObject().getAsJsonObject("pcrs");
        JsonObject renamed = new JsonObject();
        renamed.add("sha1", pcrs.get("3"));
        return TestCorpus.pcrsByBank(renamed);
    }

    /** Every PCR the log extends matches the TPM, and nothing the log extends is left uncompared. */
    private static ReplayCheck<TcgEvent> assertReplayMatchesTpm(EventLog log, PcrValues tpm) {
        ReplayCheck<TcgEvent> check = log.compare(tpm);
        assertTrue(check.matches(), check.describe());
        assertTrue(check.notCovered().isEmpty(), check.describe());
        PcrValues replayed = log.replay();
        for (HashAlgorithm bank : replayed.banks()) {
            assertEquals(replayed.indices(bank), check.matched().get(bank), bank + " PCRs compared");
        }
        return check;
    }

    @Test
    void tpm12LaptopLogMatchesItsTpm() throws Exception {
        EventLog log = EventLog.read(TestCorpus.path("eventlogs/go-attestation/linux_tpm12.eventlog.bin"));
        ReplayCheck<TcgEvent> check = assertReplayMatchesTpm(log,
                goAttestationPcrs("eventlogs/go-attestation/linux_tpm12.expected_pcrs.json"));
        assertEquals(new TreeSet<>(List.of(0, 1, 2, 3, 4, 5, 6, 7)), check.matched().get(HashAlgorithm.SHA1));
    }

    @Test
    void gcpWindowsVtpmLogMatchesItsTpm() throws Exception {
        EventLog log = EventLog.read(TestCorpus.path("eventlogs/go-attestation/windows_gcp_shielded_vm.eventlog.bin"));
        ReplayCheck<TcgEvent> check = assertReplayMatchesTpm(log,
                goAttestationPcrs("eventlogs/go-attestation/windows_gcp_shielded_vm.expected_pcrs.json"));
        assertEquals(new TreeSet<>(List.of(0, 4, 5, 7, 11, 12, 13, 14)), check.matched().get(HashAlgorithm.SHA1));
    }

    @Test
    void imaEvmUtilsMachineLogMatchesItsTpm() throws Exception {
        EventLog log = EventLog.read(
                TestCorpus.path("eventlogs/ima-evm-utils/sample-binary_bios_measurements-pcrs-8-9"));
        PcrValues tpm = TestCorpus.numberedLines(TestCorpus.path("ima/ima-evm-utils/sample-tpm-2.0-pcrs-8-9"),
                HashAlgorithm.SHA1);
        assertEquals(24, tpm.indices(HashAlgorithm.SHA1).size(), "tsspcrread lists 24 PCRs");
        ReplayCheck<TcgEvent> check = log.compare(tpm);
        assertTrue(check.matches(), check.describe());
        // the TPM file has the sha1 bank only: the log's sha256 PCRs are vouched for by nothing
        assertEquals(log.replay().indices(HashAlgorithm.SHA256), check.notCovered().get(HashAlgorithm.SHA256));
        assertEquals(new TreeSet<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 14)), check.matched().get(HashAlgorithm.SHA1));
    }

    @Test
    void bootLogReplayedIntoSwtpmMatchesItsPcrRead() throws Exception {
        EventLog log = EventLog.read(TestCorpus.path("eventlogs/go-eventlog/tpm/ubuntu-2104-no-secure-boot.bin"));
        PcrValues tpm = TestCorpus.tpm2ToolsPcrs(TestCorpus.path("quotes/swtpm/common/pcrread_all.yaml"));
        assertEquals(Set.of(HashAlgorithm.SHA1, HashAlgorithm.SHA256, HashAlgorithm.SHA384), tpm.banks());
        ReplayCheck<TcgEvent> check = assertReplayMatchesTpm(log, tpm);
        SortedSet<Integer> expected = new TreeSet<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 14));
        for (Map.Entry<HashAlgorithm, SortedSet<Integer>> e : check.matched().entrySet()) {
            assertEquals(expected, e.getValue(), e.getKey() + " PCRs compared");
        }
    }

    @Test
    void bootLogMatchesTheQuotedPcrsOfTheEventLogQuote() throws Exception {
        EventLog log = EventLog.read(TestCorpus.path("quotes/swtpm/valid_with_eventlog/eventlog.bin"));
        PcrValues quoted = TestCorpus.tpm2ToolsPcrs(
                TestCorpus.path("quotes/swtpm/valid_with_eventlog/quote.stdout.yaml"));
        ReplayCheck<TcgEvent> check = log.compare(quoted);
        assertTrue(check.matches(), check.describe());
        // the quote selected sha1 and sha256 only; the log's sha384 bank is not covered
        assertEquals(log.replay().indices(HashAlgorithm.SHA384), check.notCovered().get(HashAlgorithm.SHA384));
        assertFalse(check.notCovered().containsKey(HashAlgorithm.SHA256));
    }

    @Test
    void aTamperedPcrIsNamedWithItsBankValuesAndEvents() throws Exception {
        EventLog log = EventLog.read(TestCorpus.path("eventlogs/go-attestation/windows_gcp_shielded_vm.eventlog.bin"));
        PcrValues tpm = goAttestationPcrs("eventlogs/go-attestation/windows_gcp_shielded_vm.expected_pcrs.json");
        byte[] pcr7 = tpm.get(HashAlgorithm.SHA1, 7).orElseThrow();
        pcr7[0] ^= 1;
        PcrValues.Builder tampered = PcrValues.builder();
        for (int i : tpm.indices(HashAlgorithm.SHA1)) {
            tampered.put(HashAlgorithm.SHA1, i, i == 7 ? pcr7 : tpm.get(HashAlgorithm.SHA1, i).orElseThrow());
        }
        ReplayCheck<TcgEvent> check = log.compare(tampered.build());
        assertFalse(check.matches());
        assertEquals(1, check.mismatches().size(), check.describe());
        ReplayCheck.Mismatch<TcgEvent> m = check.mismatches().get(0);
        assertEquals(HashAlgorithm.SHA1, m.bank());
        assertEquals(7, m.pcr());
        assertArrayEquals(pcr7, m.claimed());
        assertArrayEquals(log.replay().get(HashAlgorithm.SHA1, 7).orElseThrow(), m.replayed());
        assertEquals(log.extendedEvents(HashAlgorithm.SHA1, 7), m.entries());
        assertFalse(m.entries().isEmpty());
        assertTrue(m.entries().stream().allMatch(e -> e.pcrIndex() == 7 && e.isExtended()));
        String description = check.describe();
        assertTrue(description.contains("sha1 PCR 7"), description);
        assertTrue(description.contains("event " + m.entries().get(0).index() + " "), description);
        assertEquals(Set.of(0, 4, 5, 11, 12, 13, 14), check.matched().get(HashAlgorithm.SHA1));
    }

    @Test
    void aPcrLeftOutOfTheClaimIsReportedAsNotCovered() throws Exception {
        EventLog log = EventLog.read(TestCorpus.path("eventlogs/go-eventlog/tpm/ubuntu-2104-no-secure-boot.bin"));
        PcrValues tpm = TestCorpus.tpm2ToolsPcrs(TestCorpus.path("quotes/swtpm/common/pcrread_all.yaml"));
        PcrValues.Builder without14 = PcrValues.builder();
        for (HashAlgorithm bank : tpm.banks()) {
            for (int i : tpm.indices(bank)) {
                if (i != 14) {
                    without14.put(bank, i, tpm.get(bank, i).orElseThrow());
                }
            }
        }
        ReplayCheck<TcgEvent> check = log.compare(without14.build());
        assertTrue(check.matches(), "the PCRs that are compared still agree: " + check.describe());
        for (HashAlgorithm bank : tpm.banks()) {
            assertEquals(Set.of(14), check.notCovered().get(bank), bank + " not covered");
        }
        assertTrue(check.describe().contains("PCRs [14] are extended by the log but not covered"), check.describe());
    }
}
