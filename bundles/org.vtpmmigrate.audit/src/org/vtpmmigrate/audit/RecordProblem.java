package org.vtpmmigrate.audit;

import java.util.Objects;

/**
 * One thing wrong with one line of a log.
 *
 * @param status the status this problem alone would give the line
 * @param field the record field concerned, as named in the log line ({@code verdict}, {@code prev},
 *        {@code sig}, ...), or empty when it concerns the line as a whole
 * @param message what is wrong, with expected and found values where they help
 */
public record RecordProblem(RecordStatus status, String field, String message) {
    public RecordProblem {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(message, "message");
        if (status == RecordStatus.OK) {
            throw new IllegalArgumentException("a problem cannot have status OK");
        }
    }

    @Override
    public String toString() {
        return status + (field.isEmpty() ? "" : " [" + field + "]") + ": " + message;
    }
}
