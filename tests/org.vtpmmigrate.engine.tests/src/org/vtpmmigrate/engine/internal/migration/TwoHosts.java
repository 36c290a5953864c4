package org.vtpmmigrate.engine.internal.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.vtpmmigrate.engine.migration.MigrationHandle;
import org.vtpmmigrate.engine.migration.MigrationResult;
import org.vtpmmigrate.engine.migration.VmStatus;
import org.vtpmmigrate.hypervisor.LaunchMeasurement;
import org.vtpmmigrate.hypervisor.RunState;
import org.vtpmmigrate.hypervisor.VmConfig;
import org.vtpmmigrate.hypervisor.VtpmInstance;
import org.vtpmmigrate.testsupport.Await;
import org.vtpmmigrate.testsupport.SwtpmProcess;

/**
 * Hosts A and B on 127.0.0.1, each with its own swtpm platform TPM, trusting each other's EK CA,
 * enrolled with each other, and sharing the reference policy made from A's PCRs (both boot the same
 * simulated firmware, so B's PCRs match). A VM with a marker in its vTPM can be started on A.
 */
public final class TwoHosts implements AutoCloseable {
    public static final String POLICY = "reference-v1";
    public static final byte[] MARKER = "marker-travels-with-the-vm".getBytes(StandardCharsets.US_ASCII);
    public static final Duration TIMEOUT = TestHost.TIMEOUT;

    public final TestHost a;
    public final TestHost b;
    private final Path directory;

    private TwoHosts(TestHost a, TestHost b, Path directory) {
        this.a = a;
        this.b = b;
        this.directory = directory;
    }

    public static TwoHosts start(Path directory) throws Exception {
        return start(directory, settings -> { });
    }

    public static TwoHosts start(Path directory, Consumer<EngineSettings.Builder> settings) throws Exception {
        return start(directory, settings, settings);
    }

    /** Hosts whose settings differ (a source with shorter deadlines than its destination, say). */
    public static TwoHosts start(Path directory, Consumer<EngineSettings.Builder> settingsOfA,
            Consumer<EngineSettings.Builder> settingsOfB) throws Exception {
        SwtpmProcess tpmA = TestHost.platformTpm();
        SwtpmProcess tpmB;
        try {
            tpmB = TestHost.platformTpm();
        } catch (RuntimeException e) {
            tpmA.close();
            throw e;
        }
        TestHost a = null;
        try {
            a = TestHost.start("host-a", directory.resolve("a"), tpmA, List.of(tpmB), settingsOfA);
            TestHost b = TestHost.start("host-b", directory.resolve("b"), tpmB, List.of(tpmA), settingsOfB);
            TwoHosts hosts = new TwoHosts(a, b, directory);
            a.engine.enrol(b.engine.identity().peerAddress());
            b.engine.enrol(a.engine.identity().peerAddress());
            return hosts;
        } catch (Exception | Error e) {
            if (a != null) {
                a.close();
            } else {
                tpmA.close();
            }
            tpmB.close();
            throw e;
        }
    }

    /** The reference policy from A's current PCRs allowing {@code allowed}, given to both hosts. */
    public ReferencePcrPolicy sharePolicy(VmConfig allowed) throws Exception {
        ReferencePcrPolicy policy = ReferencePcrPolicy.fromHost(POLICY, a.engine.platform())
                .allowVm(LaunchMeasurement.of(allowed)).build();
        a.policies.put(policy);
        b.policies.put(policy);
        return policy;
    }

    /** Defines {@code config} on both hosts, writes the marker into its new vTPM on A and starts it there. */
    public VtpmInstance startOnA(VmConfig config) throws Exception {
        b.engine.define(config);
        VtpmInstance instance = a.store.create(config.name(), TIMEOUT);
        Path work = Files.createDirectories(directory.resolve("markers"));
        VtpmMarker.write(instance, MARKER, work);
        VmStatus status = a.engine.start(config);
        assertEquals(VmStatus.State.RUNNING, status.state());
        return instance;
    }

    public MigrationHandle migrateToB(String vmId) throws Exception {
        return a.engine.migrate(vmId, b.engine.identity().peerAddress(), POLICY);
    }

    /** Waits for a host's record of a run to appear and the run to end there. */
    public static MigrationResult resultOf(TestHost host, String migrationId) throws Exception {
        MigrationHandle handle = Await.value(() -> host.engine.migrations().stream()
                .filter(h -> h.migrationId().equals(migrationId)).findFirst(), TIMEOUT,
                host + " to record migration " + migrationId);
        return handle.await(TIMEOUT);
    }

    /** What QEMU on {@code host} says about the VM, or empty if no QEMU runs it there. */
    public static Optional<RunState> qemuState(TestHost host, String vmId) throws Exception {
        var machine = host.engine.machine(vmId);
        if (machine.isEmpty() || !machine.get().isAlive()) {
            return Optional.empty();
        }
        return Optional.of(machine.get().status());
    }

    public Path directory() {
        return directory;
    }

    @Override
    public void close() {
        try {
            a.close();
        } finally {
            b.close();
        }
    }
}
