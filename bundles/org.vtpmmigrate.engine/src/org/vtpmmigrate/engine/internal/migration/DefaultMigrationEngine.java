package org.vtpmmigrate.engine.internal.migration;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.vtpmmigrate.attest.tpm2.EkCertificateException;
import org.vtpmmigrate.attest.tpm2.EkCertificateValidator;
import org.vtpmmigrate.engine.migration.EnrolledPeer;
import org.vtpmmigrate.engine.migration.EnrolmentException;
import org.vtpmmigrate.engine.migration.HostIdentity;
import org.vtpmmigrate.engine.migration.MigrationEngine;
import org.vtpmmigrate.engine.migration.MigrationHandle;
import org.vtpmmigrate.engine.migration.MigrationListener;
import org.vtpmmigrate.engine.migration.MigrationRefusedException;
import org.vtpmmigrate.engine.migration.MigrationResult;
import org.vtpmmigrate.engine.migration.PeerAddress;
import org.vtpmmigrate.engine.migration.VmOperationException;
import org.vtpmmigrate.engine.migration.VmStatus;
import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.MigrationEpoch;
import org.vtpmmigrate.hypervisor.VirtualMachine;
import org.vtpmmigrate.hypervisor.VmConfig;
import org.vtpmmigrate.hypervisor.VtpmStore;
import org.vtpmmigrate.protocol.Failure;
import org.vtpmmigrate.protocol.FailureReason;
import org.vtpmmigrate.protocol.NonceSource;
import org.vtpmmigrate.protocol.PlatformException;
import org.vtpmmigrate.protocol.RecordLayer;
import org.vtpmmigrate.protocol.Role;
import org.vtpmmigrate.protocol.SessionState;
import org.vtpmmigrate.protocol.wire.Bytes;
import org.vtpmmigrate.protocol.wire.Limits;
import org.vtpmmigrate.tpm.TpmConnector;

/**
 * The migration engine of one host, built from plain parts: the platform TPM connector, the vTPM
 * store, the policy catalog and {@link EngineSettings}. It listens on the peer port from
 * {@link #start} until {@link #close()}. Component wiring (DS) belongs to the caller.
 */
public final class DefaultMigrationEngine implements MigrationEngine {
    private static final System.Logger LOG = System.getLogger(DefaultMigrationEngine.class.getName());
    private static final int HISTORY = 256;
    private static final Duration PREFACE_TIMEOUT = Duration.ofSeconds(10);
    /** How long {@link #close()} lets runs clean up (resume, discard) before it stops the VMs. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(60);

    private final EngineSettings settings;
    private final HostPlatform platform;
    private final VtpmStore store;
    private final PolicyCatalog policies;
    private final PeerRegistry peers = new PeerRegistry();
    private final PeerStore peerStore;
    private final VmManager vms;
    private final NonceSource nonces;
    private final EventDispatcher events;
    private final Watchdog watchdog;
    private final ExecutorService executor;
    private final Enrolment enrolment;
    private final HostAdmission.SeenIds seenIds = new HostAdmission.SeenIds();
    private final Clock clock = Clock.systemUTC();
    private final SecureRandom random = new SecureRandom();
    private final Set<PeerLink> links = ConcurrentHashMap.newKeySet();
    private final Deque<MigrationTracker> history = new ArrayDeque<>();
    private final HostIdentity identity;
    private final PeerListener listener;
    private volatile boolean closing;

    private DefaultMigrationEngine(EngineSettings settings, HostPlatform platform, VtpmStore store,
            PolicyCatalog policies) throws IOException {
        this.settings = settings;
        this.platform = platform;
        this.store = store;
        this.policies = policies;
        Path runRoot = Files.createDirectories(settings.workDirectory().resolve("run"));
        this.vms = new VmManager(store, platform, runRoot, settings.vmTimeout(), settings.timeouts().attestation());
        this.nonces = new NonceSource(random);
        this.events = new EventDispatcher(settings.hostId());
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "vtpm-migration-" + settings.hostId() + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.watchdog = new Watchdog(settings.hostId(), clock);
        Optional<EkCertificateValidator> validator = settings.trustedEkCas().isEmpty() ? Optional.empty()
                : Optional.of(new EkCertificateValidator(settings.trustedEkCas(), settings.intermediateEkCas()));
        this.enrolment = new Enrolment(settings.hostId(), platform, validator, settings.connectTimeout(),
                settings.enrolmentTimeout(), random, clock);
        this.peerStore = new PeerStore(settings.workDirectory().resolve("enrolled-peers"));
        try {
            peerStore.load(validator).forEach(peers::put);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "enrolled peers not restored (enrol them again): {0}", e.getMessage());
        }
        try {
            this.listener = new PeerListener(settings.bindAddress(), settings.peerPort(),
                    settings.maxIncomingConnections(), executor, this::handleConnection, settings.hostId());
        } catch (IOException e) {
            executor.shutdownNow();
            watchdog.close();
            events.close();
            throw new IOException("cannot listen for peers on " + settings.bindAddress().getHostAddress() + ":"
                    + settings.peerPort() + ": " + e.getMessage(), e);
        }
        this.identity = identity(settings, platform, listener);
        // compiled before the first migration needs it, not during that migration's transfer
        executor.execute(() -> {
            long start = System.nanoTime();
            RecordLayer.warmUp();
            LOG.log(System.Logger.Level.DEBUG, "record layer warmed up in {0} ms", (System.nanoTime() - start) / 1_000_000);
        });
    }

    /**
     * Opens the platform TPM (creating the AK and measuring a simulated boot on a fresh swtpm) and
     * starts listening for peers.
     *
     * @throws PlatformException if the platform TPM cannot be used
     * @throws IOException if the peer port cannot be bound or the work directory created
     */
    public static DefaultMigrationEngine start(EngineSettings settings, TpmConnector platformTpm, VtpmStore store,
            PolicyCatalog policies) throws PlatformException, IOException {
        HostPlatform platform = HostPlatform.open(platformTpm, settings.platform());
        try {
            return new DefaultMigrationEngine(settings, platform, store, policies);
        } catch (IOException | RuntimeException e) {
            platform.close();
            throw e;
        }
    }

    private static HostIdentity identity(EngineSettings settings, HostPlatform platform, PeerListener listener) {
        Optional<X509Certificate> ek = platform.ekCertificate().flatMap(der -> {
            try {
                return Optional.of(EkCertificateValidator.parseCertificate(der));
            } catch (EkCertificateException e) {
                LOG.log(System.Logger.Level.WARNING, "the platform TPM's EK certificate does not parse: {0}",
                        e.getMessage());
                return Optional.empty();
            }
        });
        return new HostIdentity(settings.hostId(), new PeerAddress(listener.address().getHostAddress(),
                listener.port()), platform.endpoint(), HexFormat.of().formatHex(platform.attestationKeyPublic().name()),
                ek.map(c -> c.getSubjectX500Principal().getName()).filter(name -> !name.isEmpty()),
                ek.map(c -> c.getIssuerX500Principal().getName()),
                platform.launchPcr());
    }

    // ---------------------------------------------------------------- API

    @Override
    public HostIdentity identity() {
        return identity;
    }

    @Override
    public VmStatus define(VmConfig config) throws VmOperationException {
        return vms.define(config);
    }

    @Override
    public VmStatus start(VmConfig config) throws VmOperationException {
        requireOpen();
        return vms.start(config);
    }

    @Override
    public VmStatus stop(String vmId) throws VmOperationException {
        return vms.stop(vmId);
    }

    @Override
    public List<VmStatus> vms() {
        return vms.list();
    }

    @Override
    public Optional<VmStatus> vm(String vmId) {
        return vms.status(vmId);
    }

    @Override
    public EnrolledPeer enrol(PeerAddress address) throws EnrolmentException {
        if (closing) {
            throw new EnrolmentException(EnrolmentException.Reason.PEER_ERROR, "this engine is closing");
        }
        PeerRegistry.Peer peer = enrolment.enrol(address);
        peers.put(peer);
        savePeers();
        LOG.log(System.Logger.Level.INFO, "enrolled peer {0} at {1}, AK {2}", peer.hostId(), address,
                HexFormat.of().formatHex(peer.attestationKey().name()));
        return peer.summary();
    }

    @Override
    public List<EnrolledPeer> peers() {
        return peers.all().stream().map(PeerRegistry.Peer::summary).toList();
    }

    @Override
    public boolean unenrol(String hostId) {
        boolean removed = peers.remove(hostId);
        if (removed) {
            savePeers();
        }
        return removed;
    }

    /** Keeps the enrolments for the next start; the ones in memory stand whatever happens to the file. */
    private void savePeers() {
        try {
            peerStore.save(peers.all());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "enrolled peers not saved (they stay enrolled until this engine "
                    + "stops): " + e.getMessage(), e);
        }
    }

    @Override
    public MigrationHandle migrate(String vmId, PeerAddress peerAddress, String policyId)
            throws MigrationRefusedException {
        if (closing) {
            throw new MigrationRefusedException(MigrationRefusedException.Reason.ENGINE_UNAVAILABLE,
                    "this engine is closing");
        }
        MigrationPolicy policy = policies.find(policyId).orElseThrow(() -> new MigrationRefusedException(
                MigrationRefusedException.Reason.UNKNOWN_POLICY, "no policy '" + policyId + "' is known here"));
        PeerRegistry.Peer peer = peers.byAddress(peerAddress).orElseThrow(() -> new MigrationRefusedException(
                MigrationRefusedException.Reason.PEER_NOT_ENROLLED, "no enrolled peer is known at " + peerAddress));
        VmManager.Outgoing outgoing = vms.beginOutgoing(vmId);
        MigrationEpoch epoch;
        try {
            // advance before offering: a failed attempt leaves the epoch one further on, which is harmless
            epoch = outgoing.instance().advanceEpoch();
        } catch (HypervisorException e) {
            vms.outgoingAbandoned(vmId);
            throw new MigrationRefusedException(MigrationRefusedException.Reason.ENGINE_UNAVAILABLE,
                    "the vTPM epoch of VM " + vmId + " cannot be advanced: " + e.getMessage());
        }
        byte[] id = new byte[Limits.MIGRATION_ID_LENGTH];
        random.nextBytes(id);
        MigrationTracker tracker = new MigrationTracker(HexFormat.of().formatHex(id), Role.SOURCE, vmId,
                peer.hostId(), policyId, epoch.epoch(), SessionState.NEW, events, clock);
        remember(tracker);
        try {
            executor.execute(new SourceRun(this, tracker, peer, policy, outgoing, Bytes.of(id)));
        } catch (RejectedExecutionException e) {
            vms.outgoingAbandoned(vmId);
            tracker.finish(MigrationResult.Status.FAILED, Optional.of(new Failure(FailureReason.LOCAL_ERROR,
                    "the engine is closing", SessionState.NEW, null)), MigrationResult.Placement.RUNNING_HERE);
        }
        return tracker;
    }

    @Override
    public synchronized List<MigrationHandle> migrations() {
        return List.copyOf(history);
    }

    @Override
    public void addListener(MigrationListener listener) {
        events.add(listener);
    }

    @Override
    public void removeListener(MigrationListener listener) {
        events.remove(listener);
    }

    // ---------------------------------------------------------------- peers

    private void handleConnection(Socket socket) {
        PeerLink link;
        try {
            link = PeerLink.accepted(socket, settings.faults().cutLinkAfterBytes(Role.DESTINATION));
        } catch (IOException e) {
            closeQuietly(socket);
            return;
        }
        register(link);
        boolean handedOver = false;
        try {
            if (closing) {
                return;
            }
            link.readTimeout(PREFACE_TIMEOUT);
            PeerWire.Preface preface = PeerWire.readPreface(link.input());
            if (preface.purpose() == PeerWire.Purpose.ENROLMENT) {
                link.readTimeout(settings.enrolmentTimeout());
                enrolment.respond(link.input(), link.output());
            } else {
                link.readTimeout(Duration.ZERO); // the run's watchdog enforces the protocol's deadlines
                handedOver = true;
                new DestinationRun(this, link, preface.hostId()).run();
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.INFO, "peer connection {0} ended: {1}", link, e.getMessage());
        } finally {
            if (!handedOver) {
                link.close();
                unregister(link);
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closed anyway
        }
    }

    // ---------------------------------------------------------------- for the runs (and tests)

    EngineSettings settings() {
        return settings;
    }

    /** The platform TPM (tests use it to tamper with the host's state). */
    public HostPlatform platform() {
        return platform;
    }

    VtpmStore store() {
        return store;
    }

    PolicyCatalog policies() {
        return policies;
    }

    PeerRegistry peerRegistry() {
        return peers;
    }

    VmManager vmManager() {
        return vms;
    }

    /** The definition of a VM known here. */
    public Optional<VmConfig> definition(String vmId) {
        return vms.definition(vmId);
    }

    /** The QEMU process of a VM held here (for inspection). */
    public Optional<VirtualMachine> machine(String vmId) {
        return vms.machine(vmId);
    }

    NonceSource nonces() {
        return nonces;
    }

    EventDispatcher events() {
        return events;
    }

    Watchdog watchdog() {
        return watchdog;
    }

    ExecutorService executor() {
        return executor;
    }

    Clock clock() {
        return clock;
    }

    HostAdmission.SeenIds seenIds() {
        return seenIds;
    }

    boolean closing() {
        return closing;
    }

    void register(PeerLink link) {
        links.add(link);
        if (closing) {
            link.close();
        }
    }

    void unregister(PeerLink link) {
        links.remove(link);
    }

    synchronized void remember(MigrationTracker tracker) {
        history.addLast(tracker);
        while (history.size() > HISTORY) {
            history.removeFirst();
        }
    }

    private void requireOpen() throws VmOperationException {
        if (closing) {
            throw new VmOperationException(VmOperationException.Reason.ENGINE_CLOSED, "this engine is closing");
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        listener.close();
        links.forEach(PeerLink::close);
        executor.shutdown();
        try {
            if (!executor.awaitTermination(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "runs of {0} did not end within {1}", settings.hostId(),
                        CLOSE_GRACE);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        vms.close();
        executor.shutdownNow();
        watchdog.close();
        events.close();
        platform.close();
    }
}
