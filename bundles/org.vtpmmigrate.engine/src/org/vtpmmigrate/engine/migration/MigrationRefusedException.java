package org.vtpmmigrate.engine.migration;

import java.util.Objects;

/**
 * A migration was refused before anything was sent (protocol phase 1, request): the VM is
 * untouched and still where it was.
 */
public final class MigrationRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the request was refused. */
    public enum Reason {
        /** No VM of that id runs on this host. */
        UNKNOWN_VM,
        /** The VM is known but not running here (stopped, already migrating, or in doubt). */
        VM_NOT_RUNNING,
        /** No policy of that id is configured on this host. */
        UNKNOWN_POLICY,
        /** No enrolled peer is known at that address. */
        PEER_NOT_ENROLLED,
        /** The engine is shutting down, or the VM's vTPM could not be prepared. */
        ENGINE_UNAVAILABLE
    }

    private final Reason reason;

    public MigrationRefusedException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
