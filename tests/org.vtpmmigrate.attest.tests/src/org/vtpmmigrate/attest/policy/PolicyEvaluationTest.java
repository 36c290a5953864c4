package org.vtpmmigrate.attest.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.eventlog.EventType;
import org.vtpmmigrate.attest.eventlog.TcgEvent;
import org.vtpmmigrate.attest.policy.Finding.Category;
import org.vtpmmigrate.attest.tpm2.ClockInfo;
import org.vtpmmigrate.attest.tpm2.EkCertificateValidator;
import org.vtpmmigrate.attest.tpm2.TpmAttest;
import org.vtpmmigrate.attest.tpm2.TpmPublic;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * Evaluation of the real swtpm quote vector (boot log, IMA log, EK certificate) against the
 * policy generated from it, and against that policy with one thing changed at a time, or with
 * one piece of evidence altered: each change must produce the expected finding, with the PCR,
 * event or file it concerns, and nothing else must fail.
 */
class PolicyEvaluationTest {
    /** The shim boot loader's event in PCR 4 of the vector's boot log. */
    private static final int SHIM_EVENT = 23;

    private static Policy policy;

    @BeforeAll
    static void generate() {
        policy = SwtpmVector.generated();
    }

    private static List<Finding> errors(Verdict v, Category c) {
        return v.errors().stream().filter(f -> f.category() == c).collect(Collectors.toList());
    }

    private static Set<Category> errorCategories(Verdict v) {
        return v.errors().stream().map(Finding::category).collect(Collectors.toSet());
    }

    @Test
    void theGeneratedPolicyTrustsTheEvidenceItWasMadeFrom() {
        Verdict v = PolicyEvaluator.evaluate(policy, SwtpmVector.valid().build());
        assertTrue(v.trusted(), v.toText());
        // the one thing files cannot show: that the AK lives in the EK's TPM (credential activation)
        assertEquals(List.of(Category.ATTESTATION_KEY), v.warnings().stream().map(Finding::category).toList(), v.toText());
        Verdict enrolled = PolicyEvaluator.evaluate(policy, SwtpmVector.valid().akBoundToEk(true).build());
        assertTrue(enrolled.findings().isEmpty(), enrolled.toText());
        assertEquals(policy.id(), v.policyId());
        assertEquals(policy.digestHex(), v.policyDigest());
    }

    @Test
    void theGeneratedPolicyPinsTheQuotedStateExceptTheImaPcr() {
        SortedSet<Integer> pinned = new TreeSet<>(policy.referenceValues().keySet());
        assertEquals(new TreeSet<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 16, 23)), pinned);
        assertEquals(new TreeSet<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 16, 23)),
                policy.pcrSelection().selected().get(HashAlgorithm.SHA256));
        assertEquals(Set.of(HashAlgorithm.SHA256), policy.pcrSelection().selected().keySet(), "SHA-1 is not accepted");
        // the quote's PCR 7 (tpm2_quote's printout of the vector: quote.stdout.yaml)
        assertEquals(Set.of("0d8847bc5eca06452df10e2f214363845c7ac11d47525a5474e225e72ce25dfe"),
                policy.referenceValues().get(7).get(HashAlgorithm.SHA256));
        Policy.EventLogRules events = policy.eventLog().orElseThrow();
        assertTrue(events.acceptedTypes().contains(EventType.EV_EFI_BOOT_SERVICES_APPLICATION.value()));
        assertFalse(events.acceptedTypes().contains(EventType.EV_NO_ACTION.value()), "EV_NO_ACTION is never extended");
        // every distinct file of the IMA list but the boot aggregate (counted from the text, column 5)
        long files = new String(SwtpmVector.bytes(SwtpmVector.IMA_LOG), StandardCharsets.UTF_8).lines()
                .map(l -> l.split(" ", 5)[4]).filter(p -> !p.equals("boot_aggregate")).distinct().count();
        assertEquals(files, policy.ima().orElseThrow().allowlist().size());
        assertEquals(Set.of("sha1:c90333979f56f38bbd41b81806015b0de502f3cc"),
                policy.ima().get().allowlist().get("/bin/sh"));
        assertFalse(policy.ima().get().checkBootAggregate(), "the vector's IMA list has an all-zero boot aggregate");
    }

    @Test
    void aWrongNonceIsReportedAndEverythingElseStillChecked() {
        byte[] verifierNonce = SwtpmVector.hexFile(SwtpmVector.DIR + "wrong_nonce/verifier_nonce.hex");
        Evidence e = SwtpmVector.withEk(Evidence.builder(SwtpmVector.quote("valid", verifierNonce))
                .eventLog(SwtpmVector.eventLog()).imaLog(SwtpmVector.imaLog())).build();
        Verdict v = PolicyEvaluator.evaluate(policy, e);
        assertFalse(v.trusted());
        assertEquals(Set.of(Category.NONCE), errorCategories(v), v.toText());
        Finding f = v.errors().get(0);
        assertEquals(HexFormat.of().formatHex(verifierNonce), f.expected());
        assertEquals(new String(SwtpmVector.bytes(SwtpmVector.DIR + "valid/nonce.hex"), StandardCharsets.US_ASCII).strip(),
                f.actual());
        assertTrue(f.message().contains("replayed"), f.message());
    }

    @Test
    void aTamperedPcrValueFailsTheQuoteAndTheImaReplay() {
        Evidence e = SwtpmVector.withEk(Evidence.builder(SwtpmVector.quote("tampered_pcrs"))
                .eventLog(SwtpmVector.eventLog()).imaLog(SwtpmVector.imaLog())).build();
        Verdict v = PolicyEvaluator.evaluate(policy, e);
        assertEquals(Set.of(Category.QUOTE_PCRS, Category.IMA_LOG), errorCategories(v), v.toText());
        Finding ima = errors(v, Category.IMA_LOG).get(0);
        assertEquals(OptionalInt.of(10), ima.location().pcr());
        assertEquals(Optional.of(HashAlgorithm.SHA256), ima.location().bank());
    }

    @Test
    void aTamperedSignatureIsASignatureFailureOnly() {
        Evidence e = SwtpmVector.withEk(Evidence.builder(SwtpmVector.quote("tampered_sig"))
                .eventLog(SwtpmVector.eventLog()).imaLog(SwtpmVector.imaLog())).build();
        Verdict v = PolicyEvaluator.evaluate(policy, e);
        assertEquals(Set.of(Category.QUOTE_SIGNATURE), errorCategories(v), v.toText());
    }

    @Test
    void anAlteredEventDigestBreaksTheReplayOfItsPcrAndIsNotAllowed() {
        byte[] log = SwtpmVector.bytes(SwtpmVector.EVENT_LOG);
        TcgEvent shim = SwtpmVector.eventLog().events().get(SHIM_EVENT);
        byte[] digest = shim.digest(HashAlgorithm.SHA256).orElseThrow();
        int at = indexOf(log, digest, (int) shim.offset());
        log[at] ^= 0x01;
        Verdict v = PolicyEvaluator.evaluate(policy, SwtpmVector.valid().eventLog(SwtpmVector.eventLog(log)).build());
        List<Finding> replay = errors(v, Category.EVENT_LOG);
        assertEquals(1, replay.size(), v.toText());
        assertEquals(OptionalInt.of(4), replay.get(0).location().pcr());
        assertEquals(Optional.of(HashAlgorithm.SHA256), replay.get(0).location().bank());
        assertTrue(replay.get(0).detail().contains("event 23 EV_EFI_BOOT_SERVICES_APPLICATION"), replay.get(0).detail());
        List<Finding> digests = errors(v, Category.EVENT_DIGEST);
        assertEquals(1, digests.size(), v.toText());
        assertEquals(OptionalInt.of(SHIM_EVENT), digests.get(0).location().entryIndex());
        digest[0] ^= 0x01;
        assertEquals("sha256:" + HexFormat.of().formatHex(digest), digests.get(0).actual());
        assertEquals(Set.of(Category.EVENT_LOG, Category.EVENT_DIGEST), errorCategories(v));
    }

    @Test
    void anEventTypeIsNotMeasuredSoAnUnexpectedOneIsRefusedThoughTheReplayMatches() {
        byte[] log = SwtpmVector.bytes(SwtpmVector.EVENT_LOG);
        TcgEvent shim = SwtpmVector.eventLog().events().get(SHIM_EVENT);
        putU32(log, (int) shim.offset() + 4, 0x800000FFL);
        Verdict unknown = PolicyEvaluator.evaluate(policy, SwtpmVector.valid().eventLog(SwtpmVector.eventLog(log)).build());
        assertEquals(Set.of(Category.EVENT_TYPE), errorCategories(unknown), unknown.toText());
        Finding f = unknown.errors().get(0);
        assertEquals(OptionalInt.of(SHIM_EVENT), f.location().entryIndex());
        assertEquals("0x800000FF", f.actual());
        assertTrue(f.message().contains("does not know") && f.message().contains("not measured"), f.message());

        putU32(log, (int) shim.offset() + 4, EventType.EV_PLATFORM_CONFIG_FLAGS.value());
        Verdict known = PolicyEvaluator.evaluate(policy, SwtpmVector.valid().eventLog(SwtpmVector.eventLog(log)).build());
        assertEquals(Set.of(Category.EVENT_TYPE), errorCategories(known), known.toText());
        assertTrue(known.errors().get(0).message().contains("EV_PLATFORM_CONFIG_FLAGS, which the policy does not accept"));
    }

    @Test
    void aReferenceValueMismatchNamesThePcrBothValuesAndItsEvents() {
        String other = "ab".repeat(32);
        Policy changed = policy.toBuilder().clearReferenceValues(7).referenceValues(HashAlgorithm.SHA256, 7,
                List.of(other)).build();
        Verdict v = PolicyEvaluator.evaluate(changed, SwtpmVector.valid().build());
        List<Finding> pcr = errors(v, Category.PCR_VALUE);
        assertEquals(1, pcr.size(), v.toText());
        assertEquals(1, v.errors().size());
        Finding f = pcr.get(0);
        assertEquals(OptionalInt.of(7), f.location().pcr());
        assertEquals(other, f.expected());
        assertEquals("0d8847bc5eca06452df10e2f214363845c7ac11d47525a5474e225e72ce25dfe", f.actual());
        assertTrue(f.message().contains("Secure Boot policy"), f.message());
        assertTrue(f.detail().contains("event 3 EV_EFI_VARIABLE_DRIVER_CONFIG"), f.detail());
        assertTrue(!changed.digestHex().equals(policy.digestHex()), "a changed policy has another digest");

        Policy either = changed.toBuilder().referenceValues(HashAlgorithm.SHA256, 7,
                List.of("0d8847bc5eca06452df10e2f214363845c7ac11d47525a5474e225e72ce25dfe")).build();
        assertEquals(2, either.referenceValues().get(7).get(HashAlgorithm.SHA256).size());
        assertTrue(PolicyEvaluator.evaluate(either, SwtpmVector.valid().build()).trusted(), "one of several values");
    }

    @Test
    void aForbiddenEventDigestIsNamed() {
        Policy.EventLogRules r = policy.eventLog().orElseThrow();
        String shim = HexFormat.of().formatHex(SwtpmVector.eventLog().events().get(SHIM_EVENT)
                .digest(HashAlgorithm.SHA256).orElseThrow());
        Policy changed = policy.toBuilder().eventLog(new Policy.EventLogRules(true, r.acceptedTypes(), r.allowedDigests(),
                java.util.Map.of(HashAlgorithm.SHA256, new TreeSet<>(List.of(shim))))).build();
        Verdict v = PolicyEvaluator.evaluate(changed, SwtpmVector.valid().build());
        assertEquals(1, v.errors().size(), v.toText());
        Finding f = v.errors().get(0);
        assertEquals(Category.EVENT_DIGEST, f.category());
        assertEquals(OptionalInt.of(SHIM_EVENT), f.location().entryIndex());
        assertTrue(f.message().contains("forbids"), f.message());
    }

    @Test
    void imaFilesOffTheAllowlistOrWithOtherDigestsAreNamedAndExcludesApply() {
        Policy.ImaRules r = policy.ima().orElseThrow();
        SortedMap<String, SortedSet<String>> allowlist = new TreeMap<>(r.allowlist());
        allowlist.remove("/bin/sh");
        allowlist.put("/init", new TreeSet<>(List.of("sha1:" + "00".repeat(20))));
        Policy changed = policy.toBuilder().ima(new Policy.ImaRules(r.pcr(), false, allowlist, List.of())).build();
        Verdict v = PolicyEvaluator.evaluate(changed, SwtpmVector.valid().build());
        List<Finding> files = errors(v, Category.IMA_FILE);
        assertEquals(v.errors(), files, v.toText());
        assertEquals(List.of("/init", "/bin/sh"), files.stream().map(f -> f.location().file().orElseThrow()).toList());
        assertEquals(OptionalInt.of(1), files.get(0).location().entryIndex());
        assertEquals("sha1:19f13b42c2745066347e76454788c0fe083643f3", files.get(0).actual());
        assertTrue(files.get(0).message().contains("not an approved version"), files.get(0).message());
        assertTrue(files.get(1).message().contains("not on the IMA allowlist"), files.get(1).message());
        assertTrue(files.get(1).detail().contains("line 3"), files.get(1).detail());

        Policy excluded = changed.toBuilder().ima(new Policy.ImaRules(r.pcr(), false, allowlist,
                List.of("/bin/", "/ini"))).build();
        assertTrue(PolicyEvaluator.evaluate(excluded, SwtpmVector.valid().build()).trusted(), "excludes match prefixes");
    }

    @Test
    void anAlteredImaEntryFailsItsTemplateHashAndTheReplay() {
        String list = new String(SwtpmVector.bytes(SwtpmVector.IMA_LOG), StandardCharsets.UTF_8);
        // line 3, /bin/sh: another file digest with the logged template hash left as it was
        String altered = list.replace("sha1:c90333979f56f38bbd41b81806015b0de502f3cc /bin/sh",
                "sha1:c90333979f56f38bbd41b81806015b0de502f3cd /bin/sh");
        assertTrue(!altered.equals(list));
        Verdict v = PolicyEvaluator.evaluate(policy, SwtpmVector.valid()
                .imaLog(SwtpmVector.imaLog(altered.getBytes(StandardCharsets.UTF_8))).build());
        List<Finding> ima = errors(v, Category.IMA_LOG);
        // sha256 bank replays the template data, which changed; the template hash no longer matches it
        assertEquals(2, ima.size(), v.toText());
        assertTrue(ima.stream().anyMatch(f -> f.location().pcr().equals(OptionalInt.of(10))
                && f.location().bank().equals(Optional.of(HashAlgorithm.SHA256))));
        assertTrue(ima.stream().anyMatch(f -> f.location().file().equals(Optional.of("/bin/sh"))
                && f.message().contains("altered")));
        assertEquals(1, errors(v, Category.IMA_FILE).size(), "and the digest is not on the allowlist");
    }

    @Test
    void anImaLogStartedWithoutATpmFailsTheBootAggregateCheck() {
        Policy.ImaRules r = policy.ima().orElseThrow();
        Policy strict = policy.toBuilder().ima(new Policy.ImaRules(r.pcr(), true, r.allowlist(), r.excludes())).build();
        Verdict v = PolicyEvaluator.evaluate(strict, SwtpmVector.valid().build());
        List<Finding> agg = errors(v, Category.BOOT_AGGREGATE);
        assertEquals(v.errors(), agg, v.toText());
        assertEquals(1, agg.size());
        assertTrue(agg.get(0).message().contains("without a TPM"), agg.get(0).message());
        assertEquals("sha1:" + "00".repeat(20), agg.get(0).actual());
    }

    @Test
    void missingEvidenceThePolicyNeedsIsAnError() {
        Verdict v = PolicyEvaluator.evaluate(policy, Evidence.builder(SwtpmVector.quote("valid")).build());
        assertEquals(List.of("boot event log", "IMA log", "EK certificate"),
                errors(v, Category.EVIDENCE).stream().map(f -> f.location().subject()).toList(), v.toText());
        assertEquals(Set.of(Category.EVIDENCE), errorCategories(v));
    }

    @Test
    void aPcrThePolicyRequiresButTheQuoteLacksIsNamed() {
        Policy wider = policy.toBuilder().pcrSelection(org.vtpmmigrate.attest.tpm2.PcrSelection.parseSpec(
                "sha256:0-10,14-16,23")).build();
        Verdict v = PolicyEvaluator.evaluate(wider, SwtpmVector.valid().build());
        assertEquals(Set.of(Category.PCR_SELECTION), errorCategories(v), v.toText());
        assertTrue(v.errors().get(0).message().contains("PCR 15 of the sha256 bank"), v.errors().get(0).message());
    }

    @Test
    void theEkCertificateMustChainToATrustedCaAndCertifyTheTpmsEk() throws Exception {
        Evidence good = SwtpmVector.valid().build();
        // the issuing CA alone is a trust anchor too
        byte[] issuer = SwtpmVector.bytes(SwtpmVector.ISSUER_CA);
        Policy trustIssuer = policy.toBuilder().ekTrust(new Policy.EkTrust(List.of(new Policy.CertificateSource(
                Optional.empty(), List.of(EkCertificateValidator.parseCertificate(issuer)))), List.of())).build();
        assertTrue(PolicyEvaluator.evaluate(trustIssuer, good).trusted());

        // a certificate that did not issue the EK certificate
        byte[] ekCert = SwtpmVector.bytes(SwtpmVector.DIR + "common/ek_rsa_cert.pem");
        Policy trustOther = policy.toBuilder().ekTrust(new Policy.EkTrust(List.of(new Policy.CertificateSource(
                Optional.empty(), List.of(EkCertificateValidator.parseCertificate(ekCert)))), List.of())).build();
        Evidence noChain = Evidence.builder(SwtpmVector.quote("valid")).eventLog(SwtpmVector.eventLog())
                .imaLog(SwtpmVector.imaLog()).ek(EkCertificateValidator.parseCertificate(ekCert),
                        TpmPublic.parseTpm2b(SwtpmVector.bytes(SwtpmVector.DIR + "common/ek.pub")), List.of()).build();
        Verdict untrusted = PolicyEvaluator.evaluate(trustOther, noChain);
        assertEquals(Set.of(Category.EK_CERTIFICATE), errorCategories(untrusted), untrusted.toText());
        assertTrue(untrusted.errors().get(0).detail().startsWith("NO_PATH"), untrusted.errors().get(0).detail());

        // the right chain, but the certificate is not for the key presented as the EK
        Evidence otherKey = Evidence.builder(SwtpmVector.quote("valid")).eventLog(SwtpmVector.eventLog())
                .imaLog(SwtpmVector.imaLog()).ek(EkCertificateValidator.parseCertificate(ekCert),
                        TpmPublic.parseTpm2b(SwtpmVector.bytes(SwtpmVector.DIR + "common/akecc.pub.tss")),
                        List.of(EkCertificateValidator.parseCertificate(issuer))).build();
        Verdict mismatch = PolicyEvaluator.evaluate(policy, otherKey);
        assertEquals(Set.of(Category.EK_CERTIFICATE), errorCategories(mismatch), mismatch.toText());
        assertTrue(mismatch.errors().get(0).detail().startsWith("KEY_MISMATCH"), mismatch.errors().get(0).detail());

        Policy noTrust = policy.toBuilder().ekTrust(Policy.EkTrust.NONE).build();
        Verdict unchecked = PolicyEvaluator.evaluate(noTrust, good);
        assertTrue(unchecked.trusted());
        assertEquals(List.of(Category.EK_CERTIFICATE), unchecked.warnings().stream().map(Finding::category).toList());
    }

    @Test
    void anEarlierClockReadingFromAnotherBootIsAFreshnessError() throws Exception {
        ClockInfo quoted = TpmAttest.parse(SwtpmVector.bytes(SwtpmVector.DIR + "valid/quote.msg")).clockInfo();
        assertTrue(quoted.safe());
        Evidence sameBoot = SwtpmVector.valid().previousClock(new ClockInfo(quoted.clock() - 1000, quoted.resetCount(),
                quoted.restartCount(), true)).build();
        assertTrue(PolicyEvaluator.evaluate(policy, sameBoot).trusted());

        Evidence rebooted = SwtpmVector.valid().previousClock(new ClockInfo(quoted.clock() - 1000,
                quoted.resetCount() - 1, quoted.restartCount(), true)).build();
        Verdict v = PolicyEvaluator.evaluate(policy, rebooted);
        assertEquals(Set.of(Category.FRESHNESS), errorCategories(v), v.toText());
        assertTrue(v.errors().get(0).message().contains("rebooted"), v.errors().get(0).message());

        Evidence backwards = SwtpmVector.valid().previousClock(new ClockInfo(quoted.clock() + 1, quoted.resetCount(),
                quoted.restartCount(), true)).build();
        assertTrue(PolicyEvaluator.evaluate(policy, backwards).errors().get(0).message().contains("backwards"));

        Policy lenient = policy.toBuilder().freshness(new Policy.Freshness(true, false)).build();
        assertTrue(PolicyEvaluator.evaluate(lenient, rebooted).trusted(), "sameBootCycle off");
    }

    @Test
    void vmLaunchMeasurementsAreCheckedAgainstTheAllowlist() {
        byte[] firmware = HashAlgorithm.SHA256.digest("firmware image".getBytes(StandardCharsets.UTF_8));
        byte[] kernel = HashAlgorithm.SHA256.digest("kernel image".getBytes(StandardCharsets.UTF_8));
        SortedMap<String, SortedSet<String>> allowed = new TreeMap<>();
        allowed.put("firmware", new TreeSet<>(List.of(HexFormat.of().formatHex(firmware))));
        allowed.put("kernel", new TreeSet<>(List.of(HexFormat.of().formatHex(kernel))));
        Policy withVm = policy.toBuilder().vmLaunch(new Policy.VmLaunchRules(OptionalInt.empty(), allowed)).build();
        LaunchLog good = LaunchLog.of(Optional.of("web-1"), List.of(
                new LaunchLog.Event(Optional.of("web-1"), "firmware", firmware),
                new LaunchLog.Event(Optional.of("db-1"), "kernel", firmware),
                new LaunchLog.Event(Optional.of("web-1"), "kernel", kernel)));
        Verdict ok = PolicyEvaluator.evaluate(withVm, SwtpmVector.valid().launchLog(good).build());
        assertTrue(ok.trusted(), ok.toText());
        assertTrue(ok.warnings().stream().anyMatch(f -> f.category() == Category.VM_LAUNCH
                && f.message().contains("host's word only")), "no launch PCR: the measurements are not tied to the quote");

        LaunchLog malicious = LaunchLog.of(Optional.empty(), List.of(
                new LaunchLog.Event(Optional.empty(), "firmware", firmware),
                new LaunchLog.Event(Optional.empty(), "kernel", firmware),
                new LaunchLog.Event(Optional.empty(), "initrd", kernel)));
        Verdict v = PolicyEvaluator.evaluate(withVm, SwtpmVector.valid().launchLog(malicious).build());
        List<Finding> launch = errors(v, Category.VM_LAUNCH);
        assertEquals(v.errors(), launch, v.toText());
        assertEquals(List.of("launch measurement kernel", "launch measurement initrd"),
                launch.stream().map(f -> f.location().subject()).toList());
        assertTrue(launch.get(0).message().contains("may be malicious"), launch.get(0).message());

        Verdict none = PolicyEvaluator.evaluate(withVm, SwtpmVector.valid().build());
        assertEquals(Set.of(Category.EVIDENCE), errorCategories(none));
    }

    @Test
    void verdictsPrintEveryFindingForPeopleAndForPrograms() {
        Policy changed = policy.toBuilder().clearReferenceValues(0).referenceValues(HashAlgorithm.SHA256, 0,
                List.of("cd".repeat(32))).build();
        Verdict v = PolicyEvaluator.evaluate(changed, SwtpmVector.valid().build());
        String text = v.toText();
        assertTrue(text.startsWith("UNTRUSTED under policy swtpm-vector (sha256:" + changed.digestHex()
                + "): 1 error, 1 warning\n"), text);
        assertTrue(text.contains("ERROR [PCR reference value] PCR 0 (sha256)"), text);
        assertTrue(text.contains("  expected: " + "cd".repeat(32)), text);
        JsonObject json = JsonParser.parseString(v.toJson()).getAsJsonObject();
        assertFalse(json.get("trusted").getAsBoolean());
        assertEquals(changed.digestHex(), json.getAsJsonObject("policy").get("digest").getAsString());
        JsonObject first = json.getAsJsonArray("findings").get(0).getAsJsonObject();
        assertEquals("PCR_VALUE", first.get("category").getAsString());
        assertEquals(0, first.get("pcr").getAsInt());
        assertEquals("sha256", first.get("bank").getAsString());
        assertEquals("24af52a4f429b71a3184a6d64cddad17e54ea030e2aa6576bf3a5a3d8bd3328f", first.get("actual").getAsString());
    }

    static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("digest not found after offset " + from);
    }

    static void putU32(byte[] b, int at, long value) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (value >>> (8 * i));
        }
    }
}
