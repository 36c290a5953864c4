package org.vtpmmigrate.hypervisor;

import java.nio.channels.WritableByteChannel;
import java.time.Duration;

/** A migration arriving at this host: the caller writes the source's stream into {@link #data()}. */
public interface IncomingMigration extends AutoCloseable {
    /** Where the stream goes, byte for byte as the source QEMU produced it. */
    WritableByteChannel data();

    /** Signals that the whole stream has been written (half-closes the connection). */
    void endOfStream() throws HypervisorException;

    /**
     * Waits until the destination QEMU has loaded the stream (the vTPM state included) and returns its
     * run state, {@link RunState#PAUSED} until someone resumes it.
     *
     * @throws MigrationFailedException the stream was rejected; QEMU 7.2 exits when that happens
     */
    RunState awaitCompletion(Duration timeout) throws HypervisorException;

    @Override
    void close();
}
