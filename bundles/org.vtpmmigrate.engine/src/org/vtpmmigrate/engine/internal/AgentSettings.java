package org.vtpmmigrate.engine.internal;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.vtpmmigrate.tpm.TpmEndpoint;

/**
 * An agent's configuration, validated. The file is a Java properties file; every key is known,
 * so a typo is an error rather than a silently ignored setting.
 */
public final class AgentSettings {
    public static final String HOST_ID = "host.id";
    public static final String TPM_CONNECTOR = "tpm.connector";
    public static final String DATA_DIR = "data.dir";
    public static final String PEER_PORT = "peer.port";
    public static final String MANAGEMENT_PORT = "management.port";
    public static final String LOG_FILE = "log.file";

    private static final Set<String> KNOWN_KEYS = Set.of(HOST_ID, TPM_CONNECTOR, DATA_DIR, PEER_PORT,
            MANAGEMENT_PORT, LOG_FILE);
    private static final Pattern HOST_ID_PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private final String hostId;
    private final String tpmConnector;
    private final Path dataDir;
    private final int peerPort;
    private final int managementPort;

    private AgentSettings(String hostId, String tpmConnector, Path dataDir, int peerPort, int managementPort) {
        this.hostId = hostId;
        this.tpmConnector = tpmConnector;
        this.dataDir = dataDir;
        this.peerPort = peerPort;
        this.managementPort = managementPort;
    }

    /** Validates raw key/value pairs; the exception names the key at fault and why. */
    public static AgentSettings parse(Map<String, ?> raw) throws InvalidSettingException {
        Set<String> unknown = new TreeSet<>();
        for (String key : raw.keySet()) {
            if (!KNOWN_KEYS.contains(key) && !isFrameworkKey(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new InvalidSettingException(unknown.iterator().next(), "unknown key (known: " + new TreeSet<>(KNOWN_KEYS) + ")");
        }
        String hostId = required(raw, HOST_ID);
        if (!HOST_ID_PATTERN.matcher(hostId).matches()) {
            throw new InvalidSettingException(HOST_ID, "'" + hostId + "' must be 1-63 letters, digits, '.', '_' or '-'");
        }
        String connector = required(raw, TPM_CONNECTOR);
        try {
            TpmEndpoint.parse(connector);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(TPM_CONNECTOR, e.getMessage());
        }
        Path dataDir = Paths.get(required(raw, DATA_DIR)).toAbsolutePath();
        int peerPort = port(raw, PEER_PORT, 7710);
        int managementPort = port(raw, MANAGEMENT_PORT, 7711);
        if (peerPort == managementPort) {
            throw new InvalidSettingException(MANAGEMENT_PORT, "must differ from " + PEER_PORT + " (" + peerPort + ")");
        }
        return new AgentSettings(hostId, connector, dataDir, peerPort, managementPort);
    }

    /** DS and ConfigAdmin add their own keys (service.pid, component.name ...) to a configuration. */
    private static boolean isFrameworkKey(String key) {
        return key.startsWith("service.") || key.startsWith("component.") || key.startsWith("osgi.")
                || key.startsWith("felix.") || key.equals("objectClass");
    }

    private static String required(Map<String, ?> raw, String key) throws InvalidSettingException {
        Object v = raw.get(key);
        if (v == null || v.toString().isBlank()) {
            throw new InvalidSettingException(key, "is required");
        }
        return v.toString().trim();
    }

    private static int port(Map<String, ?> raw, String key, int fallback) throws InvalidSettingException {
        Object v = raw.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            int port = Integer.parseInt(v.toString().trim());
            if (port < 1 || port > 65535) {
                throw new InvalidSettingException(key, port + " is not a TCP port (1-65535)");
            }
            return port;
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(key, "'" + v + "' is not a number");
        }
    }

    public String hostId() { return hostId; }

    public String tpmConnector() { return tpmConnector; }

    public Path dataDir() { return dataDir; }

    public int peerPort() { return peerPort; }

    public int managementPort() { return managementPort; }

    /** A setting that cannot be used, with the key it belongs to. */
    public static final class InvalidSettingException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String key;

        public InvalidSettingException(String key, String reason) {
            super(key + ": " + reason);
            this.key = key;
        }

        public String key() { return key; }
    }
}
