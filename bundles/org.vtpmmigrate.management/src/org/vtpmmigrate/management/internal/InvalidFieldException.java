package org.vtpmmigrate.management.internal;

/**
 * A value that a DTO constructor refused, with the name of the field, so the JSON binder can report
 * the full path ({@code $.verdicts[1].reasons[0].check}) and a service implementation sees which field
 * it filled wrongly.
 */
public final class InvalidFieldException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final String problem;

    public InvalidFieldException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
        this.problem = problem;
    }

    /** The record component (JSON field) name. */
    public String field() {
        return field;
    }

    /** What is wrong with its value, without the field name. */
    public String problem() {
        return problem;
    }
}
