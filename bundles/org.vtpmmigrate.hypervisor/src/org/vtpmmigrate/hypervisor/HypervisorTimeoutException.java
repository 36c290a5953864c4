package org.vtpmmigrate.hypervisor;

import java.time.Duration;

/** A wait on QEMU or swtpm ran out of time; the message names what was awaited. */
public final class HypervisorTimeoutException extends HypervisorException {
    private static final long serialVersionUID = 1L;

    private final String awaited;
    private final Duration timeout;

    public HypervisorTimeoutException(String awaited, Duration timeout) {
        super("timed out after " + timeout.toMillis() + " ms waiting for " + awaited);
        this.awaited = awaited;
        this.timeout = timeout;
    }

    public String awaited() {
        return awaited;
    }

    public Duration timeout() {
        return timeout;
    }
}
