package org.vtpmmigrate.engine.internal;

import java.util.Map;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.vtpmmigrate.engine.Agent;
import org.vtpmmigrate.engine.AgentEndpoints;
import org.vtpmmigrate.engine.AgentInfo;
import org.vtpmmigrate.engine.internal.host.EngineHost;
import org.vtpmmigrate.protocol.PlatformException;
import org.vtpmmigrate.tpm.PcrSelection;

/**
 * The host's agent: once it has a valid configuration it starts the host (platform TPM, engine,
 * attestation log, management API) and stops it when deactivated. A changed configuration restarts
 * the host (DS deactivates and activates the component again), because ports and the TPM cannot be
 * swapped under running migrations.
 */
@Component(configurationPid = EngineAgent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
public class EngineAgent implements Agent {
    /** Configuration PID of the agent; permanent API, chosen with care. */
    public static final String PID = "org.vtpmmigrate.agent";
    private static final System.Logger LOG = System.getLogger(EngineAgent.class.getName());

    private AgentSettings settings;
    private EngineHost host;
    private String engineVersion;
    private String frameworkVersion;

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) throws Exception {
        engineVersion = context.getBundle().getVersion().toString();
        Bundle system = context.getBundle(0);
        frameworkVersion = system.getSymbolicName() + " " + system.getVersion();
        settings = AgentSettings.parse(properties);
        try {
            host = EngineHost.start(settings);
        } catch (EngineHost.StartException e) {
            if (context.getProperty(ConfigFileLoader.CONFIG_FILE_PROPERTY) != null) {
                // started from a file by the launcher: a host that cannot run ends the agent with the reason
                ConfigFileLoader.refuse(context, e.getMessage());
            }
            throw e;
        }
        LOG.log(System.Logger.Level.INFO, "agent {0} active, platform TPM {1}", settings.hostId(),
                settings.tpmConnector());
    }

    @Deactivate
    void deactivate() {
        if (host != null) {
            host.close();
        }
        LOG.log(System.Logger.Level.INFO, "agent {0} stopped", settings.hostId());
    }

    @Override
    public AgentInfo info() {
        return new AgentInfo(settings.hostId(), settings.tpmConnector(), describeTpm(), engineVersion,
                Runtime.version().toString(), frameworkVersion);
    }

    @Override
    public AgentEndpoints endpoints() {
        return new AgentEndpoints(settings.bindAddress(), host.engine().identity().peerAddress().port(),
                host.managementAddress().map(a -> java.util.OptionalInt.of(a.getPort()))
                        .orElse(java.util.OptionalInt.empty()), settings.announce());
    }

    /** Reads a PCR through the host's own connection, so a TPM that stopped answering shows here. */
    private String describeTpm() {
        try {
            host.engine().platform().readPcrs(PcrSelection.of(org.vtpmmigrate.tpm.PcrBank.SHA256, 0));
            return host.engine().identity().tpmEndpoint() + " answering, AK "
                    + host.engine().identity().attestationKeyName();
        } catch (PlatformException e) {
            return "unreachable: " + e.getMessage();
        }
    }
}
