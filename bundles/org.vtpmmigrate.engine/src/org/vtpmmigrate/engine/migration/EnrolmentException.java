package org.vtpmmigrate.engine.migration;

import java.util.Objects;

/** A peer could not be enrolled; {@link #reason()} says which step refused it. */
public final class EnrolmentException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Which step of enrolment failed. */
    public enum Reason {
        /** The peer could not be reached, or the connection broke or timed out. */
        CONNECTION,
        /** The peer's messages violate the enrolment format or its bounds. */
        MALFORMED_MESSAGE,
        /** The peer has no EK certificate, or it does not chain to a trusted CA or does not certify its EK. */
        EK_CERTIFICATE,
        /** The key the peer presents as its AK is not a restricted, fixedTPM signing key. */
        ATTESTATION_KEY,
        /** The peer did not recover the credential: its AK is not in the TPM owning the certified EK. */
        CREDENTIAL_ACTIVATION,
        /** The peer reported an error, or this host's configuration cannot enrol it. */
        PEER_ERROR
    }

    private final Reason reason;

    public EnrolmentException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public EnrolmentException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
