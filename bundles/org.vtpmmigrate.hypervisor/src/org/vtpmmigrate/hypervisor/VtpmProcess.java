package org.vtpmmigrate.hypervisor;

import java.nio.file.Path;
import java.time.Duration;

/** A running swtpm process serving one {@link VtpmInstance}. */
public interface VtpmProcess extends AutoCloseable {
    /** Whom the process serves. */
    enum Mode {
        /** A QEMU tpm-emulator backend, through the control socket. */
        QEMU,
        /** The host, through TCP data and control ports on 127.0.0.1. */
        STANDALONE
    }

    VtpmInstance instance();

    Mode mode();

    long pid();

    boolean isAlive();

    /**
     * The unix control socket QEMU connects to (swtpm's {@code --ctrl type=unixio}).
     *
     * @throws IllegalStateException in {@link Mode#STANDALONE}, which has a TCP control port
     */
    Path controlSocket();

    /**
     * The TCP data port on 127.0.0.1.
     *
     * @throws IllegalStateException in {@link Mode#QEMU}, where there is none
     */
    int dataPort();

    /**
     * The TCP control port on 127.0.0.1, always {@link #dataPort()} + 1 as the tpm2-tss swtpm TCTI
     * expects.
     *
     * @throws IllegalStateException in {@link Mode#QEMU}
     */
    int controlPort();

    /** The tpm2-tools TCTI string for the data port, e.g. {@code swtpm:host=127.0.0.1,port=2321}. */
    String tcti();

    /** stdout and stderr of the process. */
    Path logFile();

    /** Waits for the process to end on its own; true if it did. */
    boolean awaitExit(Duration timeout) throws HypervisorException;

    /** SIGTERM (swtpm shuts the TPM down cleanly), SIGKILL after {@code grace}. */
    void stop(Duration grace);

    /** {@link #stop(Duration)} with a few seconds of grace. */
    @Override
    void close();
}
