package org.vtpmmigrate.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.vtpmmigrate.attest.eventlog.EventType;
import org.vtpmmigrate.engine.internal.migration.FaultInjection;
import org.vtpmmigrate.engine.internal.migration.HostPlatform;
import org.vtpmmigrate.engine.internal.migration.ReferencePcrPolicy;
import org.vtpmmigrate.engine.migration.EnrolledPeer;
import org.vtpmmigrate.engine.migration.MigrationEvent;
import org.vtpmmigrate.engine.migration.MigrationHandle;
import org.vtpmmigrate.engine.migration.MigrationResult;
import org.vtpmmigrate.engine.migration.VmStatus;
import org.vtpmmigrate.hypervisor.LaunchMeasurement;
import org.vtpmmigrate.hypervisor.RunState;
import org.vtpmmigrate.hypervisor.VirtualMachine;
import org.vtpmmigrate.hypervisor.VmConfig;
import org.vtpmmigrate.hypervisor.VtpmInstance;
import org.vtpmmigrate.protocol.PlatformException;

/**
 * An attested live migration between two hosts in this process: host-a and host-b, each with an
 * swtpm as platform TPM and an engine on 127.0.0.1, enrolled with each other; a VM with a marker in
 * its vTPM starts on A and moves to B under a policy made from the hosts' measured state. With
 * {@code --tamper} one party is compromised and the run must be refused with the VM left on A.
 * Everything started is stopped before it returns; the work directory is kept.
 */
final class DemoCommand implements Command {
    private static final String VM_ID = "demo-vm";
    private static final String POLICY_ID = "demo-reference";
    private static final String MARKER = "vtpm-state-travels-with-the-vm";
    /** The PCR the tampering extends: the boot loader's, pinned by the reference policy. */
    private static final int TAMPERED_PCR = 4;

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
        return "migrate a VM with its vTPM between two local attested hosts (or show a tampered run refused)";
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
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception e) {
                    System.err.println("vtpm-migrate demo: stopping " + started.get(i) + ": " + e.getMessage());
                }
            }
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
        private final DemoReport report;
        private final DemoMarker marker;

        Run(VmConfig config, Optional<Tamper> tamper, Path work, PrintStream out, List<AutoCloseable> started)
                throws IOException {
            this.config = config;
            this.tamper = tamper;
            this.work = work;
            this.out = out;
            this.started = started;
            this.report = new DemoReport(out);
            this.marker = new DemoMarker(MARKER, Files.createDirectories(work.resolve("marker")));
        }

        ExitCode execute() throws Exception {
            out.println("== hosts ==");
            out.println("[host-a] manufacturing platform TPM (swtpm, EK certificate from host-a's local CA)");
            DemoHost.PlatformTpm tpmA = DemoHost.PlatformTpm.start(work.resolve("host-a/platform-tpm"));
            started.add(tpmA);
            out.println("[host-b] manufacturing platform TPM (swtpm, EK certificate from host-b's local CA)");
            DemoHost.PlatformTpm tpmB = DemoHost.PlatformTpm.start(work.resolve("host-b/platform-tpm"));
            started.add(tpmB);
            // each host owns its platform TPM from its start on, and stops it when closed or failing to start
            started.remove(tpmA);
            DemoHost a = DemoHost.start("host-a", work.resolve("host-a"), tpmA, List.of(tpmB), FaultInjection.NONE);
            started.add(a);
            started.remove(tpmB);
            DemoHost b = DemoHost.start("host-b", work.resolve("host-b"), tpmB, List.of(tpmA),
                    tamper.equals(Optional.of(Tamper.DESTINATION_AFTER_ATTEST)) ? pcrsChangeAfterBoundKey()
                            : FaultInjection.NONE);
            started.add(b);
            for (DemoHost host : List.of(a, b)) {
                out.println("[" + host.hostId + "] engine on " + host.engine.identity().peerAddress()
                        + ", platform TPM " + host.engine.identity().tpmEndpoint());
            }
            enrol(a, b);
            enrol(b, a);

            ReferencePcrPolicy policy = sharePolicy(a, b);
            out.println("policy " + policy.id() + ": PCRs 0-7 of host-a's measured boot, VM launch measurement in PCR "
                    + policy.launchPcr() + (tamper.equals(Optional.of(Tamper.VM))
                            ? ", allowing a VM with other memory (not this one)" : ", allowing " + config.name()));
            VtpmInstance sourceInstance = startVmOnA(a, b);
            tamperBeforeRun(a, b);

            out.println();
            out.println("== migration ==");
            CompletableFuture<MigrationResult> finishedOnB = new CompletableFuture<>();
            a.engine.addListener(report.progressOf(a.hostId));
            b.engine.addListener(report.progressOf(b.hostId));
            b.engine.addListener(event -> {
                if (event instanceof MigrationEvent.Finished f) {
                    finishedOnB.complete(f.result());
                }
            });
            MigrationHandle handle = a.engine.migrate(config.name(), b.engine.identity().peerAddress(), policy.id());
            MigrationResult onA = handle.await(DemoHost.TIMEOUT.multipliedBy(3));
            Optional<MigrationResult> onB = resultOn(finishedOnB, handle.migrationId());
            report.summary(a.hostId, onA, onB);

            out.println("continuity:");
            return tamper.isEmpty() ? checkMoved(a, b, onA, sourceInstance) : checkStayed(a, b, onA, sourceInstance);
        }

        private void enrol(DemoHost host, DemoHost peer) throws Exception {
            EnrolledPeer enrolled = host.engine.enrol(peer.engine.identity().peerAddress());
            out.println("[" + host.hostId + "] enrolled " + enrolled.hostId() + ": EK certificate chains to "
                    + peer.hostId + "'s local CA, AK " + enrolled.attestationKeyName() + " proven by credential activation");
        }

        /** The reference policy from A's PCRs now (both hosts boot the same measured firmware). */
        private ReferencePcrPolicy sharePolicy(DemoHost a, DemoHost b) throws Exception {
            // for the vm tamper case the policy allows the same VM with other memory: another measurement
            VmConfig allowed = tamper.equals(Optional.of(Tamper.VM)) ? vm(config.memoryMiB() == 16 ? 32 : 16) : config;
            ReferencePcrPolicy policy = ReferencePcrPolicy.fromHost(POLICY_ID, a.engine.platform())
                    .allowVm(LaunchMeasurement.of(allowed)).build();
            a.policies.put(policy);
            b.policies.put(policy);
            return policy;
        }

        /** Defines the VM on B, writes the marker into its new vTPM on A and starts it there. */
        private VtpmInstance startVmOnA(DemoHost a, DemoHost b) throws Exception {
            b.engine.define(config);
            VtpmInstance instance = a.vtpms.create(config.name(), DemoHost.TIMEOUT);
            marker.write(instance);
            out.println("[host-a] vTPM of " + config.name() + " manufactured; marker '" + marker.text()
                    + "' written to its NV with tpm2-tools");
            VmStatus status = a.engine.start(config);
            out.println("[host-a] " + config.name() + " " + status.state() + " (QEMU pid "
                    + status.qemuPid().orElse(-1) + ")");
            return instance;
        }

        private void tamperBeforeRun(DemoHost a, DemoHost b) throws PlatformException {
            if (tamper.equals(Optional.of(Tamper.DESTINATION))) {
                b.engine.platform().measure(TAMPERED_PCR, EventType.EV_POST_CODE,
                        ascii("unapproved boot loader 6.6.6"));
                out.println("[host-b] tampered: extended PCR " + TAMPERED_PCR + " with an unapproved boot loader");
            } else if (tamper.equals(Optional.of(Tamper.SOURCE))) {
                a.engine.platform().measure(TAMPERED_PCR, EventType.EV_POST_CODE, ascii("rootkit 1.0"));
                out.println("[host-a] tampered: extended PCR " + TAMPERED_PCR + " with a rootkit");
            } else if (tamper.equals(Optional.of(Tamper.DESTINATION_AFTER_ATTEST))) {
                out.println("[host-b] tampered: will extend PCR 7 right after its bound key is certified");
            }
        }

        private FaultInjection pcrsChangeAfterBoundKey() {
            return new FaultInjection() {
                @Override
                public void afterBoundKeyCreated(HostPlatform platform) throws PlatformException {
                    platform.measure(7, EventType.EV_POST_CODE, ascii("changed after the quote"));
                }
            };
        }

        private Optional<MigrationResult> resultOn(CompletableFuture<MigrationResult> finished, String migrationId)
                throws InterruptedException {
            try {
                MigrationResult result = finished.get(DemoHost.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                return result.migrationId().equals(migrationId) ? Optional.of(result) : Optional.empty();
            } catch (ExecutionException | TimeoutException e) {
                out.println("host-b recorded no end of the run within " + DemoHost.TIMEOUT.toSeconds() + " s");
                return Optional.empty();
            }
        }

        /** After a committed run: the VM runs on B only, A's vTPM state is gone, B's holds the marker. */
        private ExitCode checkMoved(DemoHost a, DemoHost b, MigrationResult onA, VtpmInstance sourceInstance)
                throws Exception {
            boolean ok = onA.committed();
            Optional<RunState> onBQemu = qemuState(b, config.name());
            Optional<RunState> onAQemu = qemuState(a, config.name());
            ok &= check("VM on host-b: " + vmState(b) + ", QEMU " + onBQemu.map(RunState::name).orElse("not running"),
                    onBQemu.equals(Optional.of(RunState.RUNNING)));
            ok &= check("VM on host-a: " + vmState(a) + ", QEMU " + onAQemu.map(RunState::name).orElse("not running"),
                    onAQemu.isEmpty());
            boolean stateGone = !Files.exists(sourceInstance.stateDirectory())
                    && !a.vtpms.instanceIds().contains(config.name());
            ok &= check("vTPM state on host-a: " + (stateGone ? "gone (securely deleted)" : "still present at "
                    + sourceInstance.stateDirectory()), stateGone);
            if (onBQemu.isPresent()) {
                VmStatus stopped = b.engine.stop(config.name());
                out.println("  [host-b] " + config.name() + " stopped (" + stopped.state() + ", vTPM epoch "
                        + stopped.vtpmEpoch().orElse(-1) + ")");
                String read = marker.read(b.vtpms.open(config.name()));
                ok &= check("marker read back from host-b's vTPM with tpm2-tools: '" + read + "'",
                        read.equals(marker.text()));
            }
            out.println(ok ? "RESULT: migrated with its vTPM state; attested at both ends"
                    : "RESULT: the migration did not complete as expected");
            return ok ? ExitCode.OK : ExitCode.REFUSED;
        }

        /** After a tampered run: it must have been refused, the VM still running on A with its vTPM state. */
        private ExitCode checkStayed(DemoHost a, DemoHost b, MigrationResult onA, VtpmInstance sourceInstance)
                throws Exception {
            boolean refused = onA.status() == MigrationResult.Status.REFUSED;
            Optional<RunState> onAQemu = qemuState(a, config.name());
            boolean ok = check("VM on host-a: " + vmState(a) + ", QEMU " + onAQemu.map(RunState::name)
                    .orElse("not running"), onAQemu.equals(Optional.of(RunState.RUNNING)));
            ok &= check("VM on host-b: " + vmState(b) + ", no QEMU", qemuState(b, config.name()).isEmpty());
            ok &= check("vTPM state on host-a: kept at " + sourceInstance.stateDirectory(),
                    Files.isDirectory(sourceInstance.stateDirectory()));
            ok &= check("stream bytes sent before the verdict: " + onA.streamBytes(), onA.streamBytes() == 0);
            out.println(refused && ok
                    ? "RESULT: REFUSED (" + tamper.get().option + " tampered); the VM stays on host-a"
                    : "RESULT: the tampered run was not refused as expected (" + onA.status() + ")");
            return ExitCode.REFUSED;
        }

        private boolean check(String line, boolean holds) {
            out.println("  " + (holds ? "ok   " : "FAIL ") + line);
            return holds;
        }

        private static String vmState(DemoHost host) {
            return host.engine.vm(VM_ID).map(s -> s.state().name().toLowerCase(Locale.ROOT)).orElse("unknown");
        }

        private static Optional<RunState> qemuState(DemoHost host, String vmId) throws Exception {
            Optional<VirtualMachine> machine = host.engine.machine(vmId);
            if (machine.isEmpty() || !machine.get().isAlive()) {
                return Optional.empty();
            }
            return Optional.of(machine.get().status());
        }

        private static byte[] ascii(String text) {
            return text.getBytes(StandardCharsets.US_ASCII);
        }
    }
}
