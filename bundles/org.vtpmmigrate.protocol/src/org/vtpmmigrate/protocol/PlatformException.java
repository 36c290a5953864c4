package org.vtpmmigrate.protocol;

import java.util.Objects;

/** A TPM operation of this host failed; {@link #kind()} separates "state changed" from other errors. */
public class PlatformException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What kind of failure the TPM reported. */
    public enum Kind {
        /** The TPM refused because a policy did not hold: the PCRs differ from the bound values. */
        POLICY_CHECK_FAILED,
        /** Any other TPM error (response code in the message). */
        TPM_ERROR,
        /** The TPM could not be reached. */
        UNAVAILABLE
    }

    private final Kind kind;

    public PlatformException(Kind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public PlatformException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public Kind kind() {
        return kind;
    }
}
