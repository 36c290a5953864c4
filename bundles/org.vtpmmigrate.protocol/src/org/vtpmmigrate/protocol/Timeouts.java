package org.vtpmmigrate.protocol;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a session waits in one state before it fails with {@link FailureReason#TIMEOUT}.
 *
 * @param attestation each wait of the handshake (request, attestation, key establishment); covers
 *            a peer's TPM quote, key creation and log verification
 * @param transferIdle longest time without a record during the transfer
 * @param commit wait for the destination to resume the VM and commit, and for the acknowledgement
 */
public record Timeouts(Duration attestation, Duration transferIdle, Duration commit) {
    public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(30),
            Duration.ofSeconds(60));

    public Timeouts {
        positive("attestation", attestation);
        positive("transferIdle", transferIdle);
        positive("commit", commit);
    }

    private static void positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " timeout must be positive, got " + d);
        }
    }
}
