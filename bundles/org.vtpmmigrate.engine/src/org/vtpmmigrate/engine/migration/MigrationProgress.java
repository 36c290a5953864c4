package org.vtpmmigrate.engine.migration;

import java.time.Duration;
import java.util.Objects;
import org.vtpmmigrate.protocol.Phase;
import org.vtpmmigrate.protocol.SessionState;

/**
 * A snapshot of a run's progress. Never a verdict: a run in {@link Phase#TRANSFER} has passed
 * attestation, but only a {@link MigrationResult} with status COMMITTED means the VM moved.
 *
 * @param phase the protocol phase the run is in
 * @param state the protocol state (what the run waits for)
 * @param streamBytes migration-stream bytes sent (source) or received (destination) through the record layer
 * @param streamRecords data records sealed or opened
 * @param preCopyRounds QEMU's dirty-bitmap synchronisations so far (source), -1 when unknown
 * @param elapsed time since the run started
 */
public record MigrationProgress(Phase phase, SessionState state, long streamBytes, long streamRecords,
        long preCopyRounds, Duration elapsed) {
    public MigrationProgress {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(elapsed, "elapsed");
    }
}
