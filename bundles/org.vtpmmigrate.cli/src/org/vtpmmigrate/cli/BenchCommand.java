package org.vtpmmigrate.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.policy.Policy;
import org.vtpmmigrate.attest.policy.PolicyJson;
import org.vtpmmigrate.engine.internal.AgentSettings;
import org.vtpmmigrate.engine.internal.host.EngineHost;
import org.vtpmmigrate.engine.internal.host.LocalHostKit;
import org.vtpmmigrate.engine.migration.MigrationResult;
import org.vtpmmigrate.hypervisor.LaunchMeasurement;
import org.vtpmmigrate.hypervisor.VmConfig;
import org.vtpmmigrate.protocol.Phase;
import org.vtpmmigrate.tpm.PcrBank;
import org.vtpmmigrate.tpm.PcrSelection;
import org.vtpmmigrate.tpm.PcrValues;

/**
 * Measures, in one process and with baselines from the same process: the handshake over repeated
 * migrations of an idle VM between two local attested hosts (as in {@code demo}), the record layer's
 * throughput against a plain loopback socket, and a migration of a VM with random RAM against QEMU
 * migrating the same configuration over a plain relay, over its own TCP migration and over its own
 * TLS migration.
 */
final class BenchCommand implements Command {
    private static final String IDLE_VM = "bench-idle";
    private static final String RANDOM_VM = "bench-random";
    private static final String POLICY_ID = "bench-reference";
    private static final long IDLE_MEMORY_MIB = 64;
    private static final int MAX_RUNS = 10_000;

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String synopsis() {
        return "[--json] [--runs N] [--memory MiB] [--work DIR]";
    }

    @Override
    public String summary() {
        return "measure handshake, channel throughput and migration time against plain and QEMU baselines";
    }

    @Override
    public ExitCode run(List<String> args, PrintStream out) throws UsageException {
        Arguments a = Arguments.parse(args, Set.of("--runs", "--memory", "--work"), Set.of("--json"));
        if (!a.positional().isEmpty()) {
            throw new UsageException("unexpected argument '" + a.positional().get(0) + "'");
        }
        int runs = (int) a.number("--runs", "20", 1, MAX_RUNS);
        long memoryMiB = a.number("--memory", "1024", 16, VmConfig.MAX_MEMORY_MIB);
        Path work = a.workDirectory("vtpm-bench-");
        PrintStream progress = System.err;
        List<AutoCloseable> started = new ArrayList<>();
        try {
            BenchFigures figures = measure(runs, memoryMiB, work, progress, started);
            if (a.flag("--json")) {
                out.println(figures.toJson());
            } else {
                figures.printTable(out);
            }
            return ExitCode.OK;
        } catch (Exception e) {
            System.err.println("vtpm-migrate bench: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return ExitCode.REFUSED;
        } finally {
            Started.closeInReverse(started, "bench");
        }
    }

    private static BenchFigures measure(int runs, long memoryMiB, Path work, PrintStream progress,
            List<AutoCloseable> started) throws Exception {
        VmConfig idle = VmConfig.builder().name(IDLE_VM).memoryMiB(IDLE_MEMORY_MIB)
                .accelerator(VmConfig.Accelerator.TCG).build();
        progress.println("bench: writing " + memoryMiB + " MiB of random guest RAM");
        VmConfig random = VmConfig.builder().name(RANDOM_VM).memoryMiB(memoryMiB)
                .accelerator(VmConfig.Accelerator.TCG).memoryFile(randomFile(work.resolve("ram.bin"), memoryMiB))
                .build();

        progress.println("bench: starting host-a and host-b (as agents run them, in this process)");
        LocalHostKit kit = LocalHostKit.prepare(work.resolve("hosts"), List.of("host-a", "host-b"), Map.of(), Map.of());
        EngineHost a = EngineHost.start(AgentSettings.parse(kit.host("host-a").settings()));
        started.add(a);
        EngineHost b = EngineHost.start(AgentSettings.parse(kit.host("host-b").settings()));
        started.add(b);
        a.engine().enrol(b.engine().identity().peerAddress());
        b.engine().enrol(a.engine().identity().peerAddress());
        String policy = PolicyJson.write(referencePolicy(a, List.of(idle, random)));
        a.storePolicy(POLICY_ID, policy);
        b.storePolicy(POLICY_ID, policy);

        BenchFigures.Handshake handshake = idleRoundTrips(a, b, idle, runs, progress);

        progress.println("bench: migrating " + memoryMiB + " MiB of random RAM through the engine");
        a.engine().start(random);
        MigrationResult engineRun = migrateOnce(a, b, random);
        b.engine().stop(RANDOM_VM);
        long streamBytes = engineRun.streamBytes();
        double transferNanos = engineRun.timings().phase(Phase.TRANSFER).toNanos();
        progress.println("bench: copying " + streamBytes + " bytes over a plain loopback socket");
        long plainSocketNanos = BenchBaselines.plainSocketCopyNanos(streamBytes);
        progress.println("bench: migrating the same VM configuration QEMU to QEMU over a plain relay");
        BenchBaselines.PlainMigration plain = BenchBaselines.plainRelayMigration(random, work.resolve("plain"));
        progress.println("bench: migrating the same VM configuration with QEMU's own TCP migration");
        BenchBaselines.QemuMigration qemuTcp = BenchBaselines.qemuDirectMigration(random, work.resolve("qtcp"),
                false);
        progress.println("bench: migrating the same VM configuration with QEMU's own TLS migration");
        BenchBaselines.QemuMigration qemuTls = BenchBaselines.qemuDirectMigration(random, work.resolve("qtls"),
                true);

        return new BenchFigures(handshake, new BenchFigures.Channel(streamBytes, transferNanos, plainSocketNanos),
                new BenchFigures.Migration(memoryMiB, engineRun.timings().total().toNanos() / 1e6,
                        downtimeMs(engineRun), plain.totalMs(), plain.downtimeMs(), qemuTcp, qemuTls));
    }

    /** Host-a's boot PCRs as they are, and the bench's VMs. */
    private static Policy referencePolicy(EngineHost host, List<VmConfig> vms) throws Exception {
        int[] boot = {0, 1, 2, 3, 4, 5, 6, 7};
        PcrValues now = host.engine().platform().readPcrs(PcrSelection.of(PcrBank.SHA256, boot));
        int launchPcr = host.engine().platform().launchPcr();
        Policy.Builder policy = Policy.builder(POLICY_ID).pcrSelection(org.vtpmmigrate.attest.tpm2.PcrSelection
                .builder().select(HashAlgorithm.SHA256, 0, 1, 2, 3, 4, 5, 6, 7, launchPcr).build());
        for (int pcr : boot) {
            policy.referenceValues(HashAlgorithm.SHA256, pcr, List.of(HexFormat.of().formatHex(
                    now.value(PcrBank.SHA256, pcr))));
        }
        SortedMap<String, SortedSet<String>> allowed = new TreeMap<>();
        for (VmConfig vm : vms) {
            for (LaunchMeasurement.Event e : LaunchMeasurement.of(vm).events()) {
                allowed.computeIfAbsent(e.name(), n -> new TreeSet<>()).add(HexFormat.of().formatHex(e.contentDigest()));
            }
        }
        return policy.vmLaunch(new Policy.VmLaunchRules(OptionalInt.of(launchPcr), allowed)).build();
    }

    /** Starts the idle VM on A and moves it back and forth {@code runs} times, then stops it. */
    private static BenchFigures.Handshake idleRoundTrips(EngineHost a, EngineHost b, VmConfig idle, int runs,
            PrintStream progress) throws Exception {
        a.engine().start(idle);
        double[] handshakeMs = new double[runs];
        double[] totalMs = new double[runs];
        double[] downtimeMs = new double[runs];
        EngineHost from = a;
        EngineHost to = b;
        for (int i = 0; i < runs; i++) {
            MigrationResult result = migrateOnce(from, to, idle);
            handshakeMs[i] = result.timings().handshake().toNanos() / 1e6;
            totalMs[i] = result.timings().total().toNanos() / 1e6;
            downtimeMs[i] = downtimeMs(result);
            progress.printf("bench: idle run %d/%d %s -> %s: handshake %.1f ms, total %.1f ms%n", i + 1, runs,
                    from.hostId(), to.hostId(), handshakeMs[i], totalMs[i]);
            EngineHost previous = from;
            from = to;
            to = previous;
        }
        from.engine().stop(IDLE_VM);
        return new BenchFigures.Handshake(runs, handshakeMs, totalMs, downtimeMs);
    }

    /** Defines {@code vm} (running on {@code from}) on the destination, migrates it there; it must commit. */
    private static MigrationResult migrateOnce(EngineHost from, EngineHost to, VmConfig vm) throws Exception {
        to.engine().define(vm);
        MigrationResult result = from.engine().migrate(vm.name(), to.engine().identity().peerAddress(), POLICY_ID)
                .await(BenchBaselines.TIMEOUT.multipliedBy(3));
        if (!result.committed()) {
            throw new IllegalStateException("migration of " + vm.name() + " from " + from.hostId() + " to " + to.hostId()
                    + " ended " + result.status() + result.failure().map(f -> ": " + f.reason() + " - " + f.detail())
                            .orElse(""));
        }
        return result;
    }

    private static double downtimeMs(MigrationResult result) {
        return result.timings().qemuDowntime()
                .orElseThrow(() -> new IllegalStateException("QEMU reported no downtime for " + result.migrationId()))
                .toNanos() / 1e6;
    }

    /** A file of {@code mib} MiB of pseudo-random bytes: incompressible guest RAM with no zero pages. */
    private static Path randomFile(Path file, long mib) throws IOException {
        byte[] chunk = new byte[1024 * 1024];
        SplittableRandom random = new SplittableRandom();
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long i = 0; i < mib; i++) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
        return file;
    }
}
