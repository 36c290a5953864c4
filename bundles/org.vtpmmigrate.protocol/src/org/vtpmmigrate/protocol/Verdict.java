package org.vtpmmigrate.protocol;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The result of verifying evidence: accepted when no check failed, otherwise every failure with its
 * reason (a verifier reports all problems it finds, not only the first).
 */
public record Verdict(List<VerificationFailure> failures) {
    public static final Verdict ACCEPTED = new Verdict(List.of());

    public Verdict {
        failures = List.copyOf(failures);
    }

    public static Verdict rejected(VerificationCheck check, String detail) {
        return new Verdict(List.of(new VerificationFailure(check, detail)));
    }

    public boolean accepted() {
        return failures.isEmpty();
    }

    public boolean failed(VerificationCheck check) {
        return failures.stream().anyMatch(f -> f.check() == check);
    }

    /** All failures on one line, for logs and Abort details. */
    public String describe() {
        return accepted() ? "accepted"
                : failures.stream().map(VerificationFailure::toString).collect(Collectors.joining("; "));
    }
}
