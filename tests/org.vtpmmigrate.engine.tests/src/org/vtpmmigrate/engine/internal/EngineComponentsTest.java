package org.vtpmmigrate.engine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Hashtable;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;
import org.vtpmmigrate.engine.Agent;
import org.vtpmmigrate.engine.AgentInfo;

/** The engine's DS components inside a real OSGi framework, configured through Configuration Admin. */
class EngineComponentsTest {
    private static final long TIMEOUT_MS = 20_000;
    private final BundleContext context = FrameworkUtil.getBundle(EngineComponentsTest.class).getBundleContext();
    private Configuration configuration;

    @AfterEach
    void deleteConfiguration() throws Exception {
        if (configuration != null) {
            configuration.delete();
        }
    }

    private <T> T await(Class<T> type) throws InterruptedException {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, type, null);
        tracker.open();
        try {
            return tracker.waitForService(TIMEOUT_MS);
        } finally {
            tracker.close();
        }
    }

    @Test
    void agentIsAbsentWithoutConfigurationAndActiveWithIt() throws Exception {
        context.getBundle().start();
        assertNull(context.getServiceReference(Agent.class), "no agent before it is configured");

        ConfigurationAdmin admin = await(ConfigurationAdmin.class);
        assertNotNull(admin, "Configuration Admin is running");
        configuration = admin.getConfiguration(EngineAgent.PID, "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("host.id", "component-test");
        props.put("tpm.connector", "swtpm:127.0.0.1:1");
        props.put("data.dir", System.getProperty("java.io.tmpdir"));
        configuration.update(props);

        Agent agent = await(Agent.class);
        assertNotNull(agent, "the agent component became active within " + TIMEOUT_MS + " ms");
        AgentInfo info = agent.info();
        assertEquals("component-test", info.hostId());
        assertEquals("swtpm:127.0.0.1:1", info.tpmConnector());
        assertTrue(info.engineVersion().startsWith("0.1.0"), info.engineVersion());
        assertTrue(info.tpmDescription().startsWith("unreachable: 127.0.0.1:1"),
                "nothing listens on port 1, and the agent says so: " + info.tpmDescription());
        assertNotNull(await(AgentCommands.class), "the vtpm:info shell command is registered");
    }
}
