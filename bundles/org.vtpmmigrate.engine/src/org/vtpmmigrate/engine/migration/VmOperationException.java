package org.vtpmmigrate.engine.migration;

import java.util.Objects;

/** Starting, defining or stopping a VM was refused or failed; {@link #reason()} says why. */
public final class VmOperationException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the operation did not happen. */
    public enum Reason {
        /** No VM of that id is defined here. */
        UNKNOWN_VM,
        /** A different definition with that id exists here. */
        CONFLICTING_DEFINITION,
        /** The VM is not in a state that allows the operation (running, migrating, in doubt). */
        WRONG_STATE,
        /** QEMU or swtpm failed (the message carries the hypervisor's reason). */
        HYPERVISOR,
        /** The platform TPM could not measure the launch. */
        PLATFORM_TPM,
        /** The engine is shutting down. */
        ENGINE_CLOSED
    }

    private final Reason reason;

    public VmOperationException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public VmOperationException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
