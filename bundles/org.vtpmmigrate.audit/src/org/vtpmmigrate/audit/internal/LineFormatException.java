package org.vtpmmigrate.audit.internal;

/** A log line that is not a well-formed record; {@link #field()} names the top-level key concerned, or is empty. */
public final class LineFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final String problem;

    public LineFormatException(String field, String problem) {
        super(field.isEmpty() ? problem : field + ": " + problem);
        this.field = field;
        this.problem = problem;
    }

    public String field() {
        return field;
    }

    /** The message without the field name. */
    public String problem() {
        return problem;
    }
}
