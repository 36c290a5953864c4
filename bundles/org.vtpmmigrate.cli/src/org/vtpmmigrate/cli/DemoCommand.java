package org.vtpmmigrate.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.vtpmmigrate.attest.policy.Policy;
import org.vtpmmigrate.attest.policy.PolicyJson;
import org.vtpmmigrate.discovery.AnnouncedAgent;
import org.vtpmmigrate.discovery.DnsSdDirectory;
import org.vtpmmigrate.engine.internal.AgentSettings;
import org.vtpmmigrate.engine.internal.host.EvidencePolicies;
import org.vtpmmigrate.engine.internal.host.LocalHostKit;
import org.vtpmmigrate.hypervisor.LaunchMeasurement;
import org.vtpmmigrate.hypervisor.VmConfig;
import org.vtpmmigrate.hypervisor.VtpmInstance;
import org.vtpmmigrate.hypervisor.VtpmStore;
import org.vtpmmigrate.management.EnrolPeerRequest;
import org.vtpmmigrate.management.HostInfo;
import org.vtpmmigrate.management.ManagementException;
import org.vtpmmigrate.management.PeerSummary;
import org.vtpmmigrate.management.PolicySummary;
import org.vtpmmigrate.management.PolicyUpload;
import org.vtpmmigrate.management.StartMigrationRequest;
import org.vtpmmigrate.management.VmDetails;

/**
 * An attested live migration between two local hosts, each a real agent process (the Felix
 * distribution) with its own simulated platform TPM, in a network namespace of its own when run as
 * root. This command is only the administrator: it prepares the hosts' certificates and platform
 * TPMs, starts the agents, and from then on talks to them over their management APIs (mutual TLS):
 * enrolment, policy, VM start, migration, progress, attestation logs. With {@code --tamper} one
 * party is compromised and the run must be refused with the VM left on host-a.
 */
final class DemoCommand implements Command {
    private static final String VM_ID = "demo-vm";
    private static final String POLICY_ID = "demo-reference";
    private static final String MARKER = "vtpm-state-travels-with-the-vm";
    private static final String HOST_A = "host-a";
    private static final String HOST_B = "host-b";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration DISCOVERY_TIMEOUT = Duration.ofSeconds(15);
    /** The boot loader a compromised host booted: measured into PCR 4, which the policy pins. */
    private static final String ROGUE_BOOT_LOADER = "unapproved boot loader 6.6.6";

    /** Who is compromised, and how. */
    enum Tamper {
        /** B booted something the policy does not know before the run: its quote breaks the policy. */
        DESTINATION("destination"),
        /** B's PCRs change after its quote and bound key: the key no longer works (ZGen fails). */
        DESTINATION_AFTER_ATTEST("destination-after-attest"),
        /** A booted something the policy does not know: B refuses to receive from it. */
        SOURCE("source"),
        /** The policy does not allow the VM's launch measurement. */
        VM("vm");

        final String option;

        Tamper(String option) {
            this.option = option;
        }

        static Tamper parse(String value) throws UsageException {
            for (Tamper t : values()) {
                if (t.option.equals(value)) {
                    return t;
                }
            }
            throw new UsageException("--tamper '" + value + "' is not one of destination, destination-after-attest, "
                    + "source, vm");
        }
    }

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String synopsis() {
        return "[--memory MiB] [--work DIR] [--tamper destination|destination-after-attest|source|vm]";
    }

    @Override
    public String summary() {
        return "migrate a VM with its vTPM between two local attested agents (or show a tampered run refused)";
    }

    @Override
    public ExitCode run(List<String> args, PrintStream out) throws UsageException {
        Arguments a = Arguments.parse(args, Set.of("--memory", "--work", "--tamper"), Set.of());
        if (!a.positional().isEmpty()) {
            throw new UsageException("unexpected argument '" + a.positional().get(0) + "'");
        }
        VmConfig config = vm(a.number("--memory", "256", 1, VmConfig.MAX_MEMORY_MIB));
        Optional<Tamper> tamper = a.option("--tamper", null) == null ? Optional.empty()
                : Optional.of(Tamper.parse(a.option("--tamper", null)));
        Path work = a.workDirectory("vtpm-demo-");
        out.println("vTPM Migrate demo: " + config.name() + " (" + config.memoryMiB() + " MiB) from host-a to host-b"
                + tamper.map(t -> ", tampered: " + t.option).orElse("") + "; work directory " + work.toAbsolutePath());
        List<AutoCloseable> started = new ArrayList<>();
        try {
            return new Run(config, tamper, work, out, started).execute();
        } catch (Exception e) {
            System.err.println("vtpm-migrate demo: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return ExitCode.REFUSED;
        } finally {
            Started.closeInReverse(started, "demo");
            out.println("work directory kept: " + work.toAbsolutePath());
        }
    }

    private static VmConfig vm(long memoryMiB) throws UsageException {
        try {
            return VmConfig.builder().name(VM_ID).memoryMiB(memoryMiB).accelerator(VmConfig.Accelerator.TCG).build();
        } catch (IllegalArgumentException e) {
            throw new UsageException("--memory: " + e.getMessage());
        }
    }

    /** One demo run; what it starts goes into {@code started}, which the command closes. */
    private static final class Run {
        private final VmConfig config;
        private final Optional<Tamper> tamper;
        private final Path work;
        private final PrintStream out;
        private final List<AutoCloseable> started;
        private final DemoMarker marker;
        private final DemoReport report;
        private LocalHostKit kit;
        private DemoAgent a;
        private DemoAgent b;

        Run(VmConfig config, Optional<Tamper> tamper, Path work, PrintStream out, List<AutoCloseable> started)
                throws java.io.IOException {
            this.config = config;
            this.tamper = tamper;
            this.work = work;
            this.out = out;
            this.started = started;
            this.marker = new DemoMarker(MARKER, Files.createDirectories(work.resolve("marker")));
            this.report = new DemoReport(out);
        }

        ExitCode execute() throws Exception {
            out.println("== hosts ==");
            DemoNetwork network = DemoNetwork.create(List.of(HOST_A, HOST_B), out);
            started.add(network);
            out.println("network: " + network.description());
            kit = LocalHostKit.prepare(work.resolve("hosts"), List.of(HOST_A, HOST_B), network.addresses(),
                    network.ports());
            out.println("administrator CA and certificates: " + kit.caCertificate().getParent());
            for (LocalHostKit.Host h : kit.hosts()) {
                out.println("[" + h.hostId() + "] platform TPM manufactured (swtpm), EK certificate from "
                        + h.hostId() + "'s local CA; VM " + config.name() + " defined");
                kit.defineVm(h.hostId(), config);
            }
            VtpmInstance sourceInstance = VtpmStore.open(kit.vtpmStore(HOST_A)).create(config.name(),
                    Duration.ofSeconds(60));
            marker.write(sourceInstance);
            out.println("[host-a] vTPM of " + config.name() + " manufactured; marker '" + marker.text()
                    + "' written to its NV with tpm2-tools");

            a = startAgent(network, HOST_A, tamper.equals(Optional.of(Tamper.SOURCE))
                    ? Map.of(AgentSettings.SIMULATION_BOOT_LOADER, ROGUE_BOOT_LOADER) : Map.of());
            Map<String, String> destinationSettings = Map.of();
            if (tamper.equals(Optional.of(Tamper.DESTINATION))) {
                destinationSettings = Map.of(AgentSettings.SIMULATION_BOOT_LOADER, ROGUE_BOOT_LOADER);
            } else if (tamper.equals(Optional.of(Tamper.DESTINATION_AFTER_ATTEST))) {
                destinationSettings = Map.of(AgentSettings.SIMULATION_FAULT, AgentSettings.FAULT_PCR_CHANGE_AFTER_BOUND_KEY);
            }
            b = startAgent(network, HOST_B, destinationSettings);
            tamper.ifPresent(this::describeTamper);
            if (network.namespaced()) {
                discover(network);
            }
            enrol(a, b);
            enrol(b, a);
            String digest = sharePolicy();
            VmDetails running = a.client.startVm(config.name());
            out.println("[host-a] " + config.name() + " " + running.state() + " (vTPM epoch " + running.vtpmEpoch() + ")");

            out.println();
            out.println("== migration ==");
            String id = a.client.startMigration(new StartMigrationRequest(config.name(), HOST_B, b.peerAddress(),
                    POLICY_ID, digest)).migrationId();
            out.println("migration " + id + " accepted by host-a");
            DemoReport.Outcome outcome = report.follow(id, a, b, RUN_TIMEOUT);
            report.summary(outcome, work, a, b);

            out.println("continuity:");
            return tamper.isEmpty() ? checkMoved(outcome, sourceInstance) : checkStayed(outcome, sourceInstance);
        }

        private DemoAgent startAgent(DemoNetwork network, String hostId, Map<String, String> overrides)
                throws Exception {
            Map<String, String> settings = new LinkedHashMap<>(overrides);
            settings.put(AgentSettings.DISCOVERY_ANNOUNCE, Boolean.toString(network.namespaced()));
            Path config = kit.writeConfiguration(hostId, settings);
            int[] ports = network.ports().get(hostId);
            DemoAgent agent = DemoAgent.start(hostId, config, network.launchPrefix(hostId),
                    network.addresses().get(hostId), ports[0], ports[1], kit.administrator());
            started.add(agent);
            HostInfo info = agent.client.hostInfo();
            out.println("[" + hostId + "] agent pid " + agent.pid() + ": peer protocol " + agent.peerAddress()
                    + ", management API https://" + agent.address + ":" + ports[1] + " (mutual TLS)");
            out.println("[" + hostId + "]   platform TPM: " + info.tpmDescription());
            return agent;
        }

        private void describeTamper(Tamper t) {
            switch (t) {
                case DESTINATION -> out.println("[host-b] tampered: booted '" + ROGUE_BOOT_LOADER + "' (measured in PCR 4)");
                case SOURCE -> out.println("[host-a] tampered: booted '" + ROGUE_BOOT_LOADER + "' (measured in PCR 4)");
                case DESTINATION_AFTER_ATTEST -> out.println(
                        "[host-b] tampered: extends PCR 7 right after its bound key is certified");
                case VM -> out.println("tampered: the policy allows " + config.name() + " with other memory, not this one");
            }
        }

        /** Both agents announce themselves on the hosts' link; this process finds them there. */
        private void discover(DemoNetwork network) {
            try (DnsSdDirectory directory = DnsSdDirectory.open(network.localAddress())) {
                for (DemoAgent agent : List.of(a, b)) {
                    Optional<AnnouncedAgent> found = directory.awaitHost(agent.hostId, DISCOVERY_TIMEOUT);
                    out.println(found.map(f -> "DNS-SD: found " + f.hostEntry().hostId() + " at " + f.hostEntry().address()
                            + ":" + f.hostEntry().managementPort() + " (peer port " + f.announcement().peerPort() + ")")
                            .orElse("DNS-SD: " + agent.hostId + " not announced within "
                                    + DISCOVERY_TIMEOUT.toSeconds() + " s (continuing with the known addresses)"));
                }
            } catch (Exception e) {
                out.println("DNS-SD: browsing failed (" + e.getMessage() + "); continuing with the known addresses");
            }
        }

        private void enrol(DemoAgent host, DemoAgent peer) throws ManagementException {
            PeerSummary enrolled = host.client.enrolPeer(new EnrolPeerRequest(peer.peerAddress()));
            out.println("[" + host.hostId + "] enrolled " + enrolled.hostId() + ": EK certificate chains to "
                    + peer.hostId + "'s local CA, AK " + enrolled.akName() + " proven by credential activation");
        }

        /**
         * The policy from a clean host's evidence (host-a's, or host-b's when host-a is the tampered
         * one), allowing this VM (or, to show a refused VM, the same VM with other memory).
         */
        private String sharePolicy() throws Exception {
            DemoAgent reference = tamper.equals(Optional.of(Tamper.SOURCE)) ? b : a;
            VmDetails allowed = tamper.equals(Optional.of(Tamper.VM))
                    ? measured(vm(config.memoryMiB() == 16 ? 32 : 16)) : a.client.vm(config.name());
            Policy policy = EvidencePolicies.fromHost(POLICY_ID, reference.client, List.of(allowed));
            String text = PolicyJson.write(policy);
            Path file = work.resolve(POLICY_ID + ".json");
            Files.writeString(file, text);
            PolicySummary stored = null;
            for (DemoAgent agent : List.of(a, b)) {
                stored = agent.client.putPolicy(POLICY_ID, new PolicyUpload(text, null));
            }
            out.println("policy " + POLICY_ID + " (" + file + "): PCRs 0-7 as " + reference.hostId
                    + " measured them (quote verified), VM launch measurements in PCR " + EvidencePolicies.LAUNCH_PCR
                    + "; stored on both hosts, digest " + stored.digest());
            return stored.digest();
        }

        /** The launch measurements of a VM definition, as a host would report them. */
        private static VmDetails measured(VmConfig vm) throws Exception {
            List<VmDetails.LaunchMeasurement> measurements = new ArrayList<>();
            for (LaunchMeasurement.Event e : LaunchMeasurement.of(vm).events()) {
                measurements.add(new VmDetails.LaunchMeasurement(e.name(), "sha256",
                        HexFormat.of().formatHex(e.contentDigest())));
            }
            return new VmDetails(vm.name(), null, "DEFINED", vm.memoryMiB() << 20, vm.vcpus(), vm.name(), 0,
                    measurements);
        }

        /** After a committed run: the VM runs on B only, A's vTPM state is gone, B's holds the marker. */
        private ExitCode checkMoved(DemoReport.Outcome outcome, VtpmInstance sourceInstance) throws Exception {
            boolean ok = outcome.committed();
            String onB = b.client.vm(config.name()).state();
            String onA = a.client.vm(config.name()).state();
            ok &= check("VM on host-b: " + onB, onB.equals("RUNNING"));
            ok &= check("VM on host-a: " + onA + " (not running there)", onA.equals("DEFINED"));
            boolean stateGone = !Files.exists(sourceInstance.stateDirectory())
                    && !VtpmStore.open(kit.vtpmStore(HOST_A)).instanceIds().contains(config.name());
            ok &= check("vTPM state on host-a: " + (stateGone ? "gone (securely deleted)" : "still present at "
                    + sourceInstance.stateDirectory()), stateGone);
            if (onB.equals("RUNNING")) {
                VmDetails stopped = b.client.stopVm(config.name());
                out.println("  [host-b] " + config.name() + " stopped (" + stopped.state() + ", vTPM epoch "
                        + stopped.vtpmEpoch() + ")");
                String read = marker.read(VtpmStore.open(kit.vtpmStore(HOST_B)).open(config.name()));
                ok &= check("marker read back from host-b's vTPM with tpm2-tools: '" + read + "'",
                        read.equals(marker.text()));
            }
            out.println(ok ? "RESULT: migrated with its vTPM state; attested at both ends"
                    : "RESULT: the migration did not complete as expected");
            return ok ? ExitCode.OK : ExitCode.REFUSED;
        }

        /** After a tampered run: it must have been refused, the VM still running on A with its vTPM state. */
        private ExitCode checkStayed(DemoReport.Outcome outcome, VtpmInstance sourceInstance) throws Exception {
            String onA = a.client.vm(config.name()).state();
            String onB = b.client.vm(config.name()).state();
            boolean ok = check("VM on host-a: " + onA, onA.equals("RUNNING"));
            ok &= check("VM on host-b: " + onB + " (nothing of it kept there)", onB.equals("DEFINED"));
            ok &= check("vTPM state on host-a: kept at " + sourceInstance.stateDirectory(),
                    Files.isDirectory(sourceInstance.stateDirectory()));
            ok &= check("stream bytes sent before the verdict: " + outcome.source().bytesTransferred(),
                    outcome.source().bytesTransferred() == 0);
            boolean refused = !outcome.committed();
            out.println(refused && ok
                    ? "RESULT: REFUSED (" + tamper.get().option + " tampered); the VM stays on host-a"
                    : "RESULT: the tampered run was not refused as expected");
            return ExitCode.REFUSED;
        }

        private boolean check(String line, boolean holds) {
            out.println("  " + (holds ? "ok   " : "FAIL ") + line);
            return holds;
        }
    }
}
