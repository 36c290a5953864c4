package org.vtpmmigrate.engine.migration;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.vtpmmigrate.protocol.Phase;
import org.vtpmmigrate.protocol.Role;
import org.vtpmmigrate.protocol.SessionState;

/** Something that happened in a run; every event names the run, this host's role and the VM. */
public sealed interface MigrationEvent permits MigrationEvent.PhaseChanged, MigrationEvent.VerdictReached,
        MigrationEvent.TransferProgress, MigrationEvent.Finished {

    String migrationId();

    Role role();

    String vmId();

    /** When it happened at this host. */
    Instant at();

    /**
     * The run entered a protocol phase (the first event of a run has no previous phase).
     *
     * @param previous the phase left, empty for the first event
     * @param phase the phase entered
     * @param state the protocol state entered
     */
    record PhaseChanged(String migrationId, Role role, String vmId, Instant at, Optional<Phase> previous, Phase phase,
            SessionState state) implements MigrationEvent {
        public PhaseChanged {
            Objects.requireNonNull(previous, "previous");
            Objects.requireNonNull(phase, "phase");
            Objects.requireNonNull(state, "state");
        }
    }

    /** A party was judged (accepted or rejected). */
    record VerdictReached(String migrationId, Role role, String vmId, Instant at, PartyVerdict verdict)
            implements MigrationEvent {
        public VerdictReached {
            Objects.requireNonNull(verdict, "verdict");
        }
    }

    /** Bytes moved during the transfer (at most a few per second). */
    record TransferProgress(String migrationId, Role role, String vmId, Instant at, MigrationProgress progress)
            implements MigrationEvent {
        public TransferProgress {
            Objects.requireNonNull(progress, "progress");
        }
    }

    /** The run ended and cleaned up; the last event of a run. */
    record Finished(String migrationId, Role role, String vmId, Instant at, MigrationResult result)
            implements MigrationEvent {
        public Finished {
            Objects.requireNonNull(result, "result");
        }
    }
}
