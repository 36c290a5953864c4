package org.vtpmmigrate.management;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * A management call that failed, with a typed {@link ErrorCode}. Service implementations throw it with
 * a server code and a message that says what was wrong; the server turns it into the JSON error body,
 * and the client turns that body (or a transport failure) back into this exception.
 */
public class ManagementException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String wireCode;
    private final int httpStatus;

    /** A failure reported by a service implementation; {@code code} must be a server code. */
    public ManagementException(ErrorCode code, String message) {
        this(code, code.wireName(), code.httpStatus(), message, null);
        if (!code.isServerCode()) {
            throw new IllegalArgumentException(code + " is observed by clients, not reported by services");
        }
    }

    private ManagementException(ErrorCode code, String wireCode, int httpStatus, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.code = Objects.requireNonNull(code, "code");
        this.wireCode = wireCode;
        this.httpStatus = httpStatus;
    }

    /** A failure observed by a client: no usable answer from the server. */
    public static ManagementException clientSide(ErrorCode code, String message, Throwable cause) {
        if (code.isServerCode()) {
            throw new IllegalArgumentException(code + " is reported by servers");
        }
        return new ManagementException(code, code.wireName(), 0, message, cause);
    }

    /** An error body received from a server; an unknown code becomes {@link ErrorCode#UNRECOGNIZED}. */
    public static ManagementException fromServer(int httpStatus, String wireCode, String message) {
        ErrorCode code = ErrorCode.fromWireName(wireCode).orElse(ErrorCode.UNRECOGNIZED);
        return new ManagementException(code, wireCode, httpStatus, message, null);
    }

    public ErrorCode code() {
        return code;
    }

    /** The code as the server sent it (differs from {@code code().wireName()} only for unrecognised codes). */
    public String wireCode() {
        return wireCode;
    }

    /** The HTTP status of the server's answer; empty when no answer arrived. */
    public OptionalInt httpStatus() {
        return httpStatus == 0 ? OptionalInt.empty() : OptionalInt.of(httpStatus);
    }

    /** Whether the server answered (the failure is its verdict, not a transport problem). */
    public boolean reachedServer() {
        return httpStatus != 0;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + wireCode + (httpStatus == 0 ? "" : " " + httpStatus) + "]: "
                + getMessage();
    }
}
