package org.vtpmmigrate.hypervisor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import org.vtpmmigrate.hypervisor.internal.QemuVirtualMachine;

/**
 * A QEMU process running one VM with its vTPM, driven over QMP on a unix socket in the VM's run
 * directory (QEMU's log goes there too).
 *
 * <p><b>Migration and commit.</b> QEMU keeps the source guest running through the pre-copy rounds
 * and stops it only for the final stop-and-copy; when the stream is complete the source sits in
 * {@link RunState#POSTMIGRATE}: paused, memory and vTPM intact, resumable. The destination is
 * launched with {@link #launchIncoming} and stays paused after loading the stream until
 * {@link #resume()}. So the engine decides the outcome after the transfer: with a valid commit it
 * {@link #stop stops} the source and deletes the source vTPM state; without one (timeout, cut
 * link, error) it calls {@link #resume()} on the source and discards the destination. If the
 * stream breaks before completion QEMU itself fails the migration and restarts a source guest that
 * was running. QEMU's {@code pause-before-switchover} capability is not used: it pauses before the
 * device state is sent, so the destination could not yet prove it runs.
 *
 * <p>A VM owns the {@link VtpmProcess} it was launched with: stopping the VM stops it too.
 */
public interface VirtualMachine extends AutoCloseable {
    /**
     * Starts QEMU running {@code config} with {@code vtpm} (started with
     * {@link VtpmInstance#startForQemu}) as its TPM, and connects QMP. The launch measurement is taken
     * just before QEMU starts.
     *
     * @param runDirectory created if missing; holds qmp.sock, qemu.log and migration sockets (keep
     *     its path short: unix socket paths are limited to 107 bytes)
     */
    static VirtualMachine launch(VmConfig config, Path runDirectory, VtpmProcess vtpm, Duration timeout)
            throws HypervisorException {
        return QemuVirtualMachine.launch(config, runDirectory, vtpm, false, timeout);
    }

    /**
     * Starts QEMU as a migration destination ({@code -incoming defer}, paused after loading) with the
     * same configuration as the source and an empty vTPM (from {@link VtpmStore#createIncoming}).
     */
    static VirtualMachine launchIncoming(VmConfig config, Path runDirectory, VtpmProcess vtpm, Duration timeout)
            throws HypervisorException {
        return QemuVirtualMachine.launch(config, runDirectory, vtpm, true, timeout);
    }

    VmConfig config();

    Path runDirectory();

    long pid();

    boolean isAlive();

    /** {@code kvm} or {@code tcg}, as QEMU reports it. */
    String accelerator();

    /** What was measured at launch. */
    LaunchMeasurement launchMeasurement();

    /** The vTPM this VM uses and owns. */
    VtpmProcess vtpm();

    /** {@code query-status}. */
    RunState status() throws HypervisorException;

    /** Waits until {@link #status()} is {@code expected}. */
    void awaitStatus(RunState expected, Duration timeout) throws HypervisorException;

    /** QMP {@code stop}: pauses the guest's vCPUs. */
    void pause() throws HypervisorException;

    /** QMP {@code cont}: runs a paused guest, including a source in {@link RunState#POSTMIGRATE}. */
    void resume() throws HypervisorException;

    /**
     * Starts migrating this VM out. QEMU writes the stream to a unix socket in the run directory that
     * this call listens on; the returned object hands the stream to the caller as a channel.
     */
    OutgoingMigration migrateOut(MigrationSettings settings) throws HypervisorException;

    /**
     * On a VM from {@link #launchIncoming}: tells QEMU to listen for the stream on a unix socket in the
     * run directory, connects to it and hands the connection to the caller.
     */
    IncomingMigration migrateIn(Duration timeout) throws HypervisorException;

    /** {@code query-migrate}. */
    MigrationStats migrationStats() throws HypervisorException;

    /** {@code migrate_cancel}: an active outgoing migration stops and a running guest keeps running. */
    void cancelMigration() throws HypervisorException;

    /** Listens to QMP events (called on the QMP reader thread; return quickly). */
    void addEventListener(Consumer<QmpEvent> listener);

    void removeEventListener(Consumer<QmpEvent> listener);

    /** Waits for QEMU to end on its own (e.g. a destination whose incoming stream broke). */
    boolean awaitExit(Duration timeout) throws HypervisorException;

    /**
     * QMP {@code quit} and wait for QEMU to exit; SIGTERM then SIGKILL if it does not within
     * {@code timeout}. Then stops the vTPM.
     */
    void stop(Duration timeout);

    /** {@link #stop(Duration)} with a default timeout. */
    @Override
    void close();
}
