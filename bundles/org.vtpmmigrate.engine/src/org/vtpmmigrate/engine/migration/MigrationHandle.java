package org.vtpmmigrate.engine.migration;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.vtpmmigrate.protocol.Role;

/** One migration run at this host, in either role. Thread-safe. */
public interface MigrationHandle {
    /** The run's id (hex of the protocol's 16-byte migration id), the same on both hosts. */
    String migrationId();

    Role role();

    String vmId();

    /** The other host: its host id when enrolled, else its address. */
    String peer();

    /** The policy the run is judged under. */
    String policyId();

    /** The verdicts reached so far, one per party judged. */
    List<PartyVerdict> verdicts();

    /** Where the run is now. */
    MigrationProgress progress();

    /** Present once the run has ended and cleaned up. */
    Optional<MigrationResult> result();

    /**
     * Waits for the run to end.
     *
     * @throws TimeoutException if it has not ended within {@code timeout}
     */
    MigrationResult await(Duration timeout) throws InterruptedException, TimeoutException;

    /**
     * Ends the run with CANCELLED unless it has already committed or ended: the source resumes the
     * VM, the destination discards what it received. Returns at once; {@link #await} for the end.
     */
    void cancel();
}
