package org.vtpmmigrate.hypervisor.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.HypervisorTimeoutException;
import org.vtpmmigrate.hypervisor.IncomingMigration;
import org.vtpmmigrate.hypervisor.LaunchMeasurement;
import org.vtpmmigrate.hypervisor.MigrationSettings;
import org.vtpmmigrate.hypervisor.MigrationStats;
import org.vtpmmigrate.hypervisor.MigrationStatus;
import org.vtpmmigrate.hypervisor.OutgoingMigration;
import org.vtpmmigrate.hypervisor.QmpEvent;
import org.vtpmmigrate.hypervisor.RunState;
import org.vtpmmigrate.hypervisor.VirtualMachine;
import org.vtpmmigrate.hypervisor.VmConfig;
import org.vtpmmigrate.hypervisor.VtpmProcess;

/** {@link VirtualMachine} as a QEMU child process driven over QMP. */
public final class QemuVirtualMachine implements VirtualMachine {
    /** Generous: a TCG guest on a loaded two-core host answers slowly. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    /** Upper bound between two status checks while waiting; events usually wake the wait earlier. */
    static final Duration POLL_SLICE = Duration.ofMillis(250);
    private static final Duration QUIT_REPLY_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration KILL_GRACE = Duration.ofSeconds(3);
    private static final Duration VTPM_STOP_GRACE = Duration.ofSeconds(5);
    private static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(10);

    private final VmConfig config;
    private final Path runDirectory;
    private final ChildProcess qemu;
    private final QmpClient qmp;
    private final VtpmProcess vtpm;
    private final LaunchMeasurement measurement;
    private final boolean incoming;
    private String accelerator = "unknown";
    private boolean stopped;

    private QemuVirtualMachine(VmConfig config, Path runDirectory, ChildProcess qemu, QmpClient qmp,
            VtpmProcess vtpm, LaunchMeasurement measurement, boolean incoming) {
        this.config = config;
        this.runDirectory = runDirectory;
        this.qemu = qemu;
        this.qmp = qmp;
        this.vtpm = vtpm;
        this.measurement = measurement;
        this.incoming = incoming;
    }

    /**
     * Launches QEMU; see {@link VirtualMachine#launch} and {@link VirtualMachine#launchIncoming}. On
     * failure the vTPM process is stopped too, as the VM owned it.
     */
    public static QemuVirtualMachine launch(VmConfig config, Path runDirectory, VtpmProcess vtpm, boolean incoming,
            Duration timeout) throws HypervisorException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(runDirectory, "runDirectory");
        Objects.requireNonNull(vtpm, "vtpm");
        Deadline deadline = Deadline.after(timeout);
        try {
            if (vtpm.mode() != VtpmProcess.Mode.QEMU || !vtpm.isAlive()) {
                throw new HypervisorException("VM " + config.name() + " needs a running vTPM started for QEMU, got "
                        + vtpm.mode() + (vtpm.isAlive() ? "" : " (not running)"));
            }
            Path run = prepareRunDirectory(runDirectory);
            Path qmpSocket = UnixSockets.requireSocketPath(run.resolve("qmp.sock"), "QMP");
            deleteStaleSocket(qmpSocket);
            LaunchMeasurement measurement = LaunchMeasurement.of(config);
            List<String> command = QemuCommandLine.command(config, measurement.firmware(), qmpSocket,
                    vtpm.controlSocket(), incoming);
            ChildProcess qemu = ChildProcess.start("QEMU " + config.name(), command, run, run.resolve("qemu.log"));
            QmpClient qmp;
            try {
                qmp = QmpClient.connect(qmpSocket, deadline.remaining(), qemu::isAlive);
            } catch (HypervisorException e) {
                qemu.stop(KILL_GRACE);
                throw new HypervisorException("QEMU for VM " + config.name() + " did not come up: " + e.getMessage()
                        + "; " + qemu.exitDescription(), e);
            }
            QemuVirtualMachine vm = new QemuVirtualMachine(config, run, qemu, qmp, vtpm, measurement, incoming);
            try {
                vm.accelerator = vm.queryAccelerator();
            } catch (HypervisorException | RuntimeException e) {
                vm.close();
                throw e;
            }
            return vm;
        } catch (HypervisorException | RuntimeException e) {
            vtpm.stop(VTPM_STOP_GRACE);
            throw e;
        }
    }

    private static Path prepareRunDirectory(Path runDirectory) throws HypervisorException {
        try {
            return PrivateDirectories.create(runDirectory.toAbsolutePath().normalize());
        } catch (IOException e) {
            throw new HypervisorException("cannot prepare run directory " + runDirectory + ": " + e.getMessage(), e);
        }
    }

    private static void deleteStaleSocket(Path socket) throws HypervisorException {
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new HypervisorException("cannot remove stale socket " + socket + ": " + e.getMessage(), e);
        }
    }

    private String queryAccelerator() throws HypervisorException {
        JsonObject kvm = object(qmp.execute("query-kvm", COMMAND_TIMEOUT), "query-kvm");
        return JsonValues.isTrue(kvm, "enabled") ? "kvm" : "tcg";
    }

    @Override
    public VmConfig config() {
        return config;
    }

    @Override
    public Path runDirectory() {
        return runDirectory;
    }

    @Override
    public long pid() {
        return qemu.pid();
    }

    @Override
    public boolean isAlive() {
        return qemu.isAlive();
    }

    @Override
    public String accelerator() {
        return accelerator;
    }

    @Override
    public LaunchMeasurement launchMeasurement() {
        return measurement;
    }

    @Override
    public VtpmProcess vtpm() {
        return vtpm;
    }

    /** How the QEMU process ended, with the end of its log. */
    String exitDescription() {
        return qemu.exitDescription();
    }

    QmpClient qmp() {
        return qmp;
    }

    @Override
    public RunState status() throws HypervisorException {
        JsonObject reply = object(qmp.execute("query-status", COMMAND_TIMEOUT), "query-status");
        String name = JsonValues.stringOrNull(reply, "status");
        return RunState.fromQmpName(name).orElseThrow(() -> new HypervisorException(
                "QEMU for VM " + config.name() + " reported an unknown run state '" + name + "'"));
    }

    @Override
    public void awaitStatus(RunState expected, Duration timeout) throws HypervisorException {
        Deadline deadline = Deadline.after(timeout);
        try (QmpClient.EventSubscription wakeUps = qmp.subscribe(event -> true)) {
            RunState last = status();
            while (last != expected) {
                if (deadline.isExpired()) {
                    throw new HypervisorTimeoutException("VM " + config.name() + " to reach run state "
                            + expected.qmpName() + " (last seen: " + last.qmpName() + ")", timeout);
                }
                wakeUps.poll(min(deadline.remaining(), POLL_SLICE));
                last = status();
            }
        }
    }

    @Override
    public void pause() throws HypervisorException {
        qmp.execute("stop", COMMAND_TIMEOUT);
    }

    @Override
    public void resume() throws HypervisorException {
        qmp.execute("cont", COMMAND_TIMEOUT);
    }

    @Override
    public synchronized OutgoingMigration migrateOut(MigrationSettings settings) throws HypervisorException {
        prepareOutgoing(settings, new JsonObject());
        Path socket = UnixSockets.requireSocketPath(runDirectory.resolve("migrate-out.sock"), "outgoing migration");
        QmpClient.EventSubscription events = subscribeMigrationEvents();
        try (ServerSocketChannel server = UnixSockets.listen(socket)) {
            JsonObject arguments = new JsonObject();
            arguments.addProperty("uri", "unix:" + socket);
            qmp.execute("migrate", arguments, COMMAND_TIMEOUT);
            SocketChannel data;
            try {
                data = UnixSockets.acceptOne(server, Deadline.after(settings.connectTimeout()),
                        "QEMU " + config.name() + " (migration stream)");
            } catch (HypervisorException e) {
                cancelQuietly();
                throw e;
            }
            return new QemuOutgoingMigration(this, data, events);
        } catch (HypervisorException | IOException | RuntimeException e) {
            events.close();
            throw e instanceof HypervisorException h ? h
                    : new HypervisorException("starting the outgoing migration of VM " + config.name() + " failed: "
                            + e, e);
        } finally {
            deleteQuietly(socket);
        }
    }

    @Override
    public synchronized IncomingMigration migrateIn(Duration timeout) throws HypervisorException {
        Deadline deadline = Deadline.after(timeout);
        prepareIncoming(new JsonObject());
        Path socket = UnixSockets.requireSocketPath(runDirectory.resolve("migrate-in.sock"), "incoming migration");
        deleteStaleSocket(socket);
        QmpClient.EventSubscription events = subscribeMigrationEvents();
        try {
            JsonObject arguments = new JsonObject();
            arguments.addProperty("uri", "unix:" + socket);
            qmp.execute("migrate-incoming", arguments, COMMAND_TIMEOUT);
            SocketChannel data = UnixSockets.connect(socket, deadline, qemu::isAlive,
                    "QEMU " + config.name() + " (incoming migration)");
            // connected: remove the name so that nobody else can reach QEMU's listener
            deleteQuietly(socket);
            return new QemuIncomingMigration(this, data, events);
        } catch (HypervisorException | RuntimeException e) {
            events.close();
            throw e;
        }
    }

    /**
     * Checks that this VM can start an outgoing migration and sets QEMU's capabilities and parameters
     * from {@code settings} plus {@code extraParameters} (e.g. {@code tls-creds}).
     */
    void prepareOutgoing(MigrationSettings settings, JsonObject extraParameters) throws HypervisorException {
        Objects.requireNonNull(settings, "settings");
        RunState state = status();
        if (state != RunState.RUNNING && state != RunState.PAUSED) {
            throw new HypervisorException("VM " + config.name() + " cannot migrate out from run state "
                    + state.qmpName());
        }
        MigrationStatus current = migrationStats().status();
        if (current != MigrationStatus.NONE && !current.isFinal()) {
            throw new HypervisorException("VM " + config.name() + " already has a migration in progress ("
                    + current.qmpName() + ")");
        }
        setCapabilities(Map.of("events", true, "auto-converge", settings.autoConverge()));
        JsonObject parameters = extraParameters.deepCopy();
        parameters.addProperty("max-bandwidth", settings.maxBandwidthBytesPerSecond());
        parameters.addProperty("downtime-limit", settings.downtimeLimit().toMillis());
        qmp.execute("migrate-set-parameters", parameters, COMMAND_TIMEOUT);
    }

    /**
     * Checks that this VM is a destination still waiting for its stream and sets the capabilities and
     * {@code parameters} (possibly none) the incoming side needs.
     */
    void prepareIncoming(JsonObject parameters) throws HypervisorException {
        if (!incoming) {
            throw new HypervisorException("VM " + config.name() + " was not launched as a migration destination");
        }
        RunState state = status();
        if (state != RunState.INMIGRATE) {
            throw new HypervisorException("VM " + config.name() + " is in run state " + state.qmpName()
                    + ", not inmigrate: it has already received a migration");
        }
        setCapabilities(Map.of("events", true));
        if (parameters.size() > 0) {
            qmp.execute("migrate-set-parameters", parameters, COMMAND_TIMEOUT);
        }
    }

    QmpClient.EventSubscription subscribeMigrationEvents() {
        return qmp.subscribe(event -> "MIGRATION".equals(event.name()));
    }

    private void setCapabilities(Map<String, Boolean> capabilities) throws HypervisorException {
        JsonArray list = new JsonArray();
        capabilities.forEach((name, state) -> {
            JsonObject capability = new JsonObject();
            capability.addProperty("capability", name);
            capability.addProperty("state", state);
            list.add(capability);
        });
        JsonObject arguments = new JsonObject();
        arguments.add("capabilities", list);
        qmp.execute("migrate-set-capabilities", arguments, COMMAND_TIMEOUT);
    }

    @Override
    public MigrationStats migrationStats() throws HypervisorException {
        return parseStats(object(qmp.execute("query-migrate", COMMAND_TIMEOUT), "query-migrate"));
    }

    static MigrationStats parseStats(JsonObject reply) throws HypervisorException {
        String statusName = reply.has("status") ? JsonValues.stringOrNull(reply, "status") : "none";
        MigrationStatus status = MigrationStatus.fromQmpName(statusName).orElseThrow(() ->
                new HypervisorException("query-migrate reported an unknown status '" + statusName + "'"));
        JsonObject ram = reply.has("ram") && reply.get("ram").isJsonObject() ? reply.getAsJsonObject("ram")
                : new JsonObject();
        try {
            return new MigrationStats(status,
                    longOr(reply, "total-time"),
                    longOr(reply, "downtime"),
                    longOr(reply, "expected-downtime"),
                    longOr(reply, "setup-time"),
                    longOr(ram, "transferred"),
                    longOr(ram, "total"),
                    longOr(ram, "remaining"),
                    longOr(ram, "dirty-sync-count"),
                    ram.has("mbps") ? ram.get("mbps").getAsDouble() : -1,
                    JsonValues.stringOrNull(reply, "error-desc"));
        } catch (RuntimeException e) {
            throw new HypervisorException("query-migrate reply has a malformed counter: " + e.getMessage()
                    + " in " + reply, e);
        }
    }

    private static long longOr(JsonObject object, String name) {
        return object.has(name) ? JsonValues.exactLong(object.get(name)) : -1;
    }

    @Override
    public void cancelMigration() throws HypervisorException {
        qmp.execute("migrate_cancel", COMMAND_TIMEOUT);
    }

    void cancelQuietly() {
        try {
            if (qmp.isOpen()) {
                cancelMigration();
            }
        } catch (HypervisorException ignored) {
            // best effort while already failing; the caller reports the original error
        }
    }

    @Override
    public void addEventListener(Consumer<QmpEvent> listener) {
        qmp.addEventListener(listener);
    }

    @Override
    public void removeEventListener(Consumer<QmpEvent> listener) {
        qmp.removeEventListener(listener);
    }

    @Override
    public boolean awaitExit(Duration timeout) throws HypervisorException {
        return qemu.awaitExit(timeout);
    }

    @Override
    public synchronized void stop(Duration timeout) {
        if (stopped) {
            return;
        }
        stopped = true;
        Deadline deadline = Deadline.after(timeout);
        if (qemu.isAlive() && qmp.isOpen()) {
            try {
                qmp.execute("quit", min(deadline.remaining(), QUIT_REPLY_TIMEOUT));
            } catch (HypervisorException ignored) {
                // QEMU may close the socket before its reply arrives; the exit wait below decides
            }
        }
        boolean exited;
        try {
            exited = qemu.awaitExit(deadline.remaining());
        } catch (HypervisorException interrupted) {
            exited = false;
        }
        if (!exited) {
            qemu.stop(KILL_GRACE);
        }
        qmp.close();
        vtpm.stop(VTPM_STOP_GRACE);
    }

    @Override
    public void close() {
        stop(DEFAULT_STOP_TIMEOUT);
    }

    static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static JsonObject object(JsonElement reply, String command) throws HypervisorException {
        if (reply == null || !reply.isJsonObject()) {
            throw new HypervisorException("QMP '" + command + "' returned " + reply + ", expected an object");
        }
        return reply.getAsJsonObject();
    }

    static void deleteQuietly(Path socket) {
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // a leftover socket file is replaced on the next use
        }
    }

    @Override
    public String toString() {
        return "VM " + config.name() + " (QEMU pid " + pid() + ", " + runDirectory + ")";
    }
}
