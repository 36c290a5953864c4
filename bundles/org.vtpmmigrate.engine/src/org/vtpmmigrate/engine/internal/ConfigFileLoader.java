package org.vtpmmigrate.engine.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import java.util.Properties;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Feeds the agent's configuration file into Configuration Admin, so the agent component is configured
 * the OSGi way (and reconfigurable at run time), while administrators edit one plain file.
 * A file that does not validate stops the agent with the key at fault instead of half-starting it.
 */
@Component(immediate = true)
public class ConfigFileLoader {
    static final String CONFIG_FILE_PROPERTY = "vtpm.agent.config";
    static final String FAILURE_PROPERTY = "vtpm.agent.failure";
    private static final System.Logger LOG = System.getLogger(ConfigFileLoader.class.getName());

    @Reference
    private ConfigurationAdmin configurationAdmin;

    @Activate
    void activate(BundleContext context) {
        String file = context.getProperty(CONFIG_FILE_PROPERTY);
        if (file == null) {
            LOG.log(System.Logger.Level.INFO, "no {0} set: the agent waits for a configuration from Configuration Admin",
                    CONFIG_FILE_PROPERTY);
            return;
        }
        Path path = Paths.get(file);
        try {
            Map<String, String> raw = load(path);
            AgentSettings.parse(raw);
            Configuration configuration = configurationAdmin.getConfiguration(EngineAgent.PID, "?");
            Dictionary<String, Object> dictionary = new Hashtable<>(raw);
            configuration.updateIfDifferent(dictionary);
            LOG.log(System.Logger.Level.INFO, "configuration loaded from {0}", path);
        } catch (AgentSettings.InvalidSettingException e) {
            refuse(context, "configuration " + path + ": " + e.getMessage());
        } catch (IOException | IllegalArgumentException e) {
            refuse(context, "configuration " + path + " cannot be read: " + e.getMessage());
        }
    }

    static Map<String, String> load(Path path) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(path)) {
            properties.load(in);
        }
        Map<String, String> raw = new HashMap<>();
        properties.stringPropertyNames().forEach(k -> raw.put(k, properties.getProperty(k)));
        return raw;
    }

    /** Logs the reason and stops the framework; the launcher turns the recorded reason into exit code 2. */
    static void refuse(BundleContext context, String reason) {
        LOG.log(System.Logger.Level.ERROR, reason);
        System.setProperty(FAILURE_PROPERTY, reason);
        Thread stopper = new Thread(() -> {
            try {
                context.getBundle(0).stop();
            } catch (BundleException | IllegalStateException e) {
                LOG.log(System.Logger.Level.ERROR, "framework stop failed", e);
            }
        }, "vtpm-agent-refuse-config");
        stopper.start();
    }
}
