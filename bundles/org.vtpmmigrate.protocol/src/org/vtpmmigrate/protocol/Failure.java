package org.vtpmmigrate.protocol;

import java.util.Objects;
import java.util.Optional;

/** How a run ended without a commit: reason, detail, the state it was in, and the peer's reason for aborts. */
public final class Failure {
    private final FailureReason reason;
    private final String detail;
    private final SessionState state;
    private final FailureReason peerReason;

    public Failure(FailureReason reason, String detail, SessionState state, FailureReason peerReason) {
        this.reason = Objects.requireNonNull(reason, "reason");
        this.detail = Objects.requireNonNull(detail, "detail");
        this.state = Objects.requireNonNull(state, "state");
        this.peerReason = peerReason;
    }

    public FailureReason reason() {
        return reason;
    }

    /** What exactly was wrong, e.g. which PCR, field, offset, record number. */
    public String detail() {
        return detail;
    }

    /** The state the session was in when it failed. */
    public SessionState state() {
        return state;
    }

    /** For {@link FailureReason#PEER_ABORTED}: the reason the peer gave, when it is a known one. */
    public Optional<FailureReason> peerReason() {
        return Optional.ofNullable(peerReason);
    }

    @Override
    public String toString() {
        return reason + " in " + state + (peerReason == null ? "" : " (peer: " + peerReason + ")") + ": " + detail;
    }
}
