package org.vtpmmigrate.hypervisor;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The migration epoch of a vTPM instance: a counter that only grows, one step per migration, so a
 * host can refuse an older copy of a state it has already seen (rollback) or one it has handed on
 * (cloning).
 *
 * @param instanceId the vTPM instance, stable across hosts
 * @param epoch zero for a freshly manufactured instance
 */
public record MigrationEpoch(String instanceId, long epoch) {
    /** Instance ids are also directory names, hence the narrow alphabet. */
    public static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public MigrationEpoch {
        requireInstanceId(instanceId);
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must not be negative, got " + epoch);
        }
    }

    /** Checks an instance id and returns it. */
    public static String requireInstanceId(String instanceId) {
        if (instanceId == null || !INSTANCE_ID.matcher(instanceId).matches()) {
            throw new IllegalArgumentException("vTPM instance id '" + instanceId + "' does not match "
                    + INSTANCE_ID.pattern());
        }
        return instanceId;
    }

    /**
     * True when this epoch is strictly greater than {@code other}'s.
     *
     * @throws IllegalArgumentException the two belong to different instances (never comparable)
     */
    public boolean isNewerThan(MigrationEpoch other) {
        Objects.requireNonNull(other, "other");
        if (!instanceId.equals(other.instanceId)) {
            throw new IllegalArgumentException("cannot compare epochs of vTPM instances '" + instanceId + "' and '"
                    + other.instanceId + "'");
        }
        return epoch > other.epoch;
    }

    /** The epoch after this one. */
    public MigrationEpoch next() {
        return new MigrationEpoch(instanceId, Math.addExact(epoch, 1));
    }
}
