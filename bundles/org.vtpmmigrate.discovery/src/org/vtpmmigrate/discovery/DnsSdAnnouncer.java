package org.vtpmmigrate.discovery;

import java.io.IOException;
import java.net.InetAddress;

import org.vtpmmigrate.discovery.internal.JmdnsAnnouncer;

/**
 * Announces one agent by DNS-SD as {@code <host id>._vtpm-migrate._tcp.local.} with TXT {@code api=v1},
 * {@code host-id}, {@code peer-port} and {@code tpm}. Closing withdraws the announcement.
 */
public final class DnsSdAnnouncer implements AutoCloseable {
    private final JmdnsAnnouncer announcer;
    private final AgentAnnouncement announcement;

    private DnsSdAnnouncer(JmdnsAnnouncer announcer, AgentAnnouncement announcement) {
        this.announcer = announcer;
        this.announcement = announcement;
    }

    /**
     * Starts announcing on the interface of the given address; returns once the announcement is made.
     *
     * @throws IOException if multicast DNS cannot run on that address, or the host id is already announced
     */
    public static DnsSdAnnouncer start(InetAddress bindAddress, AgentAnnouncement announcement) throws IOException {
        return new DnsSdAnnouncer(JmdnsAnnouncer.start(bindAddress, announcement), announcement);
    }

    public AgentAnnouncement announcement() {
        return announcement;
    }

    /** Sends the goodbye for the service and stops multicast DNS on the address. */
    @Override
    public void close() throws IOException {
        announcer.close();
    }
}
