package org.vtpmmigrate.engine;

import java.net.InetAddress;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Where a running agent can be reached, for announcing it.
 *
 * @param address the address both ports are bound to
 * @param peerPort the migration protocol's port
 * @param managementPort the management API's port; empty when the management API is off
 * @param announce whether the administrator wants the agent announced by DNS-SD
 */
public record AgentEndpoints(InetAddress address, int peerPort, OptionalInt managementPort, boolean announce) {
    public AgentEndpoints {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(managementPort, "managementPort");
    }
}
