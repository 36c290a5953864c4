package org.vtpmmigrate.protocol.internal;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.vtpmmigrate.protocol.Failure;
import org.vtpmmigrate.protocol.FailureReason;
import org.vtpmmigrate.protocol.MigrationSession;
import org.vtpmmigrate.protocol.NonceSource;
import org.vtpmmigrate.protocol.Outcome;
import org.vtpmmigrate.protocol.Phase;
import org.vtpmmigrate.protocol.PlatformException;
import org.vtpmmigrate.protocol.Role;
import org.vtpmmigrate.protocol.SessionState;
import org.vtpmmigrate.protocol.Timeouts;
import org.vtpmmigrate.protocol.Verdict;
import org.vtpmmigrate.protocol.VerificationCheck;
import org.vtpmmigrate.protocol.internal.TransitionTable.LocalEvent;
import org.vtpmmigrate.protocol.internal.TransitionTable.Trigger;
import org.vtpmmigrate.protocol.wire.Abort;
import org.vtpmmigrate.protocol.wire.Bytes;
import org.vtpmmigrate.protocol.wire.FrameCodec;
import org.vtpmmigrate.protocol.wire.MalformedFrameException;
import org.vtpmmigrate.protocol.wire.Message;
import org.vtpmmigrate.protocol.wire.MessageType;
import org.vtpmmigrate.protocol.wire.RecordType;

/**
 * What both roles share: the transition check against {@link TransitionTable}, the transcript,
 * deadlines from the injected clock, and turning any violation into a {@link Failure} plus an Abort.
 * Subclasses implement the steps.
 */
public abstract class StateMachine implements MigrationSession {
    /** A step body; throws {@link RunFailure} to end the run. */
    @FunctionalInterface
    interface Step {
        void run();
    }

    private final Role role;
    private final Clock clock;
    private final Timeouts timeouts;
    final NonceSource nonces;
    final Transcript transcript = new Transcript();

    private SessionState state;
    private Instant deadline;
    private Failure failure;
    private Verdict peerVerdict;
    private boolean peerAbortAuthenticated;

    // collected during one step
    private List<Message> outgoing = new ArrayList<>();
    private RecordType payloadType;
    private ByteBuffer payload;

    StateMachine(Role role, SessionState initial, Clock clock, Timeouts timeouts, NonceSource nonces) {
        this.role = role;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
        this.nonces = Objects.requireNonNull(nonces, "nonces");
        this.state = initial;
        // a source that has not started waits for nobody; a destination waits for the request
        this.deadline = initial == SessionState.NEW ? null : deadlineFor(initial);
    }

    @Override
    public final Role role() {
        return role;
    }

    @Override
    public final synchronized SessionState state() {
        return state;
    }

    @Override
    public final synchronized Optional<Failure> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public final synchronized Optional<Verdict> peerVerdict() {
        return Optional.ofNullable(peerVerdict);
    }

    @Override
    public final synchronized Optional<Instant> deadline() {
        return Optional.ofNullable(deadline);
    }

    final void recordPeerVerdict(Verdict verdict) {
        this.peerVerdict = verdict;
    }

    @Override
    public final synchronized Outcome receive(ByteBuffer frame) {
        Message message;
        try {
            message = FrameCodec.decode(frame);
        } catch (MalformedFrameException e) {
            return onMalformedFrame(e);
        }
        return handle(message);
    }

    @Override
    public final synchronized Outcome handle(Message message) {
        Objects.requireNonNull(message, "message");
        if (state.isTerminal()) {
            return unchanged();
        }
        Optional<SessionState> next = TransitionTable.next(role, state, Trigger.on(message.type()));
        if (next.isEmpty()) {
            return failed(FailureReason.UNEXPECTED_MESSAGE, message.type() + " is not expected in state " + state
                    + " (expected " + TransitionTable.expected(role, state) + ")", true, null);
        }
        if (message instanceof Abort abort) {
            FailureReason peer = FailureReason.fromCode(abort.reasonCode()).orElse(null);
            String given = peer != null ? peer.name() : "unknown reason " + MessageType.hex(abort.reasonCode());
            Bytes expected = abortMac(false, abort.reasonCode(), abort.detail());
            peerAbortAuthenticated = expected != null && expected.constantTimeEquals(abort.mac());
            String unauthenticated = expected != null && !peerAbortAuthenticated
                    ? (abort.mac().isEmpty() ? " (unauthenticated)" : " (MAC invalid)") : "";
            return failed(FailureReason.PEER_ABORTED, "peer aborted with " + given + unauthenticated + ": "
                    + abort.detail(), false, peer);
        }
        return step(next.get(), () -> {
            Bytes transcriptBefore = null;
            if (message.type().isHandshake()) {
                transcriptBefore = transcript.hash();
                // the decoder is canonical: this is exactly the frame the peer sent
                transcript.add(FrameCodec.encode(message));
            }
            dispatch(message, transcriptBefore);
        });
    }

    /**
     * Handles a message the table allows in the current state.
     *
     * @param transcriptBefore for handshake messages, the transcript hash before this message was
     *            added (the transcript itself already includes it)
     */
    abstract void dispatch(Message message, Bytes transcriptBefore);

    /** Runs a local step the table allows now; a terminal session reports its state unchanged. */
    final Outcome local(LocalEvent event, Step body) {
        if (state.isTerminal()) {
            return unchanged();
        }
        SessionState next = TransitionTable.next(role, state, Trigger.on(event)).orElseThrow(
                () -> new IllegalStateException("local " + event + " is not allowed in state " + state + " (expected "
                        + TransitionTable.expected(role, state) + ")"));
        return step(next, body);
    }

    /** Whether a local event is allowed now (for fast paths that do not build an outcome). */
    final boolean allows(LocalEvent event) {
        return TransitionTable.next(role, state, Trigger.on(event)).isPresent();
    }

    private Outcome step(SessionState next, Step body) {
        SessionState from = state;
        outgoing = new ArrayList<>();
        payloadType = null;
        payload = null;
        try {
            body.run();
        } catch (RunFailure f) {
            return failed(f.reason, f.getMessage(), true, null);
        }
        enter(next);
        return new Outcome(from, state, outgoing, failure, payloadType, payload);
    }

    /** Queues a message for the peer; handshake messages also go into the transcript. */
    final void send(Message message) {
        if (message.type().isHandshake()) {
            transcript.add(FrameCodec.encode(message));
        }
        outgoing.add(message);
    }

    final void deliver(RecordType type, ByteBuffer plaintext) {
        this.payloadType = type;
        this.payload = plaintext;
    }

    /** Moves to {@code next} and starts its deadline; also called for self-transitions (records). */
    final void enter(SessionState next) {
        state = next;
        deadline = next.isTerminal() ? null : deadlineFor(next);
        if (next.isTerminal()) {
            released();
        }
    }

    private Instant deadlineFor(SessionState s) {
        return clock.instant().plus(s.phase().timeout(timeouts));
    }

    /**
     * The MAC of an Abort sent ({@code outgoing}) or received, or null before both ends have
     * confirmed the keys.
     */
    abstract Bytes abortMac(boolean outgoing, int reasonCode, String detail);

    /** Whether the peer's Abort carried a valid MAC (a definite answer, not a forgery). */
    final boolean peerAbortAuthenticated() {
        return peerAbortAuthenticated;
    }

    /** Called once when the run reaches a terminal state: release TPM objects and keys. */
    void released() {
    }

    private Outcome unchanged() {
        return new Outcome(state, state, List.of(), failure, null, null);
    }

    private Outcome failed(FailureReason reason, String detail, boolean tellPeer, FailureReason peerReason) {
        SessionState from = state;
        failure = new Failure(reason, detail, from, peerReason);
        enter(SessionState.FAILED);
        List<Message> toPeer = List.of();
        if (tellPeer) {
            Abort abort = Abort.of(reason.code(), detail);
            Bytes mac = abortMac(true, abort.reasonCode(), abort.detail());
            toPeer = List.of(mac == null ? abort : abort.withMac(mac));
        }
        return new Outcome(from, SessionState.FAILED, toPeer, failure, null, null);
    }

    @Override
    public final synchronized Outcome onMalformedFrame(MalformedFrameException problem) {
        if (state.isTerminal()) {
            return unchanged();
        }
        boolean record = problem.messageType().map(MessageType::isRecord).orElse(false);
        FailureReason reason;
        switch (problem.problem()) {
            case UNSUPPORTED_VERSION:
                reason = FailureReason.UNSUPPORTED_VERSION;
                break;
            case UNKNOWN_TYPE:
                reason = FailureReason.UNKNOWN_MESSAGE_TYPE;
                break;
            case OVERSIZED:
                reason = record ? FailureReason.RECORD_OVERSIZED : FailureReason.OVERSIZED_MESSAGE;
                break;
            case TRUNCATED:
                reason = record ? FailureReason.RECORD_TRUNCATED : FailureReason.TRUNCATED_MESSAGE;
                break;
            default:
                reason = FailureReason.MALFORMED_MESSAGE;
        }
        return failed(reason, problem.getMessage(), true, null);
    }

    @Override
    public final synchronized Outcome onTimeout(Phase phase) {
        if (state.isTerminal() || phase != state.phase() || deadline == null || clock.instant().isBefore(deadline)) {
            return unchanged();
        }
        Duration limit = state.phase().timeout(timeouts);
        return failed(FailureReason.TIMEOUT, "no progress within " + limit.toSeconds() + " s in state " + state
                + " (phase " + phase + ", waiting for " + TransitionTable.expected(role, state) + ")", true, null);
    }

    @Override
    public final synchronized Outcome onConnectionClosed() {
        if (state.isTerminal()) {
            return unchanged();
        }
        if (state.phase() == Phase.TRANSFER && role == Role.DESTINATION) {
            return failed(FailureReason.STREAM_TRUNCATED, "connection closed after " + recordsReceived()
                    + " records without an end-of-stream record", false, null);
        }
        return failed(FailureReason.CONNECTION_LOST, "connection closed in state " + state, false, null);
    }

    /** Records opened so far (destination), for error details. */
    long recordsReceived() {
        return 0;
    }

    @Override
    public final synchronized Outcome fail(FailureReason reason, String detail) {
        Objects.requireNonNull(reason, "reason");
        if (reason == FailureReason.PEER_ABORTED) {
            throw new IllegalArgumentException("PEER_ABORTED comes from the peer's Abort, not from a local failure");
        }
        if (state.isTerminal()) {
            return unchanged();
        }
        return failed(reason, Objects.requireNonNull(detail, "detail"), true, null);
    }

    /** A fresh nonce from the host's source; a repeated one ends the run instead of being used. */
    final Bytes issueNonce() {
        try {
            return nonces.next();
        } catch (IllegalStateException e) {
            throw new RunFailure(FailureReason.LOCAL_ERROR, e.getMessage());
        }
    }

    /** Suite ids with names, for error details. */
    static String describeSuites(List<Integer> suites) {
        return suites.stream().map(org.vtpmmigrate.protocol.CipherSuite::describe)
                .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
    }

    /** The failure reason for a rejected verdict on evidence: freshness problems are replays. */
    static FailureReason evidenceFailure(Verdict verdict) {
        return verdict.failed(VerificationCheck.NONCE) ? FailureReason.STALE_EVIDENCE
                : FailureReason.PEER_ATTESTATION_REJECTED;
    }

    /** The TPM of this host failed an operation the run needs. */
    static RunFailure platformFailure(String operation, PlatformException e) {
        return new RunFailure(FailureReason.LOCAL_ATTESTATION_FAILED, operation + " failed (" + e.kind() + "): "
                + e.getMessage());
    }

    /** An engine-supplied component (verifier, attestor, admission) threw instead of answering. */
    static RunFailure componentFailure(String component, RuntimeException e) {
        return new RunFailure(FailureReason.LOCAL_ERROR, component + " failed: " + e);
    }
}
