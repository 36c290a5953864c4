package org.vtpmmigrate.management;

import java.time.Duration;
import java.util.Objects;

/**
 * Timeouts and limits of a {@link ManagementClient}.
 *
 * @param connectTimeout how long to wait for a TCP connection; beyond it the agent is
 *        {@link ErrorCode#UNREACHABLE}
 * @param requestTimeout how long one call may wait for the answer's headers, connecting included (a peer
 *        that accepts TCP but completes no TLS handshake in this time is {@link ErrorCode#UNREACHABLE}, an
 *        agent that is connected but does not answer is {@link ErrorCode#TIMEOUT}); the answer's body must
 *        arrive within one more second. Evidence on a hardware TPM takes seconds.
 * @param maxResponseBodyBytes largest answer accepted (evidence with an IMA log is the largest)
 */
public record ClientSettings(Duration connectTimeout, Duration requestTimeout, int maxResponseBodyBytes) {
    public ClientSettings {
        requirePositive("connectTimeout", connectTimeout);
        requirePositive("requestTimeout", requestTimeout);
        if (maxResponseBodyBytes < 1024) {
            throw new IllegalArgumentException("maxResponseBodyBytes " + maxResponseBodyBytes + " is below 1024");
        }
    }

    /** 10 s to connect, 60 s per call, 64 MiB answers. */
    public static ClientSettings defaults() {
        return new ClientSettings(Duration.ofSeconds(10), Duration.ofSeconds(60), 64 * 1024 * 1024);
    }

    private static void requirePositive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
