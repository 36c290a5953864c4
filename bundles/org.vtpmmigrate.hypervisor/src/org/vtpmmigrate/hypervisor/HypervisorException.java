package org.vtpmmigrate.hypervisor;

/** A QEMU or swtpm operation did not succeed; the message says which operation and why. */
public class HypervisorException extends Exception {
    private static final long serialVersionUID = 1L;

    public HypervisorException(String message) {
        super(message);
    }

    public HypervisorException(String message, Throwable cause) {
        super(message, cause);
    }
}
