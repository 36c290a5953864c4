package org.vtpmmigrate.hypervisor.internal;

import java.nio.file.Path;
import java.time.Duration;
import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.VtpmInstance;
import org.vtpmmigrate.hypervisor.VtpmProcess;

/** A running swtpm serving one {@link SwtpmInstance}. */
final class SwtpmProcess implements VtpmProcess {
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

    private final SwtpmInstance instance;
    private final ChildProcess child;
    private final Mode mode;
    private final Path controlSocket;
    private final int dataPort;

    SwtpmProcess(SwtpmInstance instance, ChildProcess child, Mode mode, Path controlSocket, int dataPort) {
        this.instance = instance;
        this.child = child;
        this.mode = mode;
        this.controlSocket = controlSocket;
        this.dataPort = dataPort;
    }

    ChildProcess child() {
        return child;
    }

    @Override
    public VtpmInstance instance() {
        return instance;
    }

    @Override
    public Mode mode() {
        return mode;
    }

    @Override
    public long pid() {
        return child.pid();
    }

    @Override
    public boolean isAlive() {
        return child.isAlive();
    }

    @Override
    public Path controlSocket() {
        if (mode != Mode.QEMU) {
            throw new IllegalStateException("a standalone vTPM has a TCP control port, not a control socket");
        }
        return controlSocket;
    }

    @Override
    public int controlPort() {
        return dataPort() + 1;
    }

    @Override
    public int dataPort() {
        if (mode != Mode.STANDALONE) {
            throw new IllegalStateException("a vTPM serving QEMU has no data port");
        }
        return dataPort;
    }

    @Override
    public String tcti() {
        return "swtpm:host=127.0.0.1,port=" + dataPort();
    }

    @Override
    public Path logFile() {
        return child.logFile();
    }

    @Override
    public boolean awaitExit(Duration timeout) throws HypervisorException {
        return child.awaitExit(timeout);
    }

    @Override
    public void stop(Duration grace) {
        child.stop(grace);
    }

    @Override
    public void close() {
        stop(CLOSE_GRACE);
    }

    @Override
    public String toString() {
        return child.label() + " (pid " + pid() + ")";
    }
}
