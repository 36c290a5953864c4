package org.vtpmmigrate.engine.migration;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * A VM as this host sees it.
 *
 * @param vmId the VM's id, also the id of its vTPM instance
 * @param state where the VM is, from this host's point of view
 * @param vtpmEpoch the migration epoch of the vTPM state held here, if any
 * @param qemuPid the QEMU process running the VM here, if any
 * @param memoryMiB guest RAM of the VM's definition
 */
public record VmStatus(String vmId, State state, OptionalLong vtpmEpoch, OptionalLong qemuPid, long memoryMiB) {
    /** Where the VM is. Progress of a migration is in its handle, not here. */
    public enum State {
        /** Known here (it may arrive by migration), but neither running nor stored here. */
        DEFINED,
        /** Its vTPM state is stored here; QEMU does not run. */
        STOPPED,
        /** Runs here. */
        RUNNING,
        /** Runs here while it is being migrated out; it stays here until the destination commits. */
        MIGRATING_OUT,
        /** Arriving: an incoming QEMU and vTPM exist here but are not committed. */
        INCOMING,
        /**
         * Arrived and loaded, paused: the commit was sent but never acknowledged, so the source may
         * or may not have stopped. Needs an operator: running it could run the VM twice.
         */
        IN_DOUBT
    }

    public VmStatus {
        Objects.requireNonNull(vmId, "vmId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(vtpmEpoch, "vtpmEpoch");
        Objects.requireNonNull(qemuPid, "qemuPid");
    }
}
