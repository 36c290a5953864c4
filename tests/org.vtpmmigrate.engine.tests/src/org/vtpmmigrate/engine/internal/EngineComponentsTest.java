package org.vtpmmigrate.engine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
import org.vtpmmigrate.hypervisor.VtpmStore;
import org.vtpmmigrate.testsupport.Await;

/** The engine's DS components inside a real OSGi framework, configured through Configuration Admin. */
class EngineComponentsTest {
    private static final long TIMEOUT_MS = 60_000;
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
    void agentIsAbsentWithoutConfigurationAndRunsItsHostWithIt() throws Exception {
        context.getBundle().start();
        assertNull(context.getServiceReference(Agent.class), "no agent before it is configured");

        // a simulated platform TPM: manufactured here, run by the agent's host
        Path dir = Files.createTempDirectory("vtpm-component-test");
        VtpmStore.open(dir.resolve("platform-tpm")).create("platform", Duration.ofSeconds(60));
        ConfigurationAdmin admin = await(ConfigurationAdmin.class);
        assertNotNull(admin, "Configuration Admin is running");
        configuration = admin.getConfiguration(EngineAgent.PID, "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("host.id", "component-test");
        props.put("tpm.connector", "simulated:" + dir.resolve("platform-tpm"));
        props.put("data.dir", dir.resolve("data").toString());
        props.put("peer.port", "0");
        configuration.update(props);

        Agent agent = await(Agent.class);
        assertNotNull(agent, "the agent component became active within " + TIMEOUT_MS + " ms");
        AgentInfo info = agent.info();
        assertEquals("component-test", info.hostId());
        assertTrue(info.engineVersion().startsWith("0.1.0"), info.engineVersion());
        assertTrue(info.tpmDescription().contains("answering"), "the platform TPM answers: " + info.tpmDescription());
        assertTrue(agent.endpoints().peerPort() > 0, "the engine listens for peers");
        assertTrue(agent.endpoints().managementPort().isEmpty(), "no management certificate, no management API");
        assertNotNull(await(AgentCommands.class), "the vtpm:info shell command is registered");
        assertTrue(Files.exists(dir.resolve("data").resolve("attestation-log.jsonl")), "the attestation log is open");

        configuration.delete();
        configuration = null;
        Await.until(() -> context.getServiceReference(Agent.class) == null, Duration.ofSeconds(30),
                "the agent to go away with its configuration");
    }
}
