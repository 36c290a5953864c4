package org.vtpmmigrate.console.model;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.eclipse.core.runtime.preferences.IEclipsePreferences;
import org.eclipse.core.runtime.preferences.InstanceScope;
import org.osgi.service.prefs.BackingStoreException;

/**
 * Keeps {@link ConsoleSettings} in the console's instance preferences (the workspace's
 * {@code .metadata}). The key passphrase is never stored. Entries that no longer parse (a hand-edited
 * preference file) are dropped with a note instead of stopping the console.
 */
public final class SettingsStore {
    static final String NODE = "org.vtpmmigrate.console";
    private static final String ADMINISTRATOR_CA = "administratorCa";
    private static final String IDENTITY_CERTIFICATE = "identityCertificate";
    private static final String IDENTITY_KEY = "identityKey";
    private static final String EK_CAS = "ekCaCertificates";
    private static final String INVENTORY = "inventoryFile";
    private static final String DISCOVERY = "discoveryEnabled";
    private static final String ADDED_HOSTS = "addedHosts";
    private static final String REFRESH_SECONDS = "refreshSeconds";
    private static final System.Logger LOG = System.getLogger(SettingsStore.class.getName());

    private final IEclipsePreferences node;

    public SettingsStore() {
        this(InstanceScope.INSTANCE.getNode(NODE));
    }

    SettingsStore(IEclipsePreferences node) {
        this.node = node;
    }

    public ConsoleSettings load() {
        List<ConsoleSettings.AddedHost> hosts = new ArrayList<>();
        for (String line : lines(ADDED_HOSTS)) {
            String[] parts = line.split(" ", 2);
            try {
                if (parts.length == 2) {
                    hosts.add(new ConsoleSettings.AddedHost(parts[0], new URI(parts[1])));
                }
            } catch (URISyntaxException e) {
                LOG.log(System.Logger.Level.WARNING, "added host dropped, address does not parse: " + line);
            }
        }
        List<Path> ekCas = new ArrayList<>();
        for (String line : lines(EK_CAS)) {
            path(line).ifPresent(ekCas::add);
        }
        return new ConsoleSettings(path(node.get(ADMINISTRATOR_CA, "")), path(node.get(IDENTITY_CERTIFICATE, "")),
                path(node.get(IDENTITY_KEY, "")), bounded(ekCas), path(node.get(INVENTORY, "")),
                node.getBoolean(DISCOVERY, true), bounded(hosts), refreshSeconds());
    }

    private int refreshSeconds() {
        int seconds = node.getInt(REFRESH_SECONDS, ConsoleSettings.DEFAULT_REFRESH_SECONDS);
        if (seconds < 0 || seconds > ConsoleSettings.MAX_REFRESH_SECONDS) {
            LOG.log(System.Logger.Level.WARNING, "refresh interval dropped, out of range: " + seconds);
            return ConsoleSettings.DEFAULT_REFRESH_SECONDS;
        }
        return seconds;
    }

    /** Stores the settings and flushes them to disk. */
    public void save(ConsoleSettings settings) throws BackingStoreException {
        node.put(ADMINISTRATOR_CA, text(settings.administratorCa()));
        node.put(IDENTITY_CERTIFICATE, text(settings.identityCertificate()));
        node.put(IDENTITY_KEY, text(settings.identityKey()));
        node.put(EK_CAS, String.join("\n", settings.ekCaCertificates().stream().map(Path::toString).toList()));
        node.put(INVENTORY, text(settings.inventoryFile()));
        node.putBoolean(DISCOVERY, settings.discoveryEnabled());
        node.put(ADDED_HOSTS, String.join("\n",
                settings.addedHosts().stream().map(h -> h.hostId() + " " + h.baseUri()).toList()));
        node.putInt(REFRESH_SECONDS, settings.refreshSeconds());
        node.flush();
    }

    private List<String> lines(String key) {
        return node.get(key, "").lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static <T> List<T> bounded(List<T> list) {
        return list.size() > ConsoleSettings.MAX_ENTRIES ? list.subList(0, ConsoleSettings.MAX_ENTRIES) : list;
    }

    private static Optional<Path> path(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(text.strip()));
        } catch (InvalidPathException e) {
            LOG.log(System.Logger.Level.WARNING, "setting dropped, not a path: " + text);
            return Optional.empty();
        }
    }

    private static String text(Optional<Path> path) {
        return path.map(Path::toString).orElse("");
    }
}
