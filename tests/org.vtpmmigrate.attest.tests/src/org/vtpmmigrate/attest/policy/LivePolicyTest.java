package org.vtpmmigrate.attest.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.eventlog.EventLog;
import org.vtpmmigrate.attest.eventlog.TcgEvent;
import org.vtpmmigrate.attest.policy.Finding.Category;
import org.vtpmmigrate.attest.tpm2.ClockInfo;
import org.vtpmmigrate.attest.tpm2.TpmAttest;

/**
 * Real boot logs of the corpus extended into a real swtpm, quoted with tpm2-tools and read back
 * as evidence directories: the policy generated from each host's evidence trusts that host, also
 * after a JSON round trip, and refuses the other hosts. Plus the checks only a live TPM can
 * exercise: a reboot between two quotes, launch measurements tied to a quoted PCR, and an EK
 * certificate issued by the TPM's own CA.
 */
class LivePolicyTest {
    /** Logs whose replay starts every PCR at zero (no StartupLocality, no H-CRTM), with sha256 digests. */
    static final List<String> LOGS = List.of(
            "eventlogs/go-attestation/crypto_agile_eventlog",
            "eventlogs/go-attestation/sb_cert_eventlog",
            "eventlogs/go-eventlog/tpm/arch-linux-workstation.bin",
            "eventlogs/go-eventlog/tpm/rhel8-uefi.bin",
            "eventlogs/go-eventlog/tpm/cos-101-amd-sev.bin",
            "eventlogs/ima-evm-utils/test_binary_bios_measurements",
            "eventlogs/tpm2-tools/upstream/event-sd-boot-fedora37.bin",
            "supplement/eventlogs/go-tpm-tools/eventlogwithsp800155.bin",
            "supplement/eventlogs/tpm2-tss/binary_measurements_pc_client.bin");
    static final int LAUNCH_PCR = 15;

    private static LiveHost host;
    private static final List<Evidence> EVIDENCE = new ArrayList<>();
    private static final List<Policy> POLICIES = new ArrayList<>();

    @BeforeAll
    static void quoteEveryLog() throws Exception {
        host = LiveHost.start();
        for (String relative : LOGS) {
            Path file = SwtpmVector.path(relative);
            EventLog log = EventLog.read(file);
            host.powerCycle();
            host.extendEventLog(log);
            Path dir = host.quote(selection(log));
            LiveHost.link(dir, EvidenceDirectory.EVENT_LOG, file);
            Evidence e = EvidenceDirectory.read(dir);
            EVIDENCE.add(e);
            POLICIES.add(PolicyGenerator.fromEvidence(e, PolicyGenerator.Options.of("host-" + POLICIES.size())).policy());
        }
    }

    @AfterAll
    static void stop() {
        if (host != null) {
            host.close();
        }
    }

    /** Every PCR the log extends, in each bank both the log and the TPM have. */
    static String selection(EventLog log) {
        SortedSet<Integer> pcrs = new TreeSet<>();
        for (TcgEvent e : log.events()) {
            if (e.isExtended()) {
                pcrs.add((int) e.pcrIndex());
            }
        }
        StringJoiner sel = new StringJoiner("+");
        for (HashAlgorithm b : log.banks()) {
            if (LiveHost.BANKS.contains(b)) {
                sel.add(b.bankName() + ":" + pcrs.stream().map(String::valueOf).collect(Collectors.joining(",")));
            }
        }
        return sel.toString();
    }

    @TestFactory
    Stream<DynamicTest> eachHostIsTrustedByThePolicyMadeFromItsEvidence() {
        return LOGS.stream().map(relative -> DynamicTest.dynamicTest(relative, () -> {
            int i = LOGS.indexOf(relative);
            Policy p = POLICIES.get(i);
            Verdict v = PolicyEvaluator.evaluate(p, EVIDENCE.get(i));
            assertTrue(v.trusted(), v.toText());
            Policy reread = PolicyJson.parse(PolicyJson.write(p), "host.json", null);
            assertEquals(p.digestHex(), reread.digestHex());
            assertTrue(PolicyEvaluator.evaluate(reread, EVIDENCE.get(i)).trusted());
            // the policy pins every quoted sha256 PCR of the log
            EventLog log = EVIDENCE.get(i).eventLog().orElseThrow();
            assertEquals(log.replay().indices(HashAlgorithm.SHA256), p.referenceValues().keySet());
        }));
    }

    @TestFactory
    Stream<DynamicTest> eachHostIsRefusedByTheNextHostsPolicy() {
        return LOGS.stream().map(relative -> DynamicTest.dynamicTest(relative, () -> {
            int i = LOGS.indexOf(relative);
            Policy other = POLICIES.get((i + 1) % LOGS.size());
            Verdict v = PolicyEvaluator.evaluate(other, EVIDENCE.get(i));
            assertFalse(v.trusted(), v.toText());
            Set<Category> categories = v.errors().stream().map(Finding::category).collect(Collectors.toSet());
            assertTrue(categories.contains(Category.PCR_VALUE) || categories.contains(Category.PCR_SELECTION),
                    v.toText());
            // an authentic quote: nothing wrong with signature, nonce or replay, only with the state
            assertTrue(EnumSet.of(Category.PCR_VALUE, Category.PCR_SELECTION, Category.EVENT_DIGEST, Category.EVENT_TYPE)
                    .containsAll(categories), v.toText());
        }));
    }

    @Test
    void aQuoteAfterAPowerCycleIsFromAnotherBoot() throws Exception {
        EventLog log = EventLog.read(SwtpmVector.path(LOGS.get(0)));
        host.powerCycle();
        host.extendEventLog(log);
        Path first = host.quote(selection(log));
        ClockInfo enrolled = TpmAttest.parse(Files.readAllBytes(first.resolve(EvidenceDirectory.QUOTE_MESSAGE))).clockInfo();
        Files.writeString(first.resolve(EvidenceDirectory.PREVIOUS_CLOCK), clockJson(enrolled));
        // same boot, later quote: fine
        Path again = host.quote(selection(log));
        Files.writeString(again.resolve(EvidenceDirectory.PREVIOUS_CLOCK), clockJson(enrolled));
        LiveHost.link(again, EvidenceDirectory.EVENT_LOG, SwtpmVector.path(LOGS.get(0)));
        Verdict same = PolicyEvaluator.evaluate(POLICIES.get(0), EvidenceDirectory.read(again));
        assertTrue(same.trusted(), same.toText());

        host.powerCycle();
        host.extendEventLog(log);
        Path rebooted = host.quote(selection(log));
        Files.writeString(rebooted.resolve(EvidenceDirectory.PREVIOUS_CLOCK), clockJson(enrolled));
        LiveHost.link(rebooted, EvidenceDirectory.EVENT_LOG, SwtpmVector.path(LOGS.get(0)));
        Verdict v = PolicyEvaluator.evaluate(POLICIES.get(0), EvidenceDirectory.read(rebooted));
        assertEquals(List.of(Category.FRESHNESS), v.errors().stream().map(Finding::category).toList(), v.toText());
        assertEquals("resetCount " + (enrolled.resetCount() + 1) + ", restartCount " + enrolled.restartCount(),
                v.errors().get(0).actual());
    }

    private static String clockJson(ClockInfo c) {
        return "{\"clock\": " + Long.toUnsignedString(c.clock()) + ", \"resetCount\": " + c.resetCount()
                + ", \"restartCount\": " + c.restartCount() + ", \"safe\": " + c.safe() + "}";
    }

    @Test
    void launchMeasurementsExtendedIntoAQuotedPcrAreTiedToTheQuote() throws Exception {
        byte[] firmware = HashAlgorithm.SHA256.digest(SwtpmVector.bytes(LOGS.get(0)));
        byte[] config = HashAlgorithm.SHA256.digest("vtpm-migrate qemu-launch-config v1\n-m\n512M\n".getBytes(
                StandardCharsets.UTF_8));
        LaunchLog launched = LaunchLog.of(Optional.of("web-1"), List.of(
                new LaunchLog.Event(Optional.of("db-1"), "firmware", firmware),
                new LaunchLog.Event(Optional.of("web-1"), "firmware", firmware),
                new LaunchLog.Event(Optional.of("web-1"), "configuration", config)));
        host.powerCycle();
        for (LaunchLog.Event e : launched.events()) {
            host.extend(LAUNCH_PCR, Map.of(HashAlgorithm.SHA256, extendDigest(e.name(), e.contentDigest())));
        }
        Path dir = host.quote("sha256:" + LAUNCH_PCR);
        Files.writeString(dir.resolve(EvidenceDirectory.LAUNCH), launched.toJson());
        Evidence evidence = EvidenceDirectory.read(dir);
        Policy p = PolicyGenerator.fromEvidence(evidence, PolicyGenerator.Options.of("launch").withLaunchPcr(LAUNCH_PCR))
                .policy();
        assertEquals(Set.of("configuration", "firmware"), p.vmLaunch().orElseThrow().allowed().keySet());
        assertTrue(p.referenceValues().isEmpty(), "the launch PCR changes with every launch: no reference value");
        Verdict ok = PolicyEvaluator.evaluate(p, evidence);
        assertTrue(ok.trusted(), ok.toText());

        // the host claims another configuration than it measured
        byte[] other = config.clone();
        other[0] ^= 1;
        LaunchLog lying = LaunchLog.of(Optional.of("web-1"), List.of(launched.events().get(0), launched.events().get(1),
                new LaunchLog.Event(Optional.of("web-1"), "configuration", other)));
        Files.writeString(dir.resolve(EvidenceDirectory.LAUNCH), lying.toJson());
        Verdict v = PolicyEvaluator.evaluate(p, EvidenceDirectory.read(dir));
        List<Finding> launch = v.errors().stream().filter(f -> f.category() == Category.VM_LAUNCH).toList();
        assertEquals(v.errors(), launch, v.toText());
        assertEquals(List.of("launch measurement configuration", "PCR 15 (sha256)"),
                launch.stream().map(f -> f.location().subject()).toList());
        assertEquals(HexFormat.of().formatHex(other), launch.get(0).actual());
    }

    /** The extend rule, computed here independently: SHA-256(domain || 0 || name || 0 || content digest). */
    private static byte[] extendDigest(String name, byte[] content) {
        byte[] domain = "vtpm-migrate launch-event v1".getBytes(StandardCharsets.UTF_8);
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[domain.length + 1 + n.length + 1 + content.length];
        System.arraycopy(domain, 0, all, 0, domain.length);
        System.arraycopy(n, 0, all, domain.length + 1, n.length);
        System.arraycopy(content, 0, all, domain.length + n.length + 2, content.length);
        return HashAlgorithm.SHA256.digest(all);
    }

    @Test
    void theTpmsOwnEkCertificateChainsToItsCa() throws Exception {
        EventLog log = EventLog.read(SwtpmVector.path(LOGS.get(0)));
        host.powerCycle();
        host.extendEventLog(log);
        Path dir = host.quote(selection(log));
        host.addEkCertificate(dir);
        LiveHost.link(dir, EvidenceDirectory.EVENT_LOG, SwtpmVector.path(LOGS.get(0)));
        Evidence evidence = EvidenceDirectory.read(dir);
        List<Policy.CertificateSource> anchors = new ArrayList<>();
        for (Path ca : host.tpm.localCaCertificateFiles()) {
            anchors.add(new Policy.CertificateSource(Optional.of(ca.toString()), List.of(
                    org.vtpmmigrate.attest.tpm2.EkCertificateValidator.parseCertificate(Files.readAllBytes(ca)))));
        }
        Policy p = POLICIES.get(0).toBuilder().ekTrust(new Policy.EkTrust(anchors.subList(0, 1), anchors.subList(1, 2)))
                .build();
        Verdict v = PolicyEvaluator.evaluate(p, evidence);
        assertTrue(v.trusted(), v.toText());
        assertEquals(List.of(Category.ATTESTATION_KEY), v.warnings().stream().map(Finding::category).toList());

        // the swtpm vector's CA (another machine's) did not issue this TPM's certificate
        Policy foreign = POLICIES.get(0).toBuilder().ekTrust(SwtpmVector.trustRootCa()).build();
        Verdict refused = PolicyEvaluator.evaluate(foreign, evidence);
        assertEquals(List.of(Category.EK_CERTIFICATE), refused.errors().stream().map(Finding::category).toList(),
                refused.toText());
    }
}
