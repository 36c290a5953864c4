package org.vtpmmigrate.discovery;

import java.util.regex.Pattern;

import org.vtpmmigrate.discovery.internal.HostIds;

/**
 * What an agent announces by DNS-SD ({@code _vtpm-migrate._tcp}): the host id is the instance name,
 * the management port is the SRV port, the rest travels in the TXT record.
 *
 * @param hostId the agent's host id (also the DNS-SD instance name)
 * @param managementPort TCP port of the management API
 * @param peerPort TCP port where the agent accepts migrations from other agents
 * @param tpmKind the kind of TPM connector the agent uses, e.g. {@code swtpm} or {@code device}
 * @throws IllegalArgumentException naming the field that is invalid and why
 */
public record AgentAnnouncement(String hostId, int managementPort, int peerPort, String tpmKind) {
    private static final Pattern TPM_KIND = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    public AgentAnnouncement {
        if (!HostIds.isValid(hostId)) {
            throw new IllegalArgumentException("host id '" + hostId + "' must be " + HostIds.RULE);
        }
        checkPort("management port", managementPort);
        checkPort("peer port", peerPort);
        if (managementPort == peerPort) {
            throw new IllegalArgumentException("peer port " + peerPort + " must differ from the management port");
        }
        if (tpmKind == null || !TPM_KIND.matcher(tpmKind).matches()) {
            throw new IllegalArgumentException("TPM connector kind '" + tpmKind
                    + "' must be 1-32 lower-case letters, digits or '-', starting with a letter");
        }
    }

    private static void checkPort(String what, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(what + " " + port + " outside 1-65535");
        }
    }
}
