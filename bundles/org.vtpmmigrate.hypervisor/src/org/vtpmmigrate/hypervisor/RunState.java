package org.vtpmmigrate.hypervisor;

import java.util.Optional;

/** QEMU's run state as {@code query-status} reports it (QAPI {@code RunState}, QEMU 7.2). */
public enum RunState {
    DEBUG("debug"),
    INMIGRATE("inmigrate"),
    INTERNAL_ERROR("internal-error"),
    IO_ERROR("io-error"),
    PAUSED("paused"),
    POSTMIGRATE("postmigrate"),
    PRELAUNCH("prelaunch"),
    FINISH_MIGRATE("finish-migrate"),
    RESTORE_VM("restore-vm"),
    RUNNING("running"),
    SAVE_VM("save-vm"),
    SHUTDOWN("shutdown"),
    SUSPENDED("suspended"),
    WATCHDOG("watchdog"),
    GUEST_PANICKED("guest-panicked"),
    COLO("colo");

    private final String qmpName;

    RunState(String qmpName) {
        this.qmpName = qmpName;
    }

    /** The name on the wire, e.g. {@code postmigrate}. */
    public String qmpName() {
        return qmpName;
    }

    public static Optional<RunState> fromQmpName(String name) {
        for (RunState state : values()) {
            if (state.qmpName.equals(name)) {
                return Optional.of(state);
            }
        }
        return Optional.empty();
    }
}
