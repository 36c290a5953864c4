package org.vtpmmigrate.hypervisor.internal;

import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.HypervisorTimeoutException;
import org.vtpmmigrate.hypervisor.MigrationFailedException;
import org.vtpmmigrate.hypervisor.MigrationStats;
import org.vtpmmigrate.hypervisor.MigrationStatus;
import org.vtpmmigrate.hypervisor.OutgoingMigration;
import org.vtpmmigrate.hypervisor.RunState;

/** The source end: the connection QEMU's {@code migrate} made to a socket this bundle accepted. */
final class QemuOutgoingMigration implements OutgoingMigration {
    private final QemuVirtualMachine vm;
    private final SocketChannel data;
    private final QmpClient.EventSubscription migrationEvents;

    QemuOutgoingMigration(QemuVirtualMachine vm, SocketChannel data, QmpClient.EventSubscription migrationEvents) {
        this.vm = vm;
        this.data = data;
        this.migrationEvents = migrationEvents;
    }

    @Override
    public ReadableByteChannel data() {
        return data;
    }

    @Override
    public MigrationStats stats() throws HypervisorException {
        return vm.migrationStats();
    }

    @Override
    public MigrationStats awaitCompletion(Duration timeout) throws HypervisorException {
        return awaitSourceCompletion(vm, migrationEvents, timeout);
    }

    /**
     * Waits until the source {@code vm} reports its outgoing migration completed, woken by
     * {@code migrationEvents}, and returns the final statistics.
     */
    static MigrationStats awaitSourceCompletion(QemuVirtualMachine vm, QmpClient.EventSubscription migrationEvents,
            Duration timeout) throws HypervisorException {
        Deadline deadline = Deadline.after(timeout);
        MigrationStatus last = null;
        while (true) {
            if (!vm.isAlive()) {
                throw new MigrationFailedException(last, "source QEMU exited: " + vm.exitDescription());
            }
            MigrationStats stats = vm.migrationStats();
            last = stats.status();
            switch (stats.status()) {
                case COMPLETED:
                    // QEMU reports "completed" a moment before it fills in total time and downtime;
                    // it does both, then leaves finish-migrate, under the lock QMP commands run under.
                    deadline.await("VM " + vm.config().name() + " to leave finish-migrate",
                            () -> vm.status() != RunState.FINISH_MIGRATE);
                    return vm.migrationStats();
                case FAILED:
                    throw new MigrationFailedException(stats.status(), stats.errorDescription() == null
                            ? "QEMU gave no reason" : stats.errorDescription());
                case CANCELLED:
                    throw new MigrationFailedException(stats.status(), "cancelled on the source");
                default:
                    break;
            }
            if (deadline.isExpired()) {
                throw new HypervisorTimeoutException("the outgoing migration of VM " + vm.config().name()
                        + " to complete (last status: " + last.qmpName() + ")", timeout);
            }
            migrationEvents.poll(QemuVirtualMachine.min(deadline.remaining(), QemuVirtualMachine.POLL_SLICE));
        }
    }

    @Override
    public void cancel() throws HypervisorException {
        vm.cancelMigration();
    }

    @Override
    public void close() {
        try {
            data.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
        if (vm.isAlive() && vm.qmp().isOpen()) {
            try {
                if (!vm.migrationStats().status().isFinal()) {
                    vm.cancelQuietly();
                }
            } catch (HypervisorException ignored) {
                // QMP gone: the VM's own stop/close handles the process
            }
        }
        migrationEvents.close();
    }
}
