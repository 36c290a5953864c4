package org.vtpmmigrate.management;

import org.vtpmmigrate.management.internal.Check;

/**
 * Asks an agent to enrol the agent listening at a protocol address: {@code POST /v1/peers}.
 *
 * @param address the peer's protocol (not management) address {@code host:port}
 */
public record EnrolPeerRequest(String address) {
    public EnrolPeerRequest {
        Check.hostAndPort("address", address);
    }
}
