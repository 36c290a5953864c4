package org.vtpmmigrate.management.internal;

import java.util.Map;
import org.vtpmmigrate.management.ErrorCode;
import org.vtpmmigrate.management.ManagementException;

/**
 * What a route answers: a status, a DTO (written as JSON) and extra headers.
 *
 * @param status the HTTP status
 * @param body a record, or null for no body
 * @param headers headers beyond the standard ones (Location, Allow)
 */
public record Reply(int status, Object body, Map<String, String> headers) {
    public Reply {
        headers = Map.copyOf(headers);
    }

    public static Reply ok(Object body) {
        if (body == null) {
            throw new IllegalStateException("the management service returned null");
        }
        return new Reply(200, body, Map.of());
    }

    /** An error answer; the message is made safe to send (it may quote what the client sent). */
    public static Reply error(ErrorCode code, String message) {
        return new Reply(code.httpStatus(), new ErrorBody(new ErrorBody.Detail(code.wireName(),
                Check.printable(message, ErrorBody.MAX_MESSAGE))), Map.of());
    }

    public static Reply error(ManagementException e) {
        return error(e.code(), e.getMessage());
    }
}
