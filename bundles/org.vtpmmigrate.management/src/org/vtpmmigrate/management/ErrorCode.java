package org.vtpmmigrate.management;

import java.util.Optional;

/**
 * Why a management call failed. Codes with an HTTP status travel in error bodies
 * {@code {"error": {"code": "not_found", "message": "..."}}}; their {@link #wireName()} is permanent API.
 * The client-side codes (status 0) mean no usable answer came back, and keep "the agent is not
 * reachable" apart from "the agent's identity was refused" and from the agent's own answers.
 */
public enum ErrorCode {
    /** The request is not well-formed: JSON syntax, types, unknown or missing fields, bad path or query. */
    MALFORMED_REQUEST("malformed_request", 400),
    /** Well-formed but not acceptable: an invalid policy, an unknown destination host. */
    INVALID_ARGUMENT("invalid_argument", 400),
    /** No client certificate. (The TLS handshake normally refuses such a client first.) */
    UNAUTHENTICATED("unauthenticated", 401),
    /** The client's role may not call this endpoint. */
    FORBIDDEN("forbidden", 403),
    /** No such endpoint, VM, policy or migration. */
    NOT_FOUND("not_found", 404),
    /** The endpoint exists but not with this method; the {@code Allow} header lists the methods. */
    METHOD_NOT_ALLOWED("method_not_allowed", 405),
    /** The request contradicts the current state: the policy changed, the VM is already migrating. */
    CONFLICT("conflict", 409),
    /** The request body is larger than the server accepts. */
    PAYLOAD_TOO_LARGE("payload_too_large", 413),
    /** The request target is longer than the server accepts. */
    URI_TOO_LONG("uri_too_long", 414),
    /** The request body is not {@code application/json}. */
    UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 415),
    /** Too many request header fields. */
    HEADERS_TOO_LARGE("headers_too_large", 431),
    /** A fault in the agent; the message carries an incident id to find in the agent's log. */
    INTERNAL_ERROR("internal_error", 500),
    /** The agent cannot serve now (starting, stopping, TPM not connected). */
    UNAVAILABLE("unavailable", 503),

    /** Client side: no connection could be made (refused, no route, name not resolved, connect timeout). */
    UNREACHABLE("unreachable", 0),
    /** Client side: the TLS handshake failed: the agent's certificate is not trusted, or ours was refused. */
    TLS_FAILED("tls_failed", 0),
    /** Client side: connected, but no complete answer within the request timeout. */
    TIMEOUT("timeout", 0),
    /** Client side: the connection broke before a complete answer arrived. */
    CONNECTION_LOST("connection_lost", 0),
    /** Client side: an answer arrived but is not a valid management API response. */
    BAD_RESPONSE("bad_response", 0),
    /** Client side: the calling thread was interrupted while waiting. */
    INTERRUPTED("interrupted", 0),
    /** Client side: the agent sent an error code this client does not know (a newer agent). */
    UNRECOGNIZED("unrecognized", 0);

    private final String wireName;
    private final int httpStatus;

    ErrorCode(String wireName, int httpStatus) {
        this.wireName = wireName;
        this.httpStatus = httpStatus;
    }

    /** The code as it appears in JSON error bodies. */
    public String wireName() {
        return wireName;
    }

    /** The HTTP status a server answers with, or 0 for codes only a client produces. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Whether a server reports this code (as opposed to a client observing a failure). */
    public boolean isServerCode() {
        return httpStatus != 0;
    }

    /** The server code with this wire name. */
    public static Optional<ErrorCode> fromWireName(String wireName) {
        for (ErrorCode code : values()) {
            if (code.isServerCode() && code.wireName.equals(wireName)) {
                return Optional.of(code);
            }
        }
        return Optional.empty();
    }
}
