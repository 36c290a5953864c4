package org.vtpmmigrate.discovery;

import java.util.Objects;

/**
 * An engine agent that can be reached: where to find its management API and how it was found.
 *
 * @param hostId the agent's configured host id
 * @param address host name or IP address of its management API
 * @param managementPort TCP port of its management API
 * @param source how the entry was found ("inventory", "dns-sd")
 */
public record HostEntry(String hostId, String address, int managementPort, String source) {
    public HostEntry {
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(source, "source");
        if (managementPort < 1 || managementPort > 65535) {
            throw new IllegalArgumentException("management port " + managementPort + " outside 1-65535");
        }
    }
}
