package org.vtpmmigrate.discovery.internal;

import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import javax.jmdns.JmDNS;
import javax.jmdns.ServiceEvent;
import javax.jmdns.ServiceInfo;
import javax.jmdns.ServiceListener;

/** Browses {@value AnnouncementTxt#SERVICE_TYPE} with JmDNS on one address and feeds an {@link AgentTable}. */
public final class JmdnsBrowser implements Closeable {
    private static final System.Logger LOG = System.getLogger(JmdnsBrowser.class.getName());
    /** Resolution is asynchronous: answers arrive as serviceResolved, so the request must not block. */
    private static final long RESOLVE_REQUEST_TIMEOUT_MS = 1;

    private final JmDNS jmdns;
    private final ServiceListener listener;

    private JmdnsBrowser(JmDNS jmdns, ServiceListener listener) {
        this.jmdns = jmdns;
        this.listener = listener;
    }

    public static JmdnsBrowser open(InetAddress bindAddress, AgentTable table) throws IOException {
        JmDNS jmdns = JmDNS.create(bindAddress, "vtpm-migrate-browser");
        ServiceListener listener = new TableUpdater(table);
        jmdns.addServiceListener(AnnouncementTxt.SERVICE_TYPE, listener);
        return new JmdnsBrowser(jmdns, listener);
    }

    @Override
    public void close() throws IOException {
        jmdns.removeServiceListener(AnnouncementTxt.SERVICE_TYPE, listener);
        jmdns.close();
    }

    /** Never lets an exception escape: these run on JmDNS's threads, which must keep serving. */
    private static final class TableUpdater implements ServiceListener {
        private final AgentTable table;

        TableUpdater(AgentTable table) {
            this.table = table;
        }

        @Override
        public void serviceAdded(ServiceEvent event) {
            try {
                if (table.hasRoomFor(event.getName())) {
                    event.getDNS().requestServiceInfo(event.getType(), event.getName(), RESOLVE_REQUEST_TIMEOUT_MS);
                } else {
                    LOG.log(Level.WARNING, "DNS-SD service ''{0}'' not resolved: already {1} agents listed",
                            event.getName(), AgentTable.MAX_AGENTS);
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "DNS-SD service '" + event.getName() + "' could not be resolved", e);
            }
        }

        @Override
        public void serviceRemoved(ServiceEvent event) {
            try {
                table.removed(event.getName());
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "DNS-SD removal of '" + event.getName() + "' not recorded", e);
            }
        }

        @Override
        public void serviceResolved(ServiceEvent event) {
            try {
                ServiceInfo info = event.getInfo();
                if (!info.hasData()) {
                    // JmDNS also reports services whose TXT or address has not arrived yet; judging them
                    // now would reject agents that are fine a moment later
                    LOG.log(Level.DEBUG, "DNS-SD service ''{0}'' not complete yet", event.getName());
                    return;
                }
                List<InetAddress> addresses = new ArrayList<>(Arrays.asList(info.getInet4Addresses()));
                addresses.addAll(Arrays.asList(info.getInet6Addresses()));
                table.resolved(event.getName(), info.getPort(), info.getTextBytes(), addresses);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "DNS-SD service '" + event.getName() + "' not recorded", e);
            }
        }
    }
}
