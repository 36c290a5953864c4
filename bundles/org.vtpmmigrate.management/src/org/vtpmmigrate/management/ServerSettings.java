package org.vtpmmigrate.management;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Limits and resources of a {@link ManagementServer}.
 *
 * @param bindAddress where to listen; port 0 picks a free port
 * @param workerThreads threads handling requests (TLS handshakes included), 1..256
 * @param queueCapacity requests (a new connection's first request includes its TLS handshake) that may wait
 *        for a worker; the connection of a request beyond them is closed, 1..10000
 * @param maxRequestBodyBytes largest request body accepted (larger: 413), 1 KiB..64 MiB
 * @param maxRequestHeaders most header fields accepted in a request (more: 431), 8..1000
 * @param stopGrace how long {@link ManagementServer#close()} lets requests in progress finish, 0..5 min
 */
public record ServerSettings(InetSocketAddress bindAddress, int workerThreads, int queueCapacity,
        int maxRequestBodyBytes, int maxRequestHeaders, Duration stopGrace) {

    public static final int DEFAULT_MAX_REQUEST_BODY_BYTES = 1024 * 1024;

    public ServerSettings {
        Objects.requireNonNull(bindAddress, "bindAddress");
        requireRange("workerThreads", workerThreads, 1, 256);
        requireRange("queueCapacity", queueCapacity, 1, 10_000);
        requireRange("maxRequestBodyBytes", maxRequestBodyBytes, 1024, 64 * 1024 * 1024);
        requireRange("maxRequestHeaders", maxRequestHeaders, 8, 1000);
        Objects.requireNonNull(stopGrace, "stopGrace");
        if (stopGrace.isNegative() || stopGrace.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("stopGrace " + stopGrace + " is outside 0..5 minutes");
        }
    }

    /** 8 workers, 64 queued connections, 1 MiB bodies, 64 headers, 5 s to stop. */
    public static ServerSettings defaults(InetSocketAddress bindAddress) {
        return new ServerSettings(bindAddress, 8, 64, DEFAULT_MAX_REQUEST_BODY_BYTES, 64, Duration.ofSeconds(5));
    }

    private static void requireRange(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " " + value + " is outside " + min + ".." + max);
        }
    }
}
