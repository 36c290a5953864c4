package org.vtpmmigrate.attest.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.eventlog.EventLog;
import org.vtpmmigrate.attest.policy.Finding.Category;
import org.vtpmmigrate.attest.tpm2.TpmPublic;
import org.vtpmmigrate.attest.tpm2.Tpm2ToolsFiles;

/**
 * "New policy from this evidence": refused for evidence that does not verify or offers only
 * SHA-1 (the real GCP Shielded VM quote and its Windows boot log), accepted for SHA-1 only when
 * the caller accepts SHA-1 explicitly, with notes on what the policy leaves open.
 */
class PolicyGeneratorTest {
    private static final String GCP = "quotes/go-attestation-gcp-windows/";

    private static Evidence gcpWindows() throws Exception {
        return Evidence.builder(Evidence.Quote.of(TpmPublic.parseTpm2b(SwtpmVector.bytes(GCP + "ak.tpm2b_public.bin")),
                SwtpmVector.bytes(GCP + "quote.msg"), SwtpmVector.bytes(GCP + "quote.sig"),
                Tpm2ToolsFiles.readSerializedPcrs(SwtpmVector.bytes(GCP + "quote.pcrs")), new byte[0]))
                .eventLog(EventLog.read(SwtpmVector.path("eventlogs/go-attestation/windows_gcp_shielded_vm.eventlog.bin")))
                .build();
    }

    @Test
    void sha1OnlyEvidenceIsRefusedAsADowngrade() throws Exception {
        EvidenceRejectedException e = assertThrows(EvidenceRejectedException.class,
                () -> PolicyGenerator.fromEvidence(gcpWindows(), PolicyGenerator.Options.of("gcp")));
        assertTrue(e.getMessage().contains("covers no accepted PCR bank") && e.getMessage().contains("sha1:0-23"),
                e.getMessage());

        // a SHA-256 policy judging the same evidence names every downgrade
        Policy sha256 = Policy.builder("sha256-only").pcrSelection(org.vtpmmigrate.attest.tpm2.PcrSelection.parseSpec(
                "sha256:0-7")).eventLog(new Policy.EventLogRules(true, Policy.EventLogRules.knownTypes(),
                        java.util.Map.of(), java.util.Map.of())).build();
        Verdict v = PolicyEvaluator.evaluate(sha256, gcpWindows());
        List<Finding> algorithm = v.errors().stream().filter(f -> f.category() == Category.ALGORITHM).toList();
        assertEquals(3, algorithm.size(), v.toText());
        assertTrue(algorithm.get(0).detail().contains("signature hash sha1 is not allowed"), algorithm.get(0).detail());
        assertTrue(algorithm.get(1).message().contains("only covers PCR banks the policy does not accept"));
        assertTrue(algorithm.get(2).message().contains("boot event log only records digests"));
        assertEquals(Set.of(Category.ALGORITHM, Category.PCR_SELECTION),
                v.errors().stream().map(Finding::category).collect(Collectors.toSet()), v.toText());
    }

    @Test
    void sha1EvidenceMakesAPolicyWhenSha1IsAcceptedOnPurpose() throws Exception {
        Policy.Algorithms withSha1 = new Policy.Algorithms(EnumSet.of(HashAlgorithm.SHA1, HashAlgorithm.SHA256),
                EnumSet.of(HashAlgorithm.SHA1, HashAlgorithm.SHA256));
        PolicyGenerator.Result r = PolicyGenerator.fromEvidence(gcpWindows(),
                PolicyGenerator.Options.of("gcp-legacy").withAlgorithms(withSha1));
        assertEquals(24, r.policy().referenceValues().size(), "all 24 quoted sha1 PCRs");
        Verdict v = PolicyEvaluator.evaluate(r.policy(), gcpWindows());
        assertTrue(v.trusted(), v.toText());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("no trusted EK certificate authority")), r.notes().toString());
    }

    @Test
    void evidenceThatDoesNotVerifyIsRefusedWithItsVerdict() {
        byte[] otherNonce = SwtpmVector.hexFile(SwtpmVector.DIR + "wrong_nonce/verifier_nonce.hex");
        Evidence replayed = Evidence.builder(SwtpmVector.quote("valid", otherNonce)).eventLog(SwtpmVector.eventLog()).build();
        EvidenceRejectedException e = assertThrows(EvidenceRejectedException.class,
                () -> PolicyGenerator.fromEvidence(replayed, PolicyGenerator.Options.of("x")));
        assertEquals(List.of(Category.NONCE), e.verdict().orElseThrow().errors().stream().map(Finding::category).toList());

        // a boot log from another machine does not replay to the quote
        Evidence wrongLog = Evidence.builder(SwtpmVector.quote("valid"))
                .eventLog(SwtpmVector.eventLog(SwtpmVector.bytes("eventlogs/go-eventlog/tpm/ubuntu-2104-no-dbx.bin")))
                .build();
        EvidenceRejectedException log = assertThrows(EvidenceRejectedException.class,
                () -> PolicyGenerator.fromEvidence(wrongLog, PolicyGenerator.Options.of("x")));
        assertTrue(log.verdict().orElseThrow().errors().stream().allMatch(f -> f.category() == Category.EVENT_LOG));
    }

    @Test
    void aLaunchPcrTheQuoteDoesNotCoverIsRefused() {
        Evidence e = SwtpmVector.valid().launchLog(LaunchLog.of(java.util.Optional.empty(), List.of(new LaunchLog.Event(
                java.util.Optional.empty(), "firmware", new byte[32])))).build();
        EvidenceRejectedException x = assertThrows(EvidenceRejectedException.class,
                () -> PolicyGenerator.fromEvidence(e, PolicyGenerator.Options.of("x").withLaunchPcr(15)));
        assertTrue(x.getMessage().contains("vmLaunch.pcr"), x.getMessage());
    }

    @Test
    void givenImaRulesReplaceTheListsOwnAndInvalidIdsAreRefused() throws Exception {
        Policy.ImaRules keylime = KeylimeRuntimePolicy.read(SwtpmVector.path(
                "policies/keylime/runtime/runtime-policy-test.json"));
        PolicyGenerator.Options options = PolicyGenerator.Options.of("imported").withImaRules(keylime);
        // the vector's IMA list measured other files than the Keylime policy lists: refused, with the files named
        EvidenceRejectedException e = assertThrows(EvidenceRejectedException.class,
                () -> PolicyGenerator.fromEvidence(SwtpmVector.valid().build(), options));
        assertTrue(e.verdict().orElseThrow().errors().stream().allMatch(f -> f.category() == Category.IMA_FILE
                || f.category() == Category.BOOT_AGGREGATE), e.verdict().get().toText());
        assertThrows(IllegalArgumentException.class, () -> PolicyGenerator.Options.of("no spaces allowed"));
    }
}
