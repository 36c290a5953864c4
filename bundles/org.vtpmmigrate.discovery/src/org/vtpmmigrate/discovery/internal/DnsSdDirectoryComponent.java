package org.vtpmmigrate.discovery.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.vtpmmigrate.discovery.DnsSdDirectory;
import org.vtpmmigrate.discovery.HostDirectory;
import org.vtpmmigrate.discovery.HostEntry;

/**
 * The DNS-SD directory as a service, for the console and agents. Runs only when configured, so deleting the
 * configuration turns DNS-SD browsing off; a changed configuration restarts it on the new address.
 */
@Component(service = HostDirectory.class, configurationPid = DnsSdDirectoryComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, property = "source=dns-sd")
public class DnsSdDirectoryComponent implements HostDirectory {
    public static final String PID = "org.vtpmmigrate.discovery.dnssd";
    private static final System.Logger LOG = System.getLogger(DnsSdDirectoryComponent.class.getName());

    private DnsSdDirectory directory;

    @interface Config {
        /** IP address whose interface is browsed, e.g. the management address. */
        String bindAddress();
    }

    @Activate
    void activate(Config config) throws IOException {
        InetAddress address = InetAddress.getByName(config.bindAddress());
        directory = DnsSdDirectory.open(address);
        LOG.log(System.Logger.Level.INFO, "browsing DNS-SD on {0}", address.getHostAddress());
    }

    @Deactivate
    void deactivate() throws IOException {
        directory.close();
    }

    @Override
    public List<HostEntry> hosts() {
        return directory.hosts();
    }
}
