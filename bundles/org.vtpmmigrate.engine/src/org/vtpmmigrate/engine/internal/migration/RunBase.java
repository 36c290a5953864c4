package org.vtpmmigrate.engine.internal.migration;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.vtpmmigrate.protocol.FailureReason;
import org.vtpmmigrate.protocol.MigrationSession;
import org.vtpmmigrate.protocol.Outcome;
import org.vtpmmigrate.protocol.SessionState;

/**
 * What the source and destination runs share: ending a run from outside its own thread (timeout,
 * cancel, local error) without ever blocking on a stalled peer.
 */
abstract class RunBase implements Runnable {
    /** How long an Abort may take to go out before the link is closed regardless. */
    static final Duration ABANDON_GRACE = Duration.ofSeconds(2);

    final DefaultMigrationEngine engine;
    private final AtomicBoolean abandoning = new AtomicBoolean();

    RunBase(DefaultMigrationEngine engine) {
        this.engine = engine;
    }

    /**
     * The session has just failed with {@code outcome}: its Abort is sent on another thread (a write
     * to a peer that stopped reading would block) and the link closed, at the latest after
     * {@link #ABANDON_GRACE}; closing unblocks this run's own reads and writes.
     */
    final void abandon(PeerLink link, Outcome outcome) {
        if (link == null || !abandoning.compareAndSet(false, true)) {
            return;
        }
        engine.watchdog().after(ABANDON_GRACE, link::close);
        try {
            engine.executor().execute(() -> {
                link.sendQuietly(outcome);
                link.close();
            });
        } catch (RejectedExecutionException e) {
            link.close();
        }
    }

    /** Fails the session for a local reason and abandons the link. */
    final void failLocally(MigrationSession session, PeerLink link, FailureReason reason, String detail) {
        Outcome outcome = session.fail(reason, detail);
        if (outcome.state() == SessionState.FAILED && outcome.previousState() != SessionState.FAILED) {
            abandon(link, outcome);
        }
    }

    /** Closes the link unless an abandon is closing it after its Abort; records the bytes it carried. */
    final void release(PeerLink link, MigrationTracker tracker) {
        if (link != null) {
            if (tracker != null) {
                tracker.wireBytes(link.bytesTransferred());
            }
            if (!abandoning.get()) {
                link.close();
            }
            engine.unregister(link);
        }
    }
}
