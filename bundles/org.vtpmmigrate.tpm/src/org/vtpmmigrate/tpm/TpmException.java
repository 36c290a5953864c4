package org.vtpmmigrate.tpm;

import java.util.Objects;
import java.util.Optional;

/**
 * A TPM operation failed. The message names the operation (with the handles involved) and either
 * the TPM response code or what went wrong on the way to or from the TPM.
 */
public class TpmException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Where the failure arose. */
    public enum Kind {
        /** The TPM answered with an error response code, see {@link TpmException#responseCode()}. */
        TPM_ERROR,
        /** The TPM could not be reached, or the connection failed or timed out. */
        TRANSPORT,
        /** The TPM's answer violated the TPM 2.0 encoding or the size bounds. */
        MALFORMED_RESPONSE,
        /** The TPM lacks what the operation needs (an inactive PCR bank, a missing EK). */
        UNAVAILABLE
    }

    private final Kind kind;
    private final String operation;
    private final transient TpmResponseCode responseCode;

    /**
     * A TPM error response.
     *
     * @param operation what was being done, for example {@code "ECDH_ZGen on bound key 0x80000001"}
     * @param responseCode the decoded response code
     * @param hint what the code most likely means in this operation; may be empty
     */
    public TpmException(String operation, TpmResponseCode responseCode, String hint) {
        super(operation + ": " + responseCode + (hint.isEmpty() ? "" : "; " + hint));
        this.kind = Kind.TPM_ERROR;
        this.operation = operation;
        this.responseCode = Objects.requireNonNull(responseCode, "responseCode");
    }

    /**
     * A failure without a TPM response code.
     *
     * @param kind must not be {@link Kind#TPM_ERROR}
     * @param operation what was being done
     * @param detail what went wrong
     * @param cause the underlying exception, may be null
     */
    public TpmException(Kind kind, String operation, String detail, Throwable cause) {
        super(operation + ": " + detail, cause);
        if (kind == Kind.TPM_ERROR) {
            throw new IllegalArgumentException("A TPM_ERROR needs a response code");
        }
        this.kind = Objects.requireNonNull(kind, "kind");
        this.operation = operation;
        this.responseCode = null;
    }

    /** Where the failure arose. */
    public Kind kind() {
        return kind;
    }

    /** What was being done, with the handles involved. */
    public String operation() {
        return operation;
    }

    /** The TPM's response code, present for {@link Kind#TPM_ERROR}. */
    public Optional<TpmResponseCode> responseCode() {
        return Optional.ofNullable(responseCode);
    }
}
