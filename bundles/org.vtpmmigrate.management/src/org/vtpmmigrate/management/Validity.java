package org.vtpmmigrate.management;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * The period a certificate is valid, to the second (X.509 has no finer resolution).
 *
 * @param notBefore first instant of validity
 * @param notAfter last instant of validity, after {@code notBefore}
 */
public record Validity(Instant notBefore, Instant notAfter) {
    /** How far clocks of hosts may differ; a new certificate is valid from this much before now. */
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    public Validity {
        Objects.requireNonNull(notBefore, "notBefore");
        Objects.requireNonNull(notAfter, "notAfter");
        notBefore = notBefore.truncatedTo(ChronoUnit.SECONDS);
        notAfter = notAfter.truncatedTo(ChronoUnit.SECONDS);
        if (!notAfter.isAfter(notBefore)) {
            throw new IllegalArgumentException("notAfter " + notAfter + " is not after notBefore " + notBefore);
        }
    }

    /** Valid from {@link #CLOCK_SKEW} before {@code now} until {@code now + length}. */
    public static Validity startingAt(Instant now, Duration length) {
        if (length.isNegative() || length.isZero()) {
            throw new IllegalArgumentException("validity length must be positive, got " + length);
        }
        return new Validity(now.minus(CLOCK_SKEW), now.plus(length));
    }

    /** {@link #startingAt(Instant, Duration)} from the current time. */
    public static Validity fromNow(Duration length) {
        return startingAt(Instant.now(), length);
    }

    /** Whether {@code instant} lies in this period. */
    public boolean contains(Instant instant) {
        return !instant.isBefore(notBefore) && !instant.isAfter(notAfter);
    }

    /** Whether {@code other} lies entirely in this period. */
    public boolean covers(Validity other) {
        return !other.notBefore.isBefore(notBefore) && !other.notAfter.isAfter(notAfter);
    }
}
