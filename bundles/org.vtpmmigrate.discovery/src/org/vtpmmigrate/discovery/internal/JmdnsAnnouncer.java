package org.vtpmmigrate.discovery.internal;

import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.util.Objects;

import javax.jmdns.JmDNS;
import javax.jmdns.ServiceInfo;

import org.vtpmmigrate.discovery.AgentAnnouncement;

/** Announces one agent with JmDNS on one address. */
public final class JmdnsAnnouncer implements Closeable {
    private static final System.Logger LOG = System.getLogger(JmdnsAnnouncer.class.getName());

    private final JmDNS jmdns;
    private final ServiceInfo service;

    private JmdnsAnnouncer(JmDNS jmdns, ServiceInfo service) {
        this.jmdns = jmdns;
        this.service = service;
    }

    /**
     * Registers the service; returns once probing is done and the name is ours.
     *
     * @throws IOException if JmDNS cannot start on the address, or another agent already announces this
     *         host id (JmDNS would rename the instance, which browsers refuse)
     */
    public static JmdnsAnnouncer start(InetAddress bindAddress, AgentAnnouncement announcement) throws IOException {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(announcement, "announcement");
        JmDNS jmdns = JmDNS.create(bindAddress, announcement.hostId());
        try {
            ServiceInfo service = ServiceInfo.create(AnnouncementTxt.SERVICE_TYPE, announcement.hostId(),
                    announcement.managementPort(), 0, 0, AnnouncementTxt.encode(announcement));
            jmdns.registerService(service);
            if (!announcement.hostId().equals(service.getName())) {
                throw new IOException("host id '" + announcement.hostId() + "' is already announced on "
                        + bindAddress.getHostAddress() + " (JmDNS renamed the instance to '" + service.getName() + "')");
            }
            LOG.log(Level.INFO, "announcing {0} on {1} (management port {2}, peer port {3})",
                    announcement.hostId(), bindAddress.getHostAddress(),
                    String.valueOf(announcement.managementPort()), String.valueOf(announcement.peerPort()));
            return new JmdnsAnnouncer(jmdns, service);
        } catch (IOException | RuntimeException e) {
            closeQuietly(jmdns, e);
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            jmdns.unregisterService(service);
        } finally {
            jmdns.close();
        }
    }

    private static void closeQuietly(JmDNS jmdns, Exception primary) {
        try {
            jmdns.close();
        } catch (IOException | RuntimeException e) {
            primary.addSuppressed(e);
        }
    }
}
