package org.vtpmmigrate.testsupport;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition with a deadline, so tests never sleep for a guessed time.
 * <p>
 * The condition is polled with a short, growing pause (1 ms up to 50 ms). An exception thrown by
 * the condition counts as "not yet" and is attached as the cause if the deadline passes.
 * A timeout is reported as an {@link AssertionError}, which test frameworks show as a failure.
 */
public final class Await {

    private static final long FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private Await() {
    }

    /**
     * Returns once {@code condition} is true.
     *
     * @throws AssertionError if it is still false after {@code timeout}; the message says what
     *         was awaited and for how long
     */
    public static void until(BooleanSupplier condition, Duration timeout, String whatIsAwaited) {
        Objects.requireNonNull(condition, "condition");
        value(() -> condition.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty(), timeout,
                whatIsAwaited);
    }

    /**
     * Returns the first present value that {@code probe} yields.
     *
     * @throws AssertionError if no value is present after {@code timeout}
     */
    public static <T> T value(Supplier<Optional<T>> probe, Duration timeout, String whatIsAwaited) {
        Objects.requireNonNull(probe, "probe");
        Objects.requireNonNull(whatIsAwaited, "whatIsAwaited");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long pause = FIRST_PAUSE_NANOS;
        RuntimeException lastFailure = null;
        while (true) {
            try {
                Optional<T> result = probe.get();
                if (result.isPresent()) {
                    return result.get();
                }
                lastFailure = null;
            } catch (RuntimeException e) {
                lastFailure = e;
            }
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                long waitedMillis = TimeUnit.NANOSECONDS.toMillis(now - start);
                String message = "Timed out after " + waitedMillis + " ms waiting for: " + whatIsAwaited
                        + (lastFailure == null ? "" : " (last attempt failed: " + lastFailure + ")");
                AssertionError error = new AssertionError(message);
                if (lastFailure != null) {
                    error.initCause(lastFailure);
                }
                throw error;
            }
            LockSupport.parkNanos(Math.min(pause, deadline - now));
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted while waiting for: " + whatIsAwaited);
            }
            pause = Math.min(pause * 2, MAX_PAUSE_NANOS);
        }
    }
}
