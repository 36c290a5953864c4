package org.vtpmmigrate.management.internal;

/**
 * The JSON body of every error answer: {@code {"error": {"code": "not_found", "message": "..."}}}.
 *
 * @param error the error
 */
public record ErrorBody(Detail error) {
    /** Messages quote offending values, shortened; this bounds the whole message. */
    public static final int MAX_MESSAGE = 4096;

    public ErrorBody {
        Check.required("error", error);
    }

    /**
     * @param code an {@link org.vtpmmigrate.management.ErrorCode} wire name
     * @param message what was wrong, for people
     */
    public record Detail(String code, String message) {
        public Detail {
            Check.text("code", code, 64);
            Check.text("message", message, MAX_MESSAGE);
        }
    }
}
