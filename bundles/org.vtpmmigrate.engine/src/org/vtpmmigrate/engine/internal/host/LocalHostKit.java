package org.vtpmmigrate.engine.internal.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.VmConfig;
import org.vtpmmigrate.hypervisor.VtpmStore;
import org.vtpmmigrate.management.AdministratorCa;
import org.vtpmmigrate.management.IssuedCredentials;
import org.vtpmmigrate.management.PkiException;
import org.vtpmmigrate.management.TlsCredentials;
import org.vtpmmigrate.management.Validity;

/**
 * Everything a set of local test hosts needs before their agents start, under one directory: an
 * administrator CA with one administrator's credentials, and per host a manufactured platform TPM
 * (a simulated one, with an EK certificate from that host's own local CA), the agent's management
 * certificate, and its configuration trusting every host's EK CA. The CLI's demo starts agents from
 * these configurations as processes, the console starts them in its own process.
 */
public final class LocalHostKit {
    /** How long the kit's certificates are valid: long enough for a lab, short enough to not matter. */
    private static final Duration VALIDITY = Duration.ofDays(30);

    /** One prepared host: its directory, settings and the platform TPM's CA certificates. */
    public record Host(String hostId, Path directory, Map<String, String> settings, List<Path> ekCaCertificates) {
    }

    private final Path directory;
    private final Path caCertificate;
    private final Path administratorCertificate;
    private final Path administratorKey;
    private final Map<String, Host> hosts = new LinkedHashMap<>();

    private LocalHostKit(Path directory) {
        this.directory = directory;
        this.caCertificate = directory.resolve("administrator-ca.pem");
        this.administratorCertificate = directory.resolve("administrator.pem");
        this.administratorKey = directory.resolve("administrator.key");
    }

    /**
     * Prepares hosts {@code hostIds} under {@code directory}, whose agents will listen on
     * {@code address} (an IP literal their certificates name).
     *
     * @param ports per host id, its peer and management ports; a host not listed gets 0 for both
     *     (any free port)
     */
    public static LocalHostKit prepare(Path directory, List<String> hostIds, Map<String, String> addresses,
            Map<String, int[]> ports) throws IOException, PkiException, HypervisorException {
        LocalHostKit kit = new LocalHostKit(Files.createDirectories(directory));
        // the CA outlives what it issues, which starts a moment later
        AdministratorCa ca = AdministratorCa.create("vTPM Migrate local hosts CA", new Validity(
                java.time.Instant.now().minus(Duration.ofHours(1)), java.time.Instant.now().plus(VALIDITY.multipliedBy(2))));
        ca.write(kit.caCertificate, directory.resolve("administrator-ca.key"), null);
        IssuedCredentials administrator = ca.issueAdministrator("local-administrator", Validity.fromNow(VALIDITY));
        administrator.write(kit.administratorCertificate, kit.administratorKey, null);
        Map<String, List<Path>> ekCas = new LinkedHashMap<>();
        for (String hostId : hostIds) {
            Path platform = directory.resolve(hostId).resolve("platform-tpm");
            VtpmStore store = VtpmStore.open(platform);
            store.create(EngineHost.PLATFORM_INSTANCE, EngineHost.VM_TIMEOUT);
            ekCas.put(hostId, store.caCertificates());
        }
        List<String> roots = new ArrayList<>();
        List<String> intermediates = new ArrayList<>();
        // each store's CA list holds its root first, then the certificates linking EK certificates to it
        ekCas.values().forEach(files -> {
            roots.add(files.get(0).toString());
            files.subList(1, files.size()).forEach(f -> intermediates.add(f.toString()));
        });
        for (String hostId : hostIds) {
            Path hostDir = directory.resolve(hostId);
            String address = addresses.getOrDefault(hostId, "127.0.0.1");
            IssuedCredentials agent = ca.issueAgent(hostId, List.of("localhost"), List.of(address),
                    Validity.fromNow(VALIDITY));
            agent.write(hostDir.resolve("management.pem"), hostDir.resolve("management.key"), null);
            int[] p = ports.getOrDefault(hostId, new int[] {0, 0});
            Map<String, String> s = new LinkedHashMap<>();
            s.put("host.id", hostId);
            s.put("tpm.connector", "simulated:" + hostDir.resolve("platform-tpm"));
            s.put("data.dir", hostDir.resolve("data").toString());
            s.put("bind.address", address);
            s.put("peer.port", Integer.toString(p[0]));
            s.put("management.port", Integer.toString(p[1]));
            s.put("tpm.ek.ca", String.join(",", roots));
            if (!intermediates.isEmpty()) {
                s.put("tpm.ek.intermediates", String.join(",", intermediates));
            }
            s.put("management.certificate", hostDir.resolve("management.pem").toString());
            s.put("management.key", hostDir.resolve("management.key").toString());
            s.put("management.ca", kit.caCertificate.toString());
            s.put("vm.dir", hostDir.resolve("vms").toString());
            s.put("discovery.announce", "false");
            kit.hosts.put(hostId, new Host(hostId, hostDir, s, ekCas.get(hostId)));
        }
        return kit;
    }

    public Host host(String hostId) {
        Host h = hosts.get(hostId);
        if (h == null) {
            throw new IllegalArgumentException("no local host '" + hostId + "' in " + directory);
        }
        return h;
    }

    public List<Host> hosts() {
        return List.copyOf(hosts.values());
    }

    /** Writes a host's settings, with {@code overrides}, as the properties file an agent reads. */
    public Path writeConfiguration(String hostId, Map<String, String> overrides) throws IOException {
        Map<String, String> s = new LinkedHashMap<>(host(hostId).settings());
        s.putAll(overrides);
        StringBuilder text = new StringBuilder("# agent configuration of local host " + hostId + "\n");
        s.forEach((k, v) -> text.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
        Path file = host(hostId).directory().resolve("agent.properties");
        Files.writeString(file, text.toString());
        return file;
    }

    /** Defines a VM on a host: its definition file is read when the host starts. */
    public void defineVm(String hostId, VmConfig config) throws IOException {
        VmDefinitions.write(config, host(hostId).directory().resolve("vms"));
    }

    /** The vTPM store of a host's VMs (where the agent keeps their state). */
    public Path vtpmStore(String hostId) {
        return host(hostId).directory().resolve("data").resolve("vtpms");
    }

    /** The administrator's credentials, for management clients. */
    public TlsCredentials administrator() throws PkiException {
        return TlsCredentials.load(administratorCertificate, administratorKey, null, caCertificate);
    }

    public Path caCertificate() {
        return caCertificate;
    }

    public Path administratorCertificate() {
        return administratorCertificate;
    }

    public Path administratorKey() {
        return administratorKey;
    }
}
