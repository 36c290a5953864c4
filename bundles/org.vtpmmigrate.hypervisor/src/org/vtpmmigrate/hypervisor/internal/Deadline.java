package org.vtpmmigrate.hypervisor.internal;

import java.time.Duration;
import java.util.Objects;
import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.HypervisorTimeoutException;

/** A point in time by which a wait must end; every wait in this bundle has one. */
final class Deadline {
    /** A condition checked by {@link #await}; it may fail early with a typed error. */
    @FunctionalInterface
    public interface Condition {
        boolean isMet() throws HypervisorException;
    }

    private static final long MIN_POLL_NANOS = Duration.ofMillis(5).toNanos();
    private static final long MAX_POLL_NANOS = Duration.ofMillis(100).toNanos();

    private final Duration timeout;
    private final long endNanos;

    private Deadline(Duration timeout) {
        this.timeout = timeout;
        this.endNanos = System.nanoTime() + timeout.toNanos();
    }

    public static Deadline after(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("negative timeout " + timeout);
        }
        return new Deadline(timeout);
    }

    public Duration timeout() {
        return timeout;
    }

    public Duration remaining() {
        long left = endNanos - System.nanoTime();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    public boolean isExpired() {
        return endNanos - System.nanoTime() <= 0;
    }

    public HypervisorTimeoutException timeoutFor(String awaited) {
        return new HypervisorTimeoutException(awaited, timeout);
    }

    /**
     * Polls {@code condition} with a growing interval until it holds or this deadline passes. For
     * external state that sends no notification (a socket file appearing, a port accepting).
     */
    public void await(String awaited, Condition condition) throws HypervisorException {
        long pause = MIN_POLL_NANOS;
        while (!condition.isMet()) {
            if (isExpired()) {
                throw timeoutFor(awaited);
            }
            long sleep = Math.min(pause, remaining().toNanos());
            try {
                Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HypervisorException("interrupted while waiting for " + awaited, e);
            }
            pause = Math.min(pause * 2, MAX_POLL_NANOS);
        }
    }
}
