package org.vtpmmigrate.protocol;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Optional;
import org.vtpmmigrate.protocol.wire.MalformedFrameException;
import org.vtpmmigrate.protocol.wire.Message;

/**
 * One run of the migration protocol at one host: a state machine that takes messages (or raw
 * frames) in and gives messages out. It does no I/O, never sleeps, and reads time only from its
 * configured clock, so the same session runs over TCP, in memory and under fault injection.
 *
 * <p>Any violation (a message not allowed in the state, a failed check, a malformed frame) moves
 * the session to {@link SessionState#FAILED} with a {@link Failure}, and the outcome carries an
 * Abort for the peer. Once terminal, a session ignores further input. Methods are synchronized:
 * one thread may feed records while another delivers the peer's messages.
 */
public interface MigrationSession {
    Role role();

    /** Progress: what the session waits for. Not a verdict. */
    SessionState state();

    /** Present once the run failed. */
    Optional<Failure> failure();

    /** Whether the run ended with a commit (the only success). */
    default boolean committed() {
        return state() == SessionState.COMMITTED;
    }

    /** The verdict on the peer's evidence, once it has been verified (accepted or not). */
    Optional<Verdict> peerVerdict();

    /** When the current state times out; empty in terminal states and before the source starts. */
    Optional<Instant> deadline();

    /** One decoded message from the peer. */
    Outcome handle(Message message);

    /**
     * One complete frame from the peer, as read from the connection. A frame that does not decode
     * fails the run with the matching reason (malformed, truncated, oversized, version, type).
     */
    Outcome receive(ByteBuffer frame);

    /** The transport found a frame it could not read (bad header, truncated stream). */
    Outcome onMalformedFrame(MalformedFrameException problem);

    /**
     * The driver's timer for {@code phase} fired. Ignored when the session has moved on to another
     * phase (a stale timer) or when its clock shows the deadline has not passed; otherwise the run
     * fails with {@link FailureReason#TIMEOUT}.
     */
    Outcome onTimeout(Phase phase);

    /** The connection closed. Fails a running session (STREAM_TRUNCATED during the transfer). */
    Outcome onConnectionClosed();

    /** Ends the run for a local reason (hypervisor error, I/O error, operator cancel). */
    Outcome fail(FailureReason reason, String detail);
}
