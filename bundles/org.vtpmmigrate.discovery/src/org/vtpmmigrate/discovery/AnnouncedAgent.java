package org.vtpmmigrate.discovery;

import java.util.Objects;

/**
 * An agent found by DNS-SD: its announcement and the address it was resolved to.
 *
 * @param announcement what the agent announced
 * @param address the IP address (textual form) its announcement resolved to
 */
public record AnnouncedAgent(AgentAnnouncement announcement, String address) {
    /** The value of {@link HostEntry#source()} for agents found by DNS-SD. */
    public static final String SOURCE = "dns-sd";

    public AnnouncedAgent {
        Objects.requireNonNull(announcement, "announcement");
        Objects.requireNonNull(address, "address");
    }

    public String hostId() {
        return announcement.hostId();
    }

    /** Where to reach its management API. */
    public HostEntry hostEntry() {
        return new HostEntry(announcement.hostId(), address, announcement.managementPort(), SOURCE);
    }

    /** Its peer address as {@code host:port}, IPv6 addresses in brackets. */
    public String peerAddress() {
        String host = address.indexOf(':') >= 0 ? "[" + address + "]" : address;
        return host + ":" + announcement.peerPort();
    }
}
