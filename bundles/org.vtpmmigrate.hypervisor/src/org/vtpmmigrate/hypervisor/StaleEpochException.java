package org.vtpmmigrate.hypervisor;

/**
 * A vTPM state was offered whose migration epoch is not newer than one this host has already seen
 * for the same instance: accepting it would roll the vTPM back or run a clone.
 */
public final class StaleEpochException extends HypervisorException {
    private static final long serialVersionUID = 1L;

    private final MigrationEpoch offered;
    private final long highestSeen;

    public StaleEpochException(MigrationEpoch offered, long highestSeen) {
        super("vTPM instance '" + offered.instanceId() + "': offered epoch " + offered.epoch()
                + " is not newer than epoch " + highestSeen + " already seen on this host");
        this.offered = offered;
        this.highestSeen = highestSeen;
    }

    public MigrationEpoch offered() {
        return offered;
    }

    public long highestSeen() {
        return highestSeen;
    }
}
