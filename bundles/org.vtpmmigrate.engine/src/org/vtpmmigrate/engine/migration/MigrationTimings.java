package org.vtpmmigrate.engine.migration;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.vtpmmigrate.protocol.Phase;

/**
 * Where a run's time went.
 *
 * @param perPhase wall time spent in each protocol phase this run entered (the DONE phase holds
 *     the clean-up: stopping or resuming the VM, deleting the vTPM state)
 * @param phaseStarts when this host entered each of those phases
 * @param handshake from the first message to the first data record: request, attestation of both
 *     hosts and the VM, key establishment (zero if the run never got there)
 * @param qemuDowntime how long QEMU paused the guest for the final stop-and-copy (source, when the
 *     stream completed)
 * @param qemuMigrationTime QEMU's own total migration time (source, when the stream completed)
 * @param total from the start of the run to its end, clean-up included
 */
public record MigrationTimings(Map<Phase, Duration> perPhase, Map<Phase, Instant> phaseStarts, Duration handshake,
        Optional<Duration> qemuDowntime, Optional<Duration> qemuMigrationTime, Duration total) {
    public MigrationTimings {
        EnumMap<Phase, Duration> copy = new EnumMap<>(Phase.class);
        copy.putAll(perPhase);
        perPhase = Collections.unmodifiableMap(copy);
        EnumMap<Phase, Instant> starts = new EnumMap<>(Phase.class);
        starts.putAll(phaseStarts);
        phaseStarts = Collections.unmodifiableMap(starts);
        Objects.requireNonNull(handshake, "handshake");
        Objects.requireNonNull(qemuDowntime, "qemuDowntime");
        Objects.requireNonNull(qemuMigrationTime, "qemuMigrationTime");
        Objects.requireNonNull(total, "total");
    }

    /** Time spent in one phase, zero if the run never entered it. */
    public Duration phase(Phase phase) {
        return perPhase.getOrDefault(phase, Duration.ZERO);
    }
}
