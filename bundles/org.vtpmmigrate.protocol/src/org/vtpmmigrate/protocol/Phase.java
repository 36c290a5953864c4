package org.vtpmmigrate.protocol;

import java.time.Duration;

/** The protocol phases (docs/PROTOCOL.md); each state belongs to one, and each has a timeout. */
public enum Phase {
    /** Request and admission. */
    REQUEST,
    /** Both hosts prove their state with quotes. */
    ATTESTATION,
    /** Bound key, ECDH, key confirmation. */
    KEY_ESTABLISHMENT,
    /** Sealed records of the migration stream. */
    TRANSFER,
    /** Destination loads the state and signs the commit, source verifies and acknowledges. */
    COMMIT,
    /** Committed or failed; nothing more happens. */
    DONE;

    /** How long a state of this phase may wait for the next step. */
    public Duration timeout(Timeouts timeouts) {
        switch (this) {
            case REQUEST:
            case ATTESTATION:
            case KEY_ESTABLISHMENT:
                return timeouts.attestation();
            case TRANSFER:
                return timeouts.transferIdle();
            case COMMIT:
                return timeouts.commit();
            default:
                throw new IllegalStateException("phase " + this + " has no timeout");
        }
    }
}
