package org.vtpmmigrate.tpm;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds on the way to a TPM.
 *
 * @param connectTimeout how long opening an swtpm TCP connection may take
 * @param responseTimeout how long the swtpm transport waits for a response; a character device
 *        relies on the kernel driver's own command timeouts instead
 * @param maxResponseBytes the largest response accepted; a larger announced size is refused
 *        without reading it
 */
public record TpmTransportOptions(Duration connectTimeout, Duration responseTimeout, int maxResponseBytes) {

    /** Largest accepted {@link #maxResponseBytes()}. */
    public static final int MAX_RESPONSE_LIMIT = 1 << 20;
    /** Smallest accepted {@link #maxResponseBytes()}: a TPM answer needs more than a header. */
    public static final int MIN_RESPONSE_LIMIT = 64;

    private static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);

    /**
     * 5 s to connect; 90 s per response (RSA key generation on a slow TPM takes tens of seconds);
     * 4096-byte responses (the TPM 2.0 reference and Linux kernel buffer size).
     */
    public static final TpmTransportOptions DEFAULTS =
            new TpmTransportOptions(Duration.ofSeconds(5), Duration.ofSeconds(90), 4096);

    /**
     * @throws IllegalArgumentException if a timeout is not in (0, 10 min] or the response bound is
     *         not in [64, 1 MiB]
     */
    public TpmTransportOptions {
        checkTimeout("connect timeout", connectTimeout);
        checkTimeout("response timeout", responseTimeout);
        if (maxResponseBytes < MIN_RESPONSE_LIMIT || maxResponseBytes > MAX_RESPONSE_LIMIT) {
            throw new IllegalArgumentException("Maximum TPM response size " + maxResponseBytes + " is outside "
                    + MIN_RESPONSE_LIMIT + ".." + MAX_RESPONSE_LIMIT + " bytes");
        }
    }

    private static void checkTimeout(String what, Duration timeout) {
        Objects.requireNonNull(timeout, what);
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("TPM " + what + " " + timeout.toMillis() + " ms is outside (0, "
                    + MAX_TIMEOUT.toMillis() + "] ms");
        }
    }
}
