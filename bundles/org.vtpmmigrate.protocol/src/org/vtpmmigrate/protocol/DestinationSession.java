package org.vtpmmigrate.protocol;

import java.util.Optional;
import org.vtpmmigrate.protocol.internal.DestinationStateMachine;
import org.vtpmmigrate.protocol.wire.MigrationRequest;

/**
 * The destination end of a run. The engine relays messages; data records come out as
 * {@link Outcome#payload()} (or through a {@link RecordReader}). In
 * {@link SessionState#STREAM_RECEIVED} it loads the vTPM state into a paused VM and calls
 * {@link #commit()}; the Commit tells the source "everything arrived and is loaded".
 *
 * <p>What the engine does with the VM after the run:
 * <ul>
 * <li>{@link SessionState#COMMITTED}: the source has acknowledged and stops for good; run the VM.
 * <li>{@link SessionState#FAILED} and not {@link #commitInDoubt()}: the source never accepted a
 * commit and resumes its VM; stop and discard everything here.
 * <li>{@link SessionState#FAILED} and {@link #commitInDoubt()}: the Commit was sent but no
 * acknowledgement (and no abort) came back, so the source may have committed and deleted its copy.
 * Keep the VM paused and the state, and resolve with the source or an operator: discarding could
 * lose the VM, running could run it twice.
 * </ul>
 * Resuming the VM before the acknowledgement (to check that it runs, as docs/PROTOCOL.md allows)
 * opens a window in which both copies may run if the Commit is lost; pause it again when in doubt.
 */
public interface DestinationSession extends MigrationSession {
    static DestinationSession create(DestinationConfig config) {
        return new DestinationStateMachine(config);
    }

    /** The admitted request, once received. */
    Optional<MigrationRequest> request();

    /** Signs and sends the commit. Only in {@link SessionState#STREAM_RECEIVED}. */
    Outcome commit();

    /**
     * Whether the run failed after the Commit was sent without a definite answer from the source
     * (acknowledgement missing or invalid, and no authenticated Abort from the source): the source
     * may have committed.
     */
    boolean commitInDoubt();

    /** What was received, once the end-of-stream record has been verified. */
    Optional<StreamSummary> streamSummary();
}
