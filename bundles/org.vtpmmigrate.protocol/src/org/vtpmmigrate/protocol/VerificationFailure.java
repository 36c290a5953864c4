package org.vtpmmigrate.protocol;

import java.util.Objects;

/** One failed check with what exactly failed (PCR, event index, field, expected and found values). */
public record VerificationFailure(VerificationCheck check, String detail) {
    public VerificationFailure {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(detail, "detail");
    }

    @Override
    public String toString() {
        return "[" + check + "] " + detail;
    }
}
