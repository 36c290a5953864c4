package org.vtpmmigrate.engine.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.vtpmmigrate.tpm.TpmEndpoint;

/**
 * An agent's configuration, validated. The file is a Java properties file; every key is known,
 * so a typo is an error rather than a silently ignored setting. Paths are made absolute.
 */
public final class AgentSettings {
    public static final String HOST_ID = "host.id";
    public static final String TPM_CONNECTOR = "tpm.connector";
    public static final String DATA_DIR = "data.dir";
    public static final String BIND_ADDRESS = "bind.address";
    public static final String PEER_PORT = "peer.port";
    public static final String MANAGEMENT_PORT = "management.port";
    public static final String LOG_FILE = "log.file";
    public static final String EK_CA = "tpm.ek.ca";
    public static final String EK_INTERMEDIATES = "tpm.ek.intermediates";
    public static final String MANAGEMENT_CERTIFICATE = "management.certificate";
    public static final String MANAGEMENT_KEY = "management.key";
    public static final String MANAGEMENT_CA = "management.ca";
    public static final String VM_DIR = "vm.dir";
    public static final String POLICY_DIR = "policy.dir";
    public static final String DISCOVERY_ANNOUNCE = "discovery.announce";
    public static final String FIRMWARE_EVENT_LOG = "tpm.firmware.event.log";
    /** Where Linux exposes the firmware's TPM event log of this boot. */
    public static final String LINUX_FIRMWARE_EVENT_LOG = "/sys/kernel/security/tpm0/binary_bios_measurements";
    public static final String SIMULATION_FIRMWARE = "simulation.boot.firmware";
    public static final String SIMULATION_BOOT_LOADER = "simulation.boot.loader";
    public static final String SIMULATION_FAULT = "simulation.fault";

    /** {@code simulated:DIR}: the agent runs an swtpm on the platform TPM state manufactured in DIR. */
    public static final String SIMULATED_PREFIX = "simulated:";
    /** The one fault a simulated host can be told to commit: its PCRs change right after its bound key. */
    public static final String FAULT_PCR_CHANGE_AFTER_BOUND_KEY = "pcr-change-after-bound-key";

    private static final Set<String> KNOWN_KEYS = Set.of(HOST_ID, TPM_CONNECTOR, DATA_DIR, BIND_ADDRESS, PEER_PORT,
            MANAGEMENT_PORT, LOG_FILE, EK_CA, EK_INTERMEDIATES, MANAGEMENT_CERTIFICATE, MANAGEMENT_KEY, MANAGEMENT_CA,
            VM_DIR, POLICY_DIR, DISCOVERY_ANNOUNCE, FIRMWARE_EVENT_LOG, SIMULATION_FIRMWARE, SIMULATION_BOOT_LOADER, SIMULATION_FAULT);
    private static final Set<String> SIMULATION_KEYS = Set.of(SIMULATION_FIRMWARE, SIMULATION_BOOT_LOADER,
            SIMULATION_FAULT);
    private static final Pattern HOST_ID_PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final int MAX_TEXT = 256;

    /** Files of the management API's TLS identity. */
    public record ManagementTls(Path certificate, Path key, Path caCertificate) {
    }

    /** What a simulated platform TPM measures at boot, and whether it misbehaves. */
    public record Simulation(Path platformStore, String firmware, String bootLoader, boolean pcrChangeAfterBoundKey) {
    }

    private final String hostId;
    private final String tpmConnector;
    private final Path dataDir;
    private final InetAddress bindAddress;
    private final int peerPort;
    private final int managementPort;
    private final List<Path> ekCas;
    private final List<Path> ekIntermediates;
    private final Optional<ManagementTls> managementTls;
    private final Path vmDir;
    private final Path policyDir;
    private final boolean announce;
    private final Optional<Path> firmwareEventLog;
    private final Optional<Simulation> simulation;

    private AgentSettings(Map<String, ?> raw) throws InvalidSettingException {
        hostId = required(raw, HOST_ID);
        if (!HOST_ID_PATTERN.matcher(hostId).matches()) {
            throw new InvalidSettingException(HOST_ID, "'" + hostId + "' must be 1-63 letters, digits, '.', '_' or '-'");
        }
        tpmConnector = required(raw, TPM_CONNECTOR);
        dataDir = path(DATA_DIR, required(raw, DATA_DIR));
        simulation = simulation(raw, tpmConnector);
        bindAddress = address(raw);
        peerPort = port(raw, PEER_PORT, 7710);
        managementPort = port(raw, MANAGEMENT_PORT, 7711);
        if (peerPort != 0 && peerPort == managementPort) {
            throw new InvalidSettingException(MANAGEMENT_PORT, "must differ from " + PEER_PORT + " (" + peerPort + ")");
        }
        ekCas = paths(raw, EK_CA);
        ekIntermediates = paths(raw, EK_INTERMEDIATES);
        managementTls = managementTls(raw);
        vmDir = optional(raw, VM_DIR).map(v -> path(VM_DIR, v)).orElse(dataDir.resolve("vms"));
        policyDir = optional(raw, POLICY_DIR).map(v -> path(POLICY_DIR, v)).orElse(dataDir.resolve("policies"));
        announce = bool(raw, DISCOVERY_ANNOUNCE, true);
        // a TPM device's firmware measured the boot: its log is the kernel's, unless configured
        String defaultLog = tpmConnector.startsWith("device") ? LINUX_FIRMWARE_EVENT_LOG : null;
        firmwareEventLog = optional(raw, FIRMWARE_EVENT_LOG).or(() -> Optional.ofNullable(defaultLog))
                .map(v -> path(FIRMWARE_EVENT_LOG, v));
        if (simulation.isPresent() && firmwareEventLog.isPresent()) {
            throw new InvalidSettingException(FIRMWARE_EVENT_LOG, "a simulated platform TPM measures its own boot");
        }
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
        try {
            return new AgentSettings(raw);
        } catch (InvalidPathException e) {
            throw new InvalidSettingException(e.key, e.getMessage());
        }
    }

    private static Optional<Simulation> simulation(Map<String, ?> raw, String connector) throws InvalidSettingException {
        boolean simulated = connector.startsWith(SIMULATED_PREFIX);
        if (!simulated) {
            try {
                TpmEndpoint.parse(connector);
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(TPM_CONNECTOR, e.getMessage() + " (or simulated:DIR for a test host)");
            }
            for (String key : SIMULATION_KEYS) {
                if (raw.containsKey(key)) {
                    throw new InvalidSettingException(key, "only a simulated platform TPM (" + TPM_CONNECTOR
                            + "=simulated:DIR) can be told how it booted or how to misbehave");
                }
            }
            return Optional.empty();
        }
        String dir = connector.substring(SIMULATED_PREFIX.length());
        if (dir.isBlank()) {
            throw new InvalidSettingException(TPM_CONNECTOR, "simulated: needs the directory of the platform TPM state");
        }
        String fault = optional(raw, SIMULATION_FAULT).orElse("none");
        if (!fault.equals("none") && !fault.equals(FAULT_PCR_CHANGE_AFTER_BOUND_KEY)) {
            throw new InvalidSettingException(SIMULATION_FAULT, "'" + fault + "' is not none or "
                    + FAULT_PCR_CHANGE_AFTER_BOUND_KEY);
        }
        return Optional.of(new Simulation(path(TPM_CONNECTOR, dir),
                text(raw, SIMULATION_FIRMWARE, "vtpm-migrate simulated firmware 1.0"),
                text(raw, SIMULATION_BOOT_LOADER, "vtpm-migrate simulated boot loader 1.0"),
                fault.equals(FAULT_PCR_CHANGE_AFTER_BOUND_KEY)));
    }

    private static Optional<ManagementTls> managementTls(Map<String, ?> raw) throws InvalidSettingException {
        List<String> keys = List.of(MANAGEMENT_CERTIFICATE, MANAGEMENT_KEY, MANAGEMENT_CA);
        List<String> present = keys.stream().filter(k -> optional(raw, k).isPresent()).toList();
        if (present.isEmpty()) {
            return Optional.empty();
        }
        for (String key : keys) {
            if (!present.contains(key)) {
                throw new InvalidSettingException(key, "is required with " + present.get(0)
                        + " (the management API needs its certificate, key and the administrator CA)");
            }
        }
        return Optional.of(new ManagementTls(path(MANAGEMENT_CERTIFICATE, required(raw, MANAGEMENT_CERTIFICATE)),
                path(MANAGEMENT_KEY, required(raw, MANAGEMENT_KEY)), path(MANAGEMENT_CA, required(raw, MANAGEMENT_CA))));
    }

    private static InetAddress address(Map<String, ?> raw) throws InvalidSettingException {
        String value = optional(raw, BIND_ADDRESS).orElse("127.0.0.1");
        // literal addresses only: a name would be resolved at start and silently bind elsewhere later
        if (!value.matches("[0-9.]{7,15}|[0-9A-Fa-f:]{2,45}")) {
            throw new InvalidSettingException(BIND_ADDRESS, "'" + value + "' is not an IPv4 or IPv6 address literal");
        }
        try {
            return InetAddress.getByName(value);
        } catch (UnknownHostException e) {
            throw new InvalidSettingException(BIND_ADDRESS, "'" + value + "' is not an address: " + e.getMessage());
        }
    }

    /** DS and ConfigAdmin add their own keys (service.pid, component.name ...) to a configuration. */
    private static boolean isFrameworkKey(String key) {
        return key.startsWith("service.") || key.startsWith("component.") || key.startsWith("osgi.")
                || key.startsWith("felix.") || key.equals("objectClass");
    }

    private static Optional<String> optional(Map<String, ?> raw, String key) {
        Object v = raw.get(key);
        return v == null || v.toString().isBlank() ? Optional.empty() : Optional.of(v.toString().trim());
    }

    private static String required(Map<String, ?> raw, String key) throws InvalidSettingException {
        return optional(raw, key).orElseThrow(() -> new InvalidSettingException(key, "is required"));
    }

    private static String text(Map<String, ?> raw, String key, String fallback) throws InvalidSettingException {
        String value = optional(raw, key).orElse(fallback);
        if (value.length() > MAX_TEXT || !value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new InvalidSettingException(key, "must be at most " + MAX_TEXT + " printable ASCII characters");
        }
        return value;
    }

    private static boolean bool(Map<String, ?> raw, String key, boolean fallback) throws InvalidSettingException {
        String value = optional(raw, key).orElse(Boolean.toString(fallback));
        if (!value.equals("true") && !value.equals("false")) {
            throw new InvalidSettingException(key, "'" + value + "' is not true or false");
        }
        return Boolean.parseBoolean(value);
    }

    private static List<Path> paths(Map<String, ?> raw, String key) {
        List<Path> out = new ArrayList<>();
        for (String part : optional(raw, key).orElse("").split(",")) {
            if (!part.isBlank()) {
                out.add(path(key, part.trim()));
            }
        }
        return List.copyOf(out);
    }

    private static Path path(String key, String value) {
        try {
            return Paths.get(value).toAbsolutePath().normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new InvalidPathException(key, "'" + value + "' is not a path: " + e.getMessage());
        }
    }

    private static int port(Map<String, ?> raw, String key, int fallback) throws InvalidSettingException {
        Object v = raw.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            int port = Integer.parseInt(v.toString().trim());
            if (port < 0 || port > 65535) {
                throw new InvalidSettingException(key, port + " is not a TCP port (1-65535, or 0 for any free one)");
            }
            return port;
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(key, "'" + v + "' is not a number");
        }
    }

    public String hostId() { return hostId; }

    /** As configured: {@code swtpm:HOST:PORT}, {@code device[:PATH]} or {@code simulated:DIR}. */
    public String tpmConnector() { return tpmConnector; }

    public Path dataDir() { return dataDir; }

    public InetAddress bindAddress() { return bindAddress; }

    /** 0: any free port (the host reports the one it got). */
    public int peerPort() { return peerPort; }

    /** 0: any free port (the host reports the one it got). */
    public int managementPort() { return managementPort; }

    /** Trusted root CA certificates of peers' EK certificates (PEM or DER files). */
    public List<Path> ekCas() { return ekCas; }

    public List<Path> ekIntermediates() { return ekIntermediates; }

    /** Empty: the management API is off. */
    public Optional<ManagementTls> managementTls() { return managementTls; }

    /** VM definitions ({@code *.vm} files), defined at start. */
    public Path vmDir() { return vmDir; }

    /** Stored policies ({@code <id>.json}). */
    public Path policyDir() { return policyDir; }

    /** Whether the agent announces itself by DNS-SD. */
    public boolean announce() { return announce; }

    /** The firmware's event log of this boot, for a platform TPM the firmware measured. */
    public Optional<Path> firmwareEventLog() { return firmwareEventLog; }

    /** Present when the platform TPM is a simulated one this agent runs. */
    public Optional<Simulation> simulation() { return simulation; }

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

    /** Carries a bad path out of a lambda; turned into an {@link InvalidSettingException}. */
    private static final class InvalidPathException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String key;

        InvalidPathException(String key, String message) {
            super(message);
            this.key = key;
        }
    }
}
