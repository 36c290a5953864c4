package org.vtpmmigrate.engine.internal.migration;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.vtpmmigrate.engine.migration.MigrationRefusedException;
import org.vtpmmigrate.engine.migration.VmOperationException;
import org.vtpmmigrate.engine.migration.VmStatus;
import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.LaunchMeasurement;
import org.vtpmmigrate.hypervisor.MigrationEpoch;
import org.vtpmmigrate.hypervisor.RunState;
import org.vtpmmigrate.hypervisor.VirtualMachine;
import org.vtpmmigrate.hypervisor.VmConfig;
import org.vtpmmigrate.hypervisor.VtpmInstance;
import org.vtpmmigrate.hypervisor.VtpmProcess;
import org.vtpmmigrate.hypervisor.VtpmStore;
import org.vtpmmigrate.protocol.PlatformException;

/**
 * The VMs of one host: their definitions, where each one is ({@link VmStatus.State}), the QEMU
 * process and the vTPM instance held here. State changes are checked here, in one place; slow work
 * (launching, stopping, deleting) runs outside the lock while the VM is marked busy, so nobody else
 * can act on it meanwhile.
 */
final class VmManager implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(VmManager.class.getName());

    /** One VM known here. */
    private static final class Entry {
        final VmConfig config;
        VmStatus.State state;
        VirtualMachine machine;
        VtpmInstance instance;
        boolean busy;

        Entry(VmConfig config, VmStatus.State state) {
            this.config = config;
            this.state = state;
        }
    }

    /** What a source run needs of the VM it migrates. */
    record Outgoing(VmConfig config, VirtualMachine machine, VtpmInstance instance) {
    }

    private final VtpmStore store;
    private final HostPlatform platform;
    private final Path runRoot;
    private final Duration timeout;
    private final Duration leaseTimeout;
    private final Map<String, Entry> entries = new TreeMap<>();
    private boolean closed;

    /**
     * @param runRoot QEMU run directories go below it (keep it short: unix socket paths are limited)
     * @param timeout for each QEMU and swtpm operation
     * @param leaseTimeout how long a launch measurement may wait for a run that binds the platform state
     */
    VmManager(VtpmStore store, HostPlatform platform, Path runRoot, Duration timeout, Duration leaseTimeout) {
        this.store = store;
        this.platform = platform;
        this.runRoot = runRoot;
        this.timeout = timeout;
        this.leaseTimeout = leaseTimeout;
    }

    synchronized VmStatus define(VmConfig config) throws VmOperationException {
        return status(defineLocked(config));
    }

    private Entry defineLocked(VmConfig config) throws VmOperationException {
        requireOpen();
        String id = MigrationEpoch.requireInstanceId(config.name());
        Entry entry = entries.get(id);
        if (entry != null) {
            if (!sameDefinition(entry.config, config)) {
                throw new VmOperationException(VmOperationException.Reason.CONFLICTING_DEFINITION, "VM " + id
                        + " is already defined here with another configuration");
            }
            return entry;
        }
        boolean stored;
        try {
            stored = store.instanceIds().contains(id);
        } catch (HypervisorException e) {
            throw new VmOperationException(VmOperationException.Reason.HYPERVISOR, e.getMessage(), e);
        }
        entry = new Entry(config, stored ? VmStatus.State.STOPPED : VmStatus.State.DEFINED);
        entries.put(id, entry);
        return entry;
    }

    /** Whether two configurations describe the same VM (VmConfig has no value equality). */
    static boolean sameDefinition(VmConfig a, VmConfig b) {
        return a.name().equals(b.name()) && a.memoryMiB() == b.memoryMiB() && a.machineType() == b.machineType()
                && a.cpuModel().equals(b.cpuModel()) && a.vcpus() == b.vcpus()
                && a.memoryFile().equals(b.memoryFile()) && a.firmware().equals(b.firmware())
                && a.kernel().equals(b.kernel()) && a.initrd().equals(b.initrd())
                && a.kernelCommandLine().equals(b.kernelCommandLine()) && a.diskImage().equals(b.diskImage())
                && a.tpmModel() == b.tpmModel() && a.accelerator() == b.accelerator()
                && a.qemuBinary().equals(b.qemuBinary());
    }

    VmStatus start(VmConfig config) throws VmOperationException {
        String id = config.name();
        Entry entry;
        synchronized (this) {
            entry = defineLocked(config);
            if (entry.busy || (entry.state != VmStatus.State.DEFINED && entry.state != VmStatus.State.STOPPED)) {
                throw new VmOperationException(VmOperationException.Reason.WRONG_STATE, "VM " + id + " is "
                        + describe(entry) + "; only a defined or stopped VM can be started");
            }
            entry.busy = true;
        }
        VtpmInstance instance = null;
        try {
            instance = store.instanceIds().contains(id) ? store.open(id) : store.create(id, timeout);
            LaunchMeasurement measured = LaunchMeasurement.of(config);
            platform.recordLaunch(id, measured, leaseTimeout);
            VtpmProcess vtpm = instance.startForQemu(timeout);
            VirtualMachine machine = VirtualMachine.launch(config, runRoot.resolve(id), vtpm, timeout);
            if (!machine.launchMeasurement().events().equals(measured.events())) {
                machine.stop(timeout);
                throw new VmOperationException(VmOperationException.Reason.HYPERVISOR, "VM " + id + ": the launch "
                        + "inputs changed between their measurement " + measured + " and QEMU's start "
                        + machine.launchMeasurement());
            }
            machine.awaitStatus(RunState.RUNNING, timeout);
            synchronized (this) {
                entry.machine = machine;
                entry.instance = instance;
                entry.state = VmStatus.State.RUNNING;
                return status(entry);
            }
        } catch (HypervisorException e) {
            throw new VmOperationException(VmOperationException.Reason.HYPERVISOR, "starting VM " + id + ": "
                    + e.getMessage(), e);
        } catch (PlatformException e) {
            throw new VmOperationException(VmOperationException.Reason.PLATFORM_TPM, "measuring the launch of VM " + id
                    + ": " + e.getMessage(), e);
        } finally {
            synchronized (this) {
                entry.busy = false;
                if (entry.state != VmStatus.State.RUNNING && instance != null) {
                    entry.instance = instance;
                    entry.state = VmStatus.State.STOPPED;
                }
            }
        }
    }

    VmStatus stop(String vmId) throws VmOperationException {
        Entry entry;
        synchronized (this) {
            entry = entry(vmId);
            if (entry.busy || (entry.state != VmStatus.State.RUNNING && entry.state != VmStatus.State.IN_DOUBT)) {
                throw new VmOperationException(VmOperationException.Reason.WRONG_STATE, "VM " + vmId + " is "
                        + describe(entry) + "; only a running VM, or one in doubt, can be stopped");
            }
            entry.busy = true;
        }
        try {
            entry.machine.stop(timeout);
        } finally {
            synchronized (this) {
                entry.machine = null;
                entry.state = VmStatus.State.STOPPED;
                entry.busy = false;
            }
        }
        return status(vmId).orElseThrow();
    }

    synchronized List<VmStatus> list() {
        List<VmStatus> out = new ArrayList<>();
        entries.values().forEach(e -> out.add(status(e)));
        return out;
    }

    synchronized Optional<VmStatus> status(String vmId) {
        return Optional.ofNullable(entries.get(vmId)).map(this::status);
    }

    synchronized Optional<VmConfig> definition(String vmId) {
        return Optional.ofNullable(entries.get(vmId)).map(e -> e.config);
    }

    /** The QEMU process of a VM held here, if any (for inspection). */
    synchronized Optional<VirtualMachine> machine(String vmId) {
        return Optional.ofNullable(entries.get(vmId)).map(e -> e.machine);
    }

    // ---------------------------------------------------------------- source side

    /** Marks a running VM as migrating out and hands over what the run needs. */
    synchronized Outgoing beginOutgoing(String vmId) throws MigrationRefusedException {
        if (closed) {
            throw new MigrationRefusedException(MigrationRefusedException.Reason.ENGINE_UNAVAILABLE, "engine closed");
        }
        Entry entry = entries.get(vmId);
        if (entry == null) {
            throw new MigrationRefusedException(MigrationRefusedException.Reason.UNKNOWN_VM, "no VM " + vmId
                    + " is known here");
        }
        if (entry.busy || entry.state != VmStatus.State.RUNNING || !entry.machine.isAlive()) {
            throw new MigrationRefusedException(MigrationRefusedException.Reason.VM_NOT_RUNNING, "VM " + vmId + " is "
                    + describe(entry) + " here");
        }
        entry.state = VmStatus.State.MIGRATING_OUT;
        return new Outgoing(entry.config, entry.machine, entry.instance);
    }

    /** The destination committed: stop the VM and destroy the vTPM state left here. */
    void outgoingCommitted(String vmId) throws HypervisorException {
        Entry entry;
        synchronized (this) {
            entry = entry(vmId);
        }
        try {
            entry.machine.stop(timeout);
            store.secureDelete(entry.instance);
        } finally {
            synchronized (this) {
                entry.machine = null;
                entry.instance = null;
                entry.state = VmStatus.State.DEFINED;
            }
        }
    }

    /** The run ended without a commit: the VM stays (the run resumed it). */
    synchronized void outgoingAbandoned(String vmId) {
        Entry entry = entries.get(vmId);
        if (entry != null && entry.state == VmStatus.State.MIGRATING_OUT) {
            entry.state = VmStatus.State.RUNNING;
        }
    }

    // ---------------------------------------------------------------- destination side

    /**
     * Reserves a defined VM for an arriving run.
     *
     * @return empty when reserved, else why not
     */
    synchronized Optional<String> reserveIncoming(String vmId) {
        Entry entry = entries.get(vmId);
        if (closed) {
            return Optional.of("the engine is closing");
        }
        if (entry == null) {
            return Optional.of("VM " + vmId + " is not defined here");
        }
        if (entry.busy || entry.state != VmStatus.State.DEFINED) {
            return Optional.of("VM " + vmId + " is " + describe(entry) + " here");
        }
        entry.state = VmStatus.State.INCOMING;
        return Optional.empty();
    }

    /** Creates the empty vTPM of the offered epoch and a paused QEMU waiting for the stream. */
    VirtualMachine launchIncoming(String vmId, long epoch) throws HypervisorException {
        Entry entry;
        synchronized (this) {
            entry = entry(vmId);
            if (entry.state != VmStatus.State.INCOMING) {
                throw new IllegalStateException("VM " + vmId + " was not reserved for an incoming run");
            }
        }
        VtpmInstance instance = store.createIncoming(new MigrationEpoch(vmId, epoch));
        synchronized (this) {
            entry.instance = instance;
        }
        VirtualMachine machine = VirtualMachine.launchIncoming(entry.config, runRoot.resolve(vmId),
                instance.startForQemu(timeout), timeout);
        synchronized (this) {
            entry.machine = machine;
        }
        return machine;
    }

    synchronized void incomingCommitted(String vmId) {
        entry(vmId).state = VmStatus.State.RUNNING;
    }

    synchronized void incomingInDoubt(String vmId) {
        entry(vmId).state = VmStatus.State.IN_DOUBT;
    }

    /** Stops the incoming QEMU and destroys the incoming vTPM state, whatever of both exists. */
    void incomingDiscarded(String vmId) throws HypervisorException {
        Entry entry;
        synchronized (this) {
            entry = entries.get(vmId);
            if (entry == null || entry.state != VmStatus.State.INCOMING) {
                return;
            }
        }
        try {
            if (entry.machine != null) {
                entry.machine.stop(timeout);
            }
            if (entry.instance != null) {
                store.secureDelete(entry.instance);
            }
        } finally {
            synchronized (this) {
                entry.machine = null;
                entry.instance = null;
                entry.state = VmStatus.State.DEFINED;
            }
        }
    }

    private Entry entry(String vmId) {
        Entry entry = entries.get(vmId);
        if (entry == null) {
            throw new IllegalStateException("no VM " + vmId);
        }
        return entry;
    }

    private VmStatus status(Entry entry) {
        OptionalLong epoch = OptionalLong.empty();
        VtpmInstance instance = entry.instance;
        try {
            if (instance == null && entry.state == VmStatus.State.STOPPED) {
                instance = store.open(entry.config.name());
            }
            if (instance != null) {
                epoch = OptionalLong.of(instance.epoch().epoch());
            }
        } catch (HypervisorException e) {
            LOG.log(System.Logger.Level.DEBUG, "epoch of {0} unreadable: {1}", entry.config.name(), e.getMessage());
        }
        OptionalLong pid = entry.machine != null && entry.machine.isAlive() ? OptionalLong.of(entry.machine.pid())
                : OptionalLong.empty();
        return new VmStatus(entry.config.name(), entry.state, epoch, pid, entry.config.memoryMiB());
    }

    private static String describe(Entry entry) {
        return entry.state.name().toLowerCase(Locale.ROOT).replace('_', ' ')
                + (entry.busy ? " (busy)" : "");
    }

    private void requireOpen() throws VmOperationException {
        if (closed) {
            throw new VmOperationException(VmOperationException.Reason.ENGINE_CLOSED, "the engine is closed");
        }
    }

    /** Stops every QEMU this host runs; the vTPM states stay in the store. */
    @Override
    public void close() {
        List<VirtualMachine> machines = new ArrayList<>();
        synchronized (this) {
            closed = true;
            for (Entry e : entries.values()) {
                if (e.machine != null) {
                    machines.add(e.machine);
                }
            }
        }
        for (VirtualMachine machine : machines) {
            try {
                machine.stop(timeout);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "stopping " + machine + " failed", e);
            }
        }
        synchronized (this) {
            for (Entry e : entries.values()) {
                if (e.machine != null) {
                    e.machine = null;
                    if (e.state == VmStatus.State.RUNNING || e.state == VmStatus.State.MIGRATING_OUT) {
                        e.state = VmStatus.State.STOPPED;
                    }
                }
            }
        }
    }
}
