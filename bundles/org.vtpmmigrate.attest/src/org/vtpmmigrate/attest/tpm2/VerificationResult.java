package org.vtpmmigrate.attest.tpm2;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Outcome of verifying a signed TPM attestation: passed only when no check failed. Each failure
 * names its check and says what was expected and what was found. The decoded attestation is
 * available whenever it could be decoded, also when checks failed (for the audit log); its
 * fields are authentic only if the result passed.
 *
 * @param <C> the check enumeration ({@link QuoteCheck}, {@link CertifyCheck})
 */
public final class VerificationResult<C extends Enum<C>> {

    /** One failed check. */
    public record Failure<C extends Enum<C>>(C check, String message) {
        @Override
        public String toString() {
            return check + ": " + message;
        }
    }

    private final List<Failure<C>> failures;
    private final TpmAttest attest;

    VerificationResult(List<Failure<C>> failures, TpmAttest attest) {
        this.failures = List.copyOf(failures);
        this.attest = attest;
    }

    /** The same result with one more failure in front (a check that runs before the others). */
    VerificationResult<C> withFirst(Failure<C> failure) {
        List<Failure<C>> all = new java.util.ArrayList<>();
        all.add(failure);
        all.addAll(failures);
        return new VerificationResult<>(all, attest);
    }

    public boolean passed() {
        return failures.isEmpty();
    }

    /** Failures in the order the checks ran; empty when passed. */
    public List<Failure<C>> failures() {
        return failures;
    }

    public Set<C> failedChecks() {
        Set<C> s = new LinkedHashSet<>();
        for (Failure<C> f : failures) {
            s.add(f.check());
        }
        return Collections.unmodifiableSet(s);
    }

    /** The decoded TPMS_ATTEST, if it could be decoded. Trust it only when {@link #passed()}. */
    public Optional<TpmAttest> attest() {
        return Optional.ofNullable(attest);
    }

    /** "passed", or every failure on one line. */
    public String summary() {
        if (passed()) {
            return "passed";
        }
        StringJoiner j = new StringJoiner("; ");
        failures.forEach(f -> j.add(f.toString()));
        return j.toString();
    }

    @Override
    public String toString() {
        return "VerificationResult[" + summary() + "]";
    }
}
