package org.vtpmmigrate.tpm.internal;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.vtpmmigrate.tpm.TpmEndpoint;
import org.vtpmmigrate.tpm.TpmException;

/**
 * swtpm serves one TCP client at a time: a second connection is accepted but its commands wait,
 * unanswered, until the first one closes. So this process holds at most one connection per swtpm
 * endpoint, and a second {@code connect()} waits for the first to close instead of hanging in a
 * command.
 */
final class SwtpmConnectionGate {

    private static final ConcurrentMap<TpmEndpoint, Semaphore> PERMITS = new ConcurrentHashMap<>();

    private SwtpmConnectionGate() {
    }

    /**
     * Takes the endpoint's single permit, waiting at most {@code timeout}.
     *
     * @return the action that gives it back, to run exactly once when the connection closes
     */
    static Runnable acquire(TpmEndpoint endpoint, Duration timeout) throws TpmException {
        Semaphore permit = PERMITS.computeIfAbsent(endpoint, e -> new Semaphore(1));
        boolean acquired;
        try {
            acquired = permit.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TpmException(TpmException.Kind.TRANSPORT, "connecting to " + endpoint,
                    "interrupted while waiting for this process's other connection to close", e);
        }
        if (!acquired) {
            throw new TpmException(TpmException.Kind.TRANSPORT, "connecting to " + endpoint,
                    "swtpm serves one connection at a time and another connection of this process stayed open for "
                            + timeout.toMillis() + " ms",
                    null);
        }
        return permit::release;
    }
}
