package org.vtpmmigrate.audit.internal;

/** A value a record cannot hold; {@link #field()} is the field's name in the log line (e.g. {@code reasons.message}). */
public final class InvalidFieldException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;

    public InvalidFieldException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
