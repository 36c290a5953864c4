package org.vtpmmigrate.protocol;

import java.util.EnumSet;
import java.util.Set;

/**
 * Progress of one run, for both roles (one enum, one transition table). A state says what the
 * session waits for; it is never a verdict: only {@link #COMMITTED} means the migration succeeded.
 *
 * <pre>
 * source:       NEW -start-> AWAIT_ACCEPT -MIGRATION_ACCEPT-> AWAIT_PEER_EVIDENCE -ATTESTATION_EVIDENCE->
 *               AWAIT_CHALLENGE -ATTESTATION_CHALLENGE-> AWAIT_BOUND_KEY -BOUND_KEY_OFFER-> AWAIT_KEY_CONFIRM
 *               -KEY_CONFIRM-> TRANSFERRING -end of transfer-> AWAIT_COMMIT -COMMIT-> COMMITTED
 * destination:  AWAIT_REQUEST -MIGRATION_REQUEST-> AWAIT_CHALLENGE -ATTESTATION_CHALLENGE-> AWAIT_PEER_EVIDENCE
 *               -ATTESTATION_EVIDENCE-> AWAIT_KEY_EXCHANGE -KEY_EXCHANGE-> AWAIT_KEY_CONFIRM -KEY_CONFIRM->
 *               RECEIVING -END_OF_STREAM-> STREAM_RECEIVED -local commit-> AWAIT_COMMIT_ACK -COMMIT_ACK-> COMMITTED
 * both:         any state but COMMITTED and FAILED -ABORT, timeout or any violation-> FAILED
 * </pre>
 */
public enum SessionState {
    /** Source before {@code start()}. */
    NEW(Phase.REQUEST, Role.SOURCE),
    /** Destination waiting for the migration request. */
    AWAIT_REQUEST(Phase.REQUEST, Role.DESTINATION),
    /** Source waiting for the destination's accept (and its attestation flight). */
    AWAIT_ACCEPT(Phase.REQUEST, Role.SOURCE),
    /** Waiting for the peer's challenge. */
    AWAIT_CHALLENGE(Phase.ATTESTATION, Role.SOURCE, Role.DESTINATION),
    /** Waiting for the peer's evidence (quote, logs, launch measurements). */
    AWAIT_PEER_EVIDENCE(Phase.ATTESTATION, Role.SOURCE, Role.DESTINATION),
    /** Source waiting for the destination's certified PCR-bound key. */
    AWAIT_BOUND_KEY(Phase.KEY_ESTABLISHMENT, Role.SOURCE),
    /** Destination waiting for the source's ephemeral public key. */
    AWAIT_KEY_EXCHANGE(Phase.KEY_ESTABLISHMENT, Role.DESTINATION),
    /** Waiting for the peer's key-confirmation MAC. */
    AWAIT_KEY_CONFIRM(Phase.KEY_ESTABLISHMENT, Role.SOURCE, Role.DESTINATION),
    /** Source sealing records of the migration stream. */
    TRANSFERRING(Phase.TRANSFER, Role.SOURCE),
    /** Destination opening records of the migration stream. */
    RECEIVING(Phase.TRANSFER, Role.DESTINATION),
    /** Source has sent the whole stream and waits for the commit; the source VM is paused, not stopped. */
    AWAIT_COMMIT(Phase.COMMIT, Role.SOURCE),
    /** Destination has the whole, verified stream; its engine loads the state, then commits. */
    STREAM_RECEIVED(Phase.COMMIT, Role.DESTINATION),
    /** Destination has committed and waits for the source's acknowledgement. */
    AWAIT_COMMIT_ACK(Phase.COMMIT, Role.DESTINATION),
    /** The migration succeeded: the source stops the VM and deletes its vTPM state. */
    COMMITTED(Phase.DONE, Role.SOURCE, Role.DESTINATION),
    /**
     * The run ended without a commit: the source resumes the VM; the destination discards everything
     * unless its commit is in doubt ({@link DestinationSession#commitInDoubt()}).
     */
    FAILED(Phase.DONE, Role.SOURCE, Role.DESTINATION);

    private final Phase phase;
    private final Set<Role> roles;

    SessionState(Phase phase, Role first, Role... more) {
        this.phase = phase;
        this.roles = EnumSet.of(first, more);
    }

    public Phase phase() {
        return phase;
    }

    /** Whether a session of this role can be in this state. */
    public boolean isStateOf(Role role) {
        return roles.contains(role);
    }

    public boolean isTerminal() {
        return phase == Phase.DONE;
    }
}
