package org.vtpmmigrate.engine.internal;

import java.util.Map;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.vtpmmigrate.engine.Agent;
import org.vtpmmigrate.engine.AgentInfo;

/** The host's agent: active once it has a valid configuration. */
@Component(configurationPid = EngineAgent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
public class EngineAgent implements Agent {
    /** Configuration PID of the agent; permanent API, chosen with care. */
    public static final String PID = "org.vtpmmigrate.agent";
    private static final System.Logger LOG = System.getLogger(EngineAgent.class.getName());

    private volatile AgentSettings settings;
    private String engineVersion;
    private String frameworkVersion;

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) throws AgentSettings.InvalidSettingException {
        engineVersion = context.getBundle().getVersion().toString();
        Bundle system = context.getBundle(0);
        frameworkVersion = system.getSymbolicName() + " " + system.getVersion();
        modified(properties);
        LOG.log(System.Logger.Level.INFO, "agent {0} active, platform TPM {1}", settings.hostId(),
                settings.tpmConnector());
    }

    @Deactivate
    void deactivate() {
        LOG.log(System.Logger.Level.INFO, "agent {0} stopped", settings.hostId());
    }

    @Modified
    void modified(Map<String, Object> properties) throws AgentSettings.InvalidSettingException {
        settings = AgentSettings.parse(properties);
    }

    @Override
    public AgentInfo info() {
        AgentSettings s = settings;
        return new AgentInfo(s.hostId(), s.tpmConnector(), PlatformTpmProbe.describe(s.tpmConnector()),
                engineVersion, Runtime.version().toString(), frameworkVersion);
    }
}
