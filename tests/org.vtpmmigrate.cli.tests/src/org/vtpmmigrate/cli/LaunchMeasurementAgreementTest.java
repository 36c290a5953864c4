package org.vtpmmigrate.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vtpmmigrate.attest.policy.EvidenceDirectory;
import org.vtpmmigrate.attest.policy.LaunchLog;
import org.vtpmmigrate.attest.policy.Policy;
import org.vtpmmigrate.attest.policy.PolicyJson;
import org.vtpmmigrate.hypervisor.LaunchMeasurement;
import org.vtpmmigrate.hypervisor.VmConfig;

/**
 * The hypervisor measures a VM launch; the verifier (attest, which may not depend on the
 * hypervisor) replays and judges it: both must use the same extend rule and names. A real
 * measurement of corpus files as firmware and kernel then goes through {@code policy new} and
 * {@code policy check}.
 */
class LaunchMeasurementAgreementTest {
    @AfterEach
    void removeCorpusLinks() {
        Cli.unlinkAll();
    }


    private static LaunchLog launchLog(LaunchMeasurement m, String vm) {
        List<LaunchLog.Event> events = new ArrayList<>();
        for (LaunchMeasurement.Event e : m.events()) {
            events.add(new LaunchLog.Event(Optional.of(vm), e.name(), e.contentDigest()));
        }
        return LaunchLog.of(Optional.of(vm), events);
    }

    private static LaunchMeasurement measure(String firmware, String kernel) throws Exception {
        return LaunchMeasurement.of(VmConfig.builder().name("web-1").firmware(Path.of(Cli.data(firmware)))
                .kernel(Path.of(Cli.data(kernel))).build());
    }

    @Test
    void hypervisorAndVerifierAgreeOnTheExtendRule() throws Exception {
        assertEquals(LaunchMeasurement.EXTEND_DOMAIN, LaunchLog.EXTEND_DOMAIN);
        LaunchMeasurement m = measure("eventlogs/go-attestation/crypto_agile_eventlog",
                "eventlogs/go-eventlog/tpm/debian-10.bin");
        assertEquals(List.of("firmware", "kernel", "configuration"),
                m.events().stream().map(LaunchMeasurement.Event::name).toList());
        for (LaunchMeasurement.Event e : m.events()) {
            assertTrue(LaunchLog.isValidName(e.name()), e.name());
            assertArrayEquals(e.extendDigest(), LaunchLog.extendDigest(e.name(), e.contentDigest()), e.name());
        }
    }

    @Test
    void aMeasuredLaunchGoesThroughPolicyNewAndCheck(@TempDir Path tmp) throws Exception {
        Path ev = PolicyCommandsTest.validEvidence(Files.createDirectory(tmp.resolve("host")));
        LaunchMeasurement approved = measure("eventlogs/go-attestation/crypto_agile_eventlog",
                "eventlogs/go-eventlog/tpm/debian-10.bin");
        Files.writeString(ev.resolve(EvidenceDirectory.LAUNCH), launchLog(approved, "web-1").toJson());
        Cli.Run made = Cli.run(new PolicyNewCommand(), "policy", "new", "--evidence", ev.toString(), "--id", "vm-web-1");
        assertEquals(ExitCode.OK, made.exit(), made.toString());
        Policy p = PolicyJson.parse(made.out(), "stdout", null);
        assertEquals(List.of("configuration", "firmware", "kernel"),
                List.copyOf(p.vmLaunch().orElseThrow().allowed().keySet()));
        Path file = tmp.resolve("vm.json");
        Files.writeString(file, made.out());
        assertEquals(ExitCode.OK, Cli.run(new PolicyCheckCommand(), "policy", "check", "--policy", file.toString(),
                "--evidence", ev.toString()).exit());

        // the same VM launched with another kernel: a malicious VM is refused, the kernel named
        LaunchMeasurement other = measure("eventlogs/go-attestation/crypto_agile_eventlog",
                "eventlogs/go-eventlog/tpm/rhel8-uefi.bin");
        Files.writeString(ev.resolve(EvidenceDirectory.LAUNCH), launchLog(other, "web-1").toJson());
        Cli.Run r = Cli.run(new PolicyCheckCommand(), "policy", "check", "--policy", file.toString(), "--evidence",
                ev.toString());
        assertEquals(ExitCode.REFUSED, r.exit(), r.toString());
        assertTrue(r.out().contains("ERROR [VM launch] launch measurement kernel\n"), r.out());
        assertEquals(1, r.out().lines().filter(l -> l.startsWith("ERROR")).count(), r.out());
    }
}
