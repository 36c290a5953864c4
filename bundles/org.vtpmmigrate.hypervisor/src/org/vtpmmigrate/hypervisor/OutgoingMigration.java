package org.vtpmmigrate.hypervisor;

import java.nio.channels.ReadableByteChannel;
import java.time.Duration;

/**
 * A migration leaving this host: QEMU's stream as a byte channel for the engine to carry to the
 * destination. Closing this object before completion cancels the migration (the source keeps
 * running).
 */
public interface OutgoingMigration extends AutoCloseable {
    /**
     * The stream QEMU writes, read until end of stream. Source completion means QEMU has written
     * everything into this channel, not that the destination has it: carry on reading to the end.
     * Reads block; a stalled QEMU is unblocked by closing this object from another thread (on the
     * caller's deadline).
     */
    ReadableByteChannel data();

    /** {@code query-migrate} on the source. */
    MigrationStats stats() throws HypervisorException;

    /**
     * Waits until QEMU reports the migration completed and returns the final statistics.
     *
     * @throws MigrationFailedException QEMU reported failed or cancelled, or the source QEMU exited
     */
    MigrationStats awaitCompletion(Duration timeout) throws HypervisorException;

    /** {@code migrate_cancel}. */
    void cancel() throws HypervisorException;

    /** Closes the stream (call it after reading to the end) and cancels an unfinished migration. */
    @Override
    void close();
}
