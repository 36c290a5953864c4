package org.vtpmmigrate.hypervisor;

import java.util.Optional;

/** QEMU's migration status ({@code query-migrate}, QAPI {@code MigrationStatus}, QEMU 7.2). */
public enum MigrationStatus {
    NONE("none"),
    SETUP("setup"),
    CANCELLING("cancelling"),
    CANCELLED("cancelled"),
    ACTIVE("active"),
    POSTCOPY_ACTIVE("postcopy-active"),
    POSTCOPY_PAUSED("postcopy-paused"),
    POSTCOPY_RECOVER("postcopy-recover"),
    COMPLETED("completed"),
    FAILED("failed"),
    COLO("colo"),
    PRE_SWITCHOVER("pre-switchover"),
    DEVICE("device"),
    WAIT_UNPLUG("wait-unplug");

    private final String qmpName;

    MigrationStatus(String qmpName) {
        this.qmpName = qmpName;
    }

    public String qmpName() {
        return qmpName;
    }

    /** True for the states a migration never leaves: completed, failed, cancelled. */
    public boolean isFinal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }

    public static Optional<MigrationStatus> fromQmpName(String name) {
        for (MigrationStatus status : values()) {
            if (status.qmpName.equals(name)) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }
}
