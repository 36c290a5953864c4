package org.vtpmmigrate.hypervisor.internal;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.HypervisorTimeoutException;
import org.vtpmmigrate.hypervisor.IncomingMigration;
import org.vtpmmigrate.hypervisor.MigrationFailedException;
import org.vtpmmigrate.hypervisor.MigrationStats;
import org.vtpmmigrate.hypervisor.MigrationStatus;
import org.vtpmmigrate.hypervisor.RunState;

/** The destination end: a connection to the socket QEMU listens on after {@code migrate-incoming}. */
final class QemuIncomingMigration implements IncomingMigration {
    /** QEMU 7.2 exits when an incoming stream fails; give the exit this long to be observed. */
    private static final Duration EXIT_OBSERVATION = Duration.ofSeconds(2);

    private final QemuVirtualMachine vm;
    private final SocketChannel data;
    private final QmpClient.EventSubscription migrationEvents;

    QemuIncomingMigration(QemuVirtualMachine vm, SocketChannel data, QmpClient.EventSubscription migrationEvents) {
        this.vm = vm;
        this.data = data;
        this.migrationEvents = migrationEvents;
    }

    @Override
    public WritableByteChannel data() {
        return data;
    }

    @Override
    public void endOfStream() throws HypervisorException {
        try {
            data.shutdownOutput();
        } catch (IOException e) {
            throw new HypervisorException("ending the stream to VM " + vm.config().name() + " failed: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public RunState awaitCompletion(Duration timeout) throws HypervisorException {
        return awaitDestinationCompletion(vm, migrationEvents, timeout);
    }

    /**
     * Waits until the destination {@code vm} has loaded its incoming stream, woken by
     * {@code migrationEvents}, and returns its run state.
     */
    static RunState awaitDestinationCompletion(QemuVirtualMachine vm, QmpClient.EventSubscription migrationEvents,
            Duration timeout) throws HypervisorException {
        Deadline deadline = Deadline.after(timeout);
        MigrationStatus last = null;
        while (true) {
            try {
                if (!vm.isAlive()) {
                    throw exited(vm, last);
                }
                MigrationStats stats = vm.migrationStats();
                last = stats.status();
                if (stats.status() == MigrationStatus.COMPLETED) {
                    RunState state = vm.status();
                    if (state != RunState.INMIGRATE) {
                        return state;
                    }
                } else if (stats.status() == MigrationStatus.FAILED || stats.status() == MigrationStatus.CANCELLED) {
                    throw new MigrationFailedException(stats.status(), "destination: " + (stats.errorDescription() == null
                            ? "QEMU gave no reason" : stats.errorDescription()));
                }
                if (deadline.isExpired()) {
                    throw new HypervisorTimeoutException("the incoming migration of VM " + vm.config().name()
                            + " to complete (last status: " + (last == null ? "unknown" : last.qmpName()) + ")",
                            timeout);
                }
                migrationEvents.poll(QemuVirtualMachine.min(deadline.remaining(), QemuVirtualMachine.POLL_SLICE));
            } catch (MigrationFailedException | HypervisorTimeoutException e) {
                throw e;
            } catch (HypervisorException e) {
                // QMP broke: most likely QEMU is exiting because the stream was bad
                if (vm.awaitExit(EXIT_OBSERVATION)) {
                    throw exited(vm, last);
                }
                throw e;
            }
        }
    }

    private static MigrationFailedException exited(QemuVirtualMachine vm, MigrationStatus last) {
        return new MigrationFailedException(last, "destination QEMU exited during the incoming migration: "
                + vm.exitDescription());
    }

    @Override
    public void close() {
        try {
            data.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
        migrationEvents.close();
    }
}
