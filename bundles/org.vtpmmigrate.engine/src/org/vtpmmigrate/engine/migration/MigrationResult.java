package org.vtpmmigrate.engine.migration;

import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.vtpmmigrate.protocol.Failure;
import org.vtpmmigrate.protocol.Role;

/**
 * How a run ended, as seen by one host.
 *
 * @param migrationId the run's id (hex), the same on both hosts
 * @param role this host's role
 * @param vmId the migrating VM
 * @param peer the other host: its host id when enrolled, else its address
 * @param status the outcome
 * @param failure why the run did not commit (reason, detail, state; the peer's reason for aborts)
 * @param verdicts one verdict per party
 * @param timings where the time went
 * @param streamBytes migration-stream bytes carried by the record layer
 * @param streamRecords data records carried
 * @param wireBytes bytes sent and received on the peer connection (handshake, record framing and tags included)
 * @param preCopyRounds QEMU's dirty-bitmap synchronisations (source, when known; else -1)
 * @param rounds QEMU's pre-copy passes as the source saw them (empty on the destination)
 * @param vtpmEpoch the vTPM migration epoch offered in this run
 * @param placement where the VM is now, from this host's point of view
 * @param startedAt when the run started here
 * @param endedAt when it ended here (clean-up done)
 */
public record MigrationResult(String migrationId, Role role, String vmId, String peer, Status status,
        Optional<Failure> failure, Map<PartyVerdict.Party, PartyVerdict> verdicts, MigrationTimings timings,
        long streamBytes, long streamRecords, long wireBytes, long preCopyRounds, List<PreCopyRound> rounds,
        long vtpmEpoch, Placement placement, Instant startedAt, Instant endedAt) {

    /** The outcome of a run. */
    public enum Status {
        /** The VM moved: the destination runs it, the source stopped it and deleted its vTPM state. */
        COMMITTED,
        /** Attestation, admission or key establishment refused the run: nothing was moved. */
        REFUSED,
        /** The run broke (link, timeout, hypervisor, local error); the VM stayed on the source. */
        FAILED,
        /**
         * Destination only: the commit was sent, no answer came back. The VM is kept paused here
         * with its vTPM state, for an operator to resolve with the source.
         */
        IN_DOUBT
    }

    /** Where the VM is once the run has ended, as far as this host knows. */
    public enum Placement {
        /** The VM runs on this host (a source that resumed, or a destination that committed). */
        RUNNING_HERE,
        /** Source: the VM moved to the peer; nothing of it is left here. */
        MOVED_TO_PEER,
        /** Destination: nothing of the VM was kept here (it stays on the source). */
        NOT_HERE,
        /** Destination: loaded and paused here, commit in doubt. */
        PAUSED_HERE_IN_DOUBT,
        /** Clean-up itself failed; the failure detail says what is left where. */
        UNKNOWN
    }

    public MigrationResult {
        Objects.requireNonNull(migrationId, "migrationId");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(vmId, "vmId");
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(failure, "failure");
        EnumMap<PartyVerdict.Party, PartyVerdict> copy = new EnumMap<>(PartyVerdict.Party.class);
        for (PartyVerdict.Party party : PartyVerdict.Party.values()) {
            copy.put(party, verdicts.getOrDefault(party, PartyVerdict.notEvaluated(party)));
        }
        verdicts = Collections.unmodifiableMap(copy);
        Objects.requireNonNull(timings, "timings");
        rounds = List.copyOf(rounds);
        Objects.requireNonNull(placement, "placement");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(endedAt, "endedAt");
        if ((status == Status.COMMITTED) != failure.isEmpty()) {
            throw new IllegalArgumentException("only a committed run has no failure: " + status + " with "
                    + failure.map(Failure::toString).orElse("no failure"));
        }
    }

    /** The verdict on one party. */
    public PartyVerdict verdict(PartyVerdict.Party party) {
        return verdicts.get(party);
    }

    public boolean committed() {
        return status == Status.COMMITTED;
    }
}
