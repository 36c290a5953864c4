package org.vtpmmigrate.discovery.internal;

import java.io.IOException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.vtpmmigrate.discovery.AgentAnnouncement;
import org.vtpmmigrate.discovery.DnsSdAnnouncer;
import org.vtpmmigrate.engine.Agent;
import org.vtpmmigrate.engine.AgentEndpoints;

/**
 * Announces the running agent by DNS-SD ({@code _vtpm-migrate._tcp}) when its configuration asks
 * for it, and withdraws the announcement when the agent stops. An interface without multicast (a
 * loopback-only host) is logged and otherwise ignored: the agent works without being announced.
 */
@Component(immediate = true)
public class AgentAnnouncerComponent {
    private static final System.Logger LOG = System.getLogger(AgentAnnouncerComponent.class.getName());

    @Reference
    private Agent agent;

    private DnsSdAnnouncer announcer;

    @Activate
    void activate() {
        AgentEndpoints endpoints = agent.endpoints();
        if (!endpoints.announce() || endpoints.managementPort().isEmpty()) {
            return;
        }
        String hostId = agent.info().hostId();
        try {
            announcer = DnsSdAnnouncer.start(endpoints.address(), new AgentAnnouncement(hostId,
                    endpoints.managementPort().getAsInt(), endpoints.peerPort(), tpmKind(agent.info().tpmConnector())));
            LOG.log(System.Logger.Level.INFO, "agent {0} announced by DNS-SD on {1}", hostId,
                    endpoints.address().getHostAddress());
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "agent {0} not announced by DNS-SD on {1}: {2}", hostId,
                    endpoints.address().getHostAddress(), e.getMessage());
        }
    }

    @Deactivate
    void deactivate() {
        if (announcer != null) {
            try {
                announcer.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "DNS-SD announcement not withdrawn: {0}", e.getMessage());
            }
        }
    }

    /** The connector's kind: {@code device}, {@code swtpm} or {@code simulated}. */
    static String tpmKind(String connector) {
        int colon = connector.indexOf(':');
        return colon < 0 ? connector : connector.substring(0, colon);
    }
}
