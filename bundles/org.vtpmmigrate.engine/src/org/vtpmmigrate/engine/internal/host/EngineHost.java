package org.vtpmmigrate.engine.internal.host;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.vtpmmigrate.attest.eventlog.EventType;
import org.vtpmmigrate.audit.AuditLogException;
import org.vtpmmigrate.engine.internal.AgentSettings;
import org.vtpmmigrate.engine.internal.migration.DefaultMigrationEngine;
import org.vtpmmigrate.engine.internal.migration.EngineSettings;
import org.vtpmmigrate.engine.internal.migration.FaultInjection;
import org.vtpmmigrate.engine.internal.migration.HostPlatform;
import org.vtpmmigrate.engine.internal.migration.PolicyCatalog;
import org.vtpmmigrate.engine.internal.migration.SimulatedMeasuredBoot;
import org.vtpmmigrate.engine.migration.MigrationHandle;
import org.vtpmmigrate.engine.migration.VmOperationException;
import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.VmConfig;
import org.vtpmmigrate.hypervisor.VtpmProcess;
import org.vtpmmigrate.hypervisor.VtpmStore;
import org.vtpmmigrate.management.ManagementException;
import org.vtpmmigrate.management.ManagementServer;
import org.vtpmmigrate.management.PkiException;
import org.vtpmmigrate.management.PolicyUpload;
import org.vtpmmigrate.management.ServerSettings;
import org.vtpmmigrate.management.TlsCredentials;
import org.vtpmmigrate.protocol.PlatformException;
import org.vtpmmigrate.tpm.TpmConnector;
import org.vtpmmigrate.tpm.TpmEndpoint;

/**
 * Everything one host runs, assembled from its {@link AgentSettings}: the platform TPM (a device,
 * an swtpm, or for test hosts a simulated one this host runs itself), the migration engine on the
 * peer port, the stored policies and VM definitions, the attestation log signed by the platform
 * TPM, and the management API. The DS component, the CLI's demo and the console's local hosts all
 * start hosts this way. Closing stops everything, last started first.
 */
public final class EngineHost implements AutoCloseable {
    /** The instance name of a simulated platform TPM's state in its store. */
    public static final String PLATFORM_INSTANCE = "platform";
    static final Duration VM_TIMEOUT = Duration.ofSeconds(60);
    /** As many as the engine keeps runs in its history. */
    private static final int MAX_REMEMBERED_REQUESTERS = 256;
    /** The PCR a simulated host's injected fault extends: the one Secure Boot policy lives in. */
    private static final int FAULT_PCR = 7;
    private static final System.Logger LOG = System.getLogger(EngineHost.class.getName());

    private final AgentSettings settings;
    private final Instant startedAt = Instant.now();
    private final List<AutoCloseable> started = new ArrayList<>();
    private final List<byte[]> ownEkChain;
    /** Who asked for each run started here (the administrator's certificate subject), for its status. */
    private final Map<String, String> requesters = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, false) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                    return size() > MAX_REMEMBERED_REQUESTERS;
                }
            });
    private final String tpmDescription;
    private DefaultMigrationEngine engine;
    private StoredPolicies policies;
    private AuditTrail audit;
    private ManagementServer management;

    private EngineHost(AgentSettings settings, List<byte[]> ownEkChain, String tpmDescription) {
        this.settings = settings;
        this.ownEkChain = ownEkChain;
        this.tpmDescription = tpmDescription;
    }

    /** A host that could not start, with what failed; whatever had started is stopped again. */
    public static final class StartException extends Exception {
        private static final long serialVersionUID = 1L;

        StartException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Starts the host described by {@code settings}. */
    public static EngineHost start(AgentSettings settings) throws StartException {
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            TpmEndpoint endpoint;
            List<byte[]> ekChain = new ArrayList<>();
            String description;
            Optional<AgentSettings.Simulation> simulation = settings.simulation();
            if (simulation.isPresent()) {
                VtpmStore store = VtpmStore.open(simulation.get().platformStore());
                VtpmProcess tpm = store.open(PLATFORM_INSTANCE).startStandalone(VM_TIMEOUT);
                opened.add(tpm);
                endpoint = TpmEndpoint.swtpm("127.0.0.1", tpm.dataPort());
                // the chain goes from the EK certificate up: issuer first, root last
                List<Path> cas = new ArrayList<>(store.caCertificates());
                Collections.reverse(cas);
                for (Path ca : cas) {
                    for (X509Certificate c : certificates(ca)) {
                        ekChain.add(c.getEncoded());
                    }
                }
                description = "swtpm simulating this host's platform TPM (state in " + simulation.get().platformStore()
                        + ", 127.0.0.1:" + tpm.dataPort() + ")";
            } else {
                endpoint = TpmEndpoint.parse(settings.tpmConnector());
                description = settings.tpmConnector().startsWith("device") ? "TPM device " + settings.tpmConnector()
                        : "swtpm at " + settings.tpmConnector();
            }
            EngineHost host = new EngineHost(settings, ekChain, description);
            host.started.addAll(opened);
            opened.clear();
            boolean running = false;
            try {
                host.startParts(endpoint);
                running = true;
            } finally {
                // whatever went wrong, even an Error, nothing this host started may outlive it
                if (!running) {
                    host.close();
                }
            }
            return host;
        } catch (StartException e) {
            throw e;
        } catch (Exception e) {
            closeAll(opened);
            throw new StartException("host " + settings.hostId() + " did not start: " + e.getMessage(), e);
        } catch (Error e) {
            closeAll(opened);
            throw e;
        }
    }

    private void startParts(TpmEndpoint endpoint) throws IOException, HypervisorException, PlatformException,
            AuditLogException, PkiException, CertificateException, VmDefinitions.InvalidDefinitionException,
            VmOperationException, StartException {
        Files.createDirectories(settings.dataDir());
        EngineSettings.Builder engineSettings = EngineSettings.builder(settings.hostId(), settings.dataDir().resolve("work"))
                .bind(settings.bindAddress(), settings.peerPort()).vmTimeout(VM_TIMEOUT);
        List<X509Certificate> roots = new ArrayList<>();
        for (Path file : settings.ekCas()) {
            roots.addAll(certificates(file));
        }
        List<X509Certificate> intermediates = new ArrayList<>();
        for (Path file : settings.ekIntermediates()) {
            intermediates.addAll(certificates(file));
        }
        engineSettings.trustEkCas(roots, intermediates);
        HostPlatform.Settings platform = HostPlatform.Settings.defaults();
        Optional<AgentSettings.Simulation> simulation = settings.simulation();
        if (simulation.isPresent()) {
            // a simulated TPM starts fresh with this host: its boot is measured anew every time
            platform = platform.withBoot(new SimulatedMeasuredBoot(simulation.get().firmware(),
                    simulation.get().bootLoader()));
            if (simulation.get().pcrChangeAfterBoundKey()) {
                engineSettings.faults(pcrChangeAfterBoundKey());
            }
        } else {
            platform = platform.withEventLogFile(settings.dataDir().resolve("platform-event-log.bin"));
            if (settings.firmwareEventLog().isPresent()) {
                platform = platform.withFirmwareEventLog(settings.firmwareEventLog().get());
            }
        }
        engineSettings.platform(platform);
        VtpmStore vtpms = VtpmStore.open(settings.dataDir().resolve("vtpms"));
        PolicyCatalog catalog = new PolicyCatalog();
        policies = new StoredPolicies(settings.policyDir(), catalog);
        engine = DefaultMigrationEngine.start(engineSettings.build(), TpmConnector.of(endpoint), vtpms, catalog);
        started.add(engine);
        for (VmConfig vm : VmDefinitions.load(settings.vmDir())) {
            engine.define(vm);
        }
        audit = AuditTrail.open(settings.dataDir().resolve("attestation-log.jsonl"), settings.hostId(),
                engine.platform(), this::peerOf, Clock.systemUTC());
        // the log closes after the engine, so the ends of runs the engine stops are recorded too
        started.add(started.indexOf(engine), audit);
        engine.addListener(audit);
        Optional<AgentSettings.ManagementTls> tls = settings.managementTls();
        if (tls.isPresent()) {
            TlsCredentials credentials = TlsCredentials.load(tls.get().certificate(), tls.get().key(), null,
                    tls.get().caCertificate());
            management = ManagementServer.start(ServerSettings.defaults(new InetSocketAddress(settings.bindAddress(),
                    settings.managementPort())), credentials, caller -> new EngineManagementService(this, caller));
            started.add(management);
        } else {
            LOG.log(System.Logger.Level.WARNING, "host {0}: no management certificate configured, the management "
                    + "API is off", settings.hostId());
        }
        LOG.log(System.Logger.Level.INFO, "host {0}: peer protocol on {1}, management API on {2}, {3} policies, {4} VMs",
                settings.hostId(), engine.identity().peerAddress(),
                managementAddress().map(InetSocketAddress::toString).orElse("(off)"), policies.list().policies().size(),
                engine.vms().size());
    }

    private static FaultInjection pcrChangeAfterBoundKey() {
        return new FaultInjection() {
            @Override
            public void afterBoundKeyCreated(HostPlatform platform) throws PlatformException {
                platform.measure(FAULT_PCR, EventType.EV_POST_CODE,
                        "measured after the bound key was certified".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
        };
    }

    private Optional<String> peerOf(String migrationId) {
        return engine.migrations().stream().filter(m -> m.migrationId().equals(migrationId))
                .map(MigrationHandle::peer).findFirst();
    }

    /** Reads every certificate of a PEM (one or more) or DER file. */
    static List<X509Certificate> certificates(Path file) throws IOException, CertificateException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> out = new ArrayList<>();
            for (java.security.cert.Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new CertificateException(file + " holds no certificate");
            }
            return out;
        } catch (CertificateException e) {
            throw new CertificateException("certificate file " + file + ": " + e.getMessage(), e);
        }
    }

    public String hostId() {
        return settings.hostId();
    }

    public AgentSettings settings() {
        return settings;
    }

    public DefaultMigrationEngine engine() {
        return engine;
    }

    /** Where the management API listens; empty when it is off. */
    public Optional<InetSocketAddress> managementAddress() {
        return Optional.ofNullable(management).map(ManagementServer::address);
    }

    /**
     * Stores a policy as the management API would (validated, translated, saved), for callers that
     * drive an engine in their own process.
     */
    public void storePolicy(String policyId, String text) throws ManagementException {
        policies.put(policyId, new PolicyUpload(text, null));
    }

    Instant startedAt() {
        return startedAt;
    }

    StoredPolicies policies() {
        return policies;
    }

    AuditTrail audit() {
        return audit;
    }

    void requestedBy(String migrationId, String subject) {
        requesters.put(migrationId, subject);
    }

    Optional<String> requester(String migrationId) {
        return Optional.ofNullable(requesters.get(migrationId));
    }

    List<byte[]> ownEkChain() {
        return ownEkChain;
    }

    String tpmDescription() {
        return tpmDescription;
    }

    @Override
    public void close() {
        List<AutoCloseable> parts;
        synchronized (this) {
            parts = new ArrayList<>(started);
            started.clear();
        }
        closeAll(parts);
    }

    private static void closeAll(List<AutoCloseable> parts) {
        for (int i = parts.size() - 1; i >= 0; i--) {
            try {
                parts.get(i).close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "stopping " + parts.get(i) + ": " + e.getMessage(), e);
            }
        }
    }
}
