package org.vtpmmigrate.hypervisor;

import java.time.Duration;
import java.util.Objects;

/**
 * How QEMU should run an outgoing migration.
 *
 * @param maxBandwidthBytesPerSecond QEMU's {@code max-bandwidth}; QEMU's own default (32 MiB/s) is
 *     far below what a local relay carries, so the default here is effectively unlimited
 * @param downtimeLimit QEMU's {@code downtime-limit}: the longest stop-and-copy pause QEMU aims for
 * @param autoConverge QEMU's {@code auto-converge}: throttle the guest's vCPUs when pre-copy does
 *     not converge
 * @param connectTimeout how long QEMU may take to connect to the socket the stream is read from
 */
public record MigrationSettings(long maxBandwidthBytesPerSecond, Duration downtimeLimit, boolean autoConverge,
        Duration connectTimeout) {
    public static final long UNLIMITED_BANDWIDTH = 100L * 1024 * 1024 * 1024;
    /** QEMU 7.2 accepts downtime limits up to 2000 s; anything near that is a mistake here. */
    public static final Duration MAX_DOWNTIME_LIMIT = Duration.ofSeconds(60);

    public MigrationSettings {
        if (maxBandwidthBytesPerSecond < 1 || maxBandwidthBytesPerSecond > UNLIMITED_BANDWIDTH) {
            throw new IllegalArgumentException("max bandwidth " + maxBandwidthBytesPerSecond + " B/s outside 1.."
                    + UNLIMITED_BANDWIDTH);
        }
        Objects.requireNonNull(downtimeLimit, "downtimeLimit");
        if (downtimeLimit.isNegative() || downtimeLimit.compareTo(MAX_DOWNTIME_LIMIT) > 0) {
            throw new IllegalArgumentException("downtime limit " + downtimeLimit + " outside 0.." + MAX_DOWNTIME_LIMIT);
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connect timeout must be positive, got " + connectTimeout);
        }
    }

    /** Unlimited bandwidth, QEMU's default 300 ms downtime limit, no auto-converge, 10 s to connect. */
    public static MigrationSettings defaults() {
        return new MigrationSettings(UNLIMITED_BANDWIDTH, Duration.ofMillis(300), false, Duration.ofSeconds(10));
    }
}
