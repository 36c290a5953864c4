package org.vtpmmigrate.discovery.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.vtpmmigrate.discovery.HostDirectory;
import org.vtpmmigrate.discovery.HostEntry;

/** The hosts listed in the configured inventory file; re-read when the configuration changes. */
@Component(configurationPid = InventoryDirectory.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = "source=inventory")
public class InventoryDirectory implements HostDirectory {
    public static final String PID = "org.vtpmmigrate.discovery.inventory";
    private static final System.Logger LOG = System.getLogger(InventoryDirectory.class.getName());

    private volatile List<HostEntry> hosts = List.of();

    @interface Config {
        String file();
    }

    @Activate
    @Modified
    void configure(Config config) {
        Path file = Paths.get(config.file());
        try {
            hosts = InventoryFile.read(file);
            LOG.log(System.Logger.Level.INFO, "inventory {0}: {1} hosts", file, hosts.size());
        } catch (IOException e) {
            // keep what was known: a broken edit must not make every host disappear
            LOG.log(System.Logger.Level.ERROR, "inventory not reloaded: " + e.getMessage());
        }
    }

    @Override
    public List<HostEntry> hosts() {
        return hosts;
    }
}
