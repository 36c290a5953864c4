package org.vtpmmigrate.engine.internal.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.eventlog.EventLog;
import org.vtpmmigrate.attest.eventlog.EventType;
import org.vtpmmigrate.protocol.Role;
import org.vtpmmigrate.protocol.Verdict;
import org.vtpmmigrate.protocol.VerificationCheck;
import org.vtpmmigrate.protocol.wire.Bytes;
import org.vtpmmigrate.protocol.wire.LaunchMeasurement;

/** The reference-value policy on logs built in memory (no TPM needed to judge). */
class ReferencePcrPolicyTest {
    private static final byte[] FIRMWARE = HashAlgorithm.SHA256.digest("firmware".getBytes(StandardCharsets.US_ASCII));
    private static final byte[] CONFIG = HashAlgorithm.SHA256.digest("config".getBytes(StandardCharsets.US_ASCII));

    /** A host log: the simulated boot plus extra events, and the PCRs it replays to. */
    private record Host(EventLog log, PcrValues pcrs) {
        static Host booted(SimulatedMeasuredBoot boot, List<SimulatedMeasuredBoot.BootEvent> extra) throws Exception {
            HostEventLog log = HostEventLog.create(List.of(HashAlgorithm.SHA256));
            for (SimulatedMeasuredBoot.BootEvent e : boot.events()) {
                log.append(e.pcr(), e.type(), log.digests(e.data()), e.data());
            }
            for (SimulatedMeasuredBoot.BootEvent e : extra) {
                log.append(e.pcr(), e.type(), log.digests(e.data()), e.data());
            }
            EventLog parsed = EventLog.parse(log.bytes());
            return new Host(parsed, parsed.replay());
        }
    }

    private static ReferencePcrPolicy.Builder policyFor(Host host) {
        ReferencePcrPolicy.Builder b = ReferencePcrPolicy.builder("ref");
        for (int pcr = 0; pcr <= 7; pcr++) {
            b.reference(pcr, host.pcrs().get(HashAlgorithm.SHA256, pcr).orElseThrow());
        }
        SimulatedMeasuredBoot.eventTypes().forEach(b::acceptEventType);
        return b.allowLaunch("firmware", FIRMWARE).allowLaunch("configuration", CONFIG);
    }

    private static LaunchMeasurement m(String name, byte[] digest) {
        return new LaunchMeasurement(name, HashAlgorithm.SHA256.tpmAlgId(), Bytes.of(digest));
    }

    @Test
    void theHostThePolicyWasMadeFromPassesAndAnotherBootIsRefusedNamingPcrAndEvent() throws Exception {
        Host reference = Host.booted(SimulatedMeasuredBoot.DEFAULT, List.of());
        ReferencePcrPolicy policy = policyFor(reference).build();
        assertTrue(policy.evaluate(new MigrationPolicy.Evidence(Role.DESTINATION, reference.pcrs(), reference.log(),
                List.of())).accepted());

        Host other = Host.booted(new SimulatedMeasuredBoot("vtpm-migrate simulated firmware 1.0", "grub 2.12 (evil)"),
                List.of());
        Verdict verdict = policy.evaluate(new MigrationPolicy.Evidence(Role.DESTINATION, other.pcrs(), other.log(),
                List.of()));
        assertEquals(1, verdict.failures().size(), verdict.describe());
        String detail = verdict.failures().get(0).detail();
        assertTrue(detail.startsWith("PCR sha256:4 is "), detail);
        assertTrue(detail.contains("'grub 2.12 (evil)'"), "names the event: " + detail);
    }

    @Test
    void anEventTypeThePolicyDoesNotAcceptIsRefusedEvenWithAnAllowedValue() throws Exception {
        Host host = Host.booted(SimulatedMeasuredBoot.DEFAULT, List.of(new SimulatedMeasuredBoot.BootEvent(4,
                EventType.EV_IPL, "kernel cmdline".getBytes(StandardCharsets.US_ASCII))));
        ReferencePcrPolicy policy = policyFor(host).build();
        Verdict verdict = policy.evaluate(new MigrationPolicy.Evidence(Role.DESTINATION, host.pcrs(), host.log(),
                List.of()));
        assertEquals(1, verdict.failures().size(), verdict.describe());
        assertTrue(verdict.failures().get(0).detail().contains("has type EV_IPL"), verdict.describe());
    }

    @Test
    void aSourceMustReportExactlyTheAllowedLaunchMeasurements() throws Exception {
        Host host = Host.booted(SimulatedMeasuredBoot.DEFAULT, List.of());
        ReferencePcrPolicy policy = policyFor(host).build();
        assertTrue(policy.evaluate(new MigrationPolicy.Evidence(Role.SOURCE, host.pcrs(), host.log(),
                List.of(m("firmware", FIRMWARE), m("configuration", CONFIG)))).accepted());

        Verdict none = policy.evaluate(new MigrationPolicy.Evidence(Role.SOURCE, host.pcrs(), host.log(), List.of()));
        assertTrue(none.failed(VerificationCheck.LAUNCH_MEASUREMENT), none.describe());

        Verdict wrong = policy.evaluate(new MigrationPolicy.Evidence(Role.SOURCE, host.pcrs(), host.log(),
                List.of(m("firmware", CONFIG), m("kernel", FIRMWARE))));
        String text = wrong.describe();
        assertTrue(text.contains("measurement firmware=sha256:" + Bytes.of(CONFIG).toHex() + " is not allowed"), text);
        assertTrue(text.contains("measurement kernel=") && text.contains("not on the policy's allowlist"), text);
        assertTrue(text.contains("requires a configuration measurement"), text);
        assertEquals(3, wrong.failures().size(), text);
        assertTrue(wrong.failures().stream().allMatch(f -> f.check() == VerificationCheck.LAUNCH_MEASUREMENT));
    }

    @Test
    void theDigestNamesTheContentNotTheOrderItWasGivenIn() throws Exception {
        Host host = Host.booted(SimulatedMeasuredBoot.DEFAULT, List.of());
        ReferencePcrPolicy first = policyFor(host).build();
        ReferencePcrPolicy.Builder reversed = ReferencePcrPolicy.builder("ref").allowLaunch("configuration", CONFIG)
                .allowLaunch("firmware", FIRMWARE).acceptEventType(EventType.EV_SEPARATOR)
                .acceptEventType(EventType.EV_EFI_ACTION).acceptEventType(EventType.EV_POST_CODE);
        for (int pcr = 7; pcr >= 0; pcr--) {
            reversed.reference(pcr, host.pcrs().get(HashAlgorithm.SHA256, pcr).orElseThrow());
        }
        ReferencePcrPolicy reordered = reversed.build();
        assertEquals(first.digest(), reordered.digest());
        assertEquals(32, first.digest().length());
        assertNotEquals(first.digest(), policyFor(host).allowLaunch("kernel", FIRMWARE).build().digest());
        assertNotEquals(first.digest(), policyFor(host).launchPcr(14).build().digest());
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 15), first.selection().banks().get(0).pcrs());
        assertEquals(HashAlgorithm.SHA256.tpmAlgId(), first.selection().banks().get(0).hashAlgorithm());
    }

    @Test
    void aPolicyThatPinsNoHostPcrOrPinsTheLaunchPcrOrAllowsNoVmIsNotBuilt() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> ReferencePcrPolicy.builder("x")
                .allowLaunch("firmware", FIRMWARE).build());
        assertThrows(IllegalArgumentException.class, () -> ReferencePcrPolicy.builder("x").reference(15, FIRMWARE)
                .allowLaunch("firmware", FIRMWARE).build());
        assertThrows(IllegalArgumentException.class, () -> ReferencePcrPolicy.builder("x").reference(0, FIRMWARE)
                .build());
        assertThrows(IllegalArgumentException.class, () -> ReferencePcrPolicy.builder("bad id"));
    }
}
