package org.vtpmmigrate.console.model;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.eclipse.core.runtime.jobs.Job;
import org.osgi.service.prefs.BackingStoreException;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.policy.Policy;
import org.vtpmmigrate.attest.tpm2.PcrSelection;
import org.vtpmmigrate.discovery.DnsSdDirectory;
import org.vtpmmigrate.discovery.HostEntry;
import org.vtpmmigrate.discovery.internal.InventoryFile;
import org.vtpmmigrate.management.ClientSettings;
import org.vtpmmigrate.management.EnrolPeerRequest;
import org.vtpmmigrate.management.EvidenceRequest;
import org.vtpmmigrate.management.HostEvidence;
import org.vtpmmigrate.management.HostInfo;
import org.vtpmmigrate.management.ManagementClient;
import org.vtpmmigrate.management.ManagementException;
import org.vtpmmigrate.management.ManagementService;
import org.vtpmmigrate.management.PeerSummary;
import org.vtpmmigrate.management.TlsCredentials;
import org.vtpmmigrate.management.VmDetails;
import org.vtpmmigrate.management.VmList;

/**
 * The console's state, apart from any widget: settings and identity, the agents and what they last
 * said, the policy evidence is judged under, the audit records and the migrations being watched.
 * Every call to an agent runs in a {@link Job}; results land here and are announced through
 * {@link #events()}. Created once per workbench by {@code ConsoleModelAddon}.
 */
public final class ConsoleModel {
    /** The job family of every job the model runs (to cancel them, or wait for them). */
    public static final Object JOB_FAMILY = ConsoleModel.class;
    /** Agents announced by DNS-SD; open while discovery is enabled (guarded by this). */
    private DnsSdDirectory dnsSd;
    /** The PCRs asked for when no policy names any: the boot PCRs, IMA's PCR 10, and 14 (shim's MOK list). */
    public static final String DEFAULT_PCR_SELECTION = "sha256:0-10,14";
    private static final int NONCE_BYTES = 32;

    private final ModelEvents events = new ModelEvents();
    private final AgentRegistry agents = new AgentRegistry(events);
    private final SettingsStore store;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, ManagementClient> clients = new ConcurrentHashMap<>();
    private final AuditCollection audit;
    private final MigrationWatch migrations;

    private volatile ConsoleSettings settings;
    private volatile ConsoleIdentity identity;
    private volatile char[] passphrase;
    private volatile Failure listingProblem;
    private volatile ActivePolicy activePolicy;
    private volatile String selectedHost;
    private volatile LocalHosts localHosts;
    private volatile boolean disposed;
    private final Job autoRefresh;

    /**
     * A host the console runs in its own process (a local demo host): listed while it runs, never
     * kept in the settings, and reached with the credentials it was started with.
     *
     * @param peerAddress {@code host:port} of its migration protocol, what other hosts enrol it by
     */
    public record LocalHost(String hostId, URI baseUri, String peerAddress) {
        public LocalHost {
            validateHostId(hostId);
            Objects.requireNonNull(baseUri, "baseUri");
            Objects.requireNonNull(peerAddress, "peerAddress");
        }
    }

    /** The local hosts with the credentials that reach them and the CAs of their TPMs' EK certificates. */
    private record LocalHosts(List<LocalHost> hosts, TlsCredentials credentials, List<java.nio.file.Path> ekCas) {
    }

    /** The policy host evidence is judged under, and where it came from. */
    public record ActivePolicy(Policy policy, String origin) {
        public ActivePolicy {
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(origin, "origin");
        }
    }

    public ConsoleModel(SettingsStore store, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = store.load();
        this.identity = ConsoleIdentity.load(settings, null);
        this.audit = new AuditCollection(this);
        this.migrations = new MigrationWatch(this);
        this.autoRefresh = job("Refreshing the hosts", monitor -> {
            refreshAll();
            scheduleAutoRefresh();
        });
        autoRefresh.setSystem(true);
    }

    /**
     * Contacts every agent again every {@link ConsoleSettings#refreshSeconds()} (from now on, replacing
     * any earlier schedule); nothing when that is 0.
     */
    public void scheduleAutoRefresh() {
        int seconds = settings.refreshSeconds();
        autoRefresh.cancel();
        if (seconds > 0 && !disposed) {
            autoRefresh.schedule(seconds * 1000L);
        }
    }

    public ModelEvents events() {
        return events;
    }

    public AgentRegistry agents() {
        return agents;
    }

    public AuditCollection audit() {
        return audit;
    }

    public MigrationWatch migrations() {
        return migrations;
    }

    public ConsoleSettings settings() {
        return settings;
    }

    public ConsoleIdentity identity() {
        return identity;
    }

    /** Why the inventory or discovery could not be read at the last listing, if they could not. */
    public Optional<Failure> listingProblem() {
        return Optional.ofNullable(listingProblem);
    }

    /**
     * Stores new settings, reloads the identity (with {@code keyPassphrase}, or the one entered before
     * when null), relists the agents and contacts them.
     *
     * @throws BackingStoreException if the preferences cannot be written; the settings apply anyway
     */
    public void applySettings(ConsoleSettings newSettings, char[] keyPassphrase) throws BackingStoreException {
        Objects.requireNonNull(newSettings, "newSettings");
        if (keyPassphrase != null) {
            char[] old = passphrase;
            passphrase = keyPassphrase.length == 0 ? null : keyPassphrase.clone();
            if (old != null) {
                Arrays.fill(old, '\0');
            }
        }
        settings = newSettings;
        identity = ConsoleIdentity.load(newSettings, passphrase);
        clients.clear();
        events.fire(ModelEvents.Topic.SETTINGS, null);
        try {
            store.save(newSettings);
        } finally {
            refreshAll();
            scheduleAutoRefresh();
        }
    }

    /**
     * Lists hosts the console runs itself, replacing any listed before, and contacts them. They are
     * reached with {@code credentials}, whatever the console's own identity is, and their EK
     * certificates are checked against {@code ekCaCertificates} as well as the trusted TPM CAs.
     */
    public void addLocalHosts(List<LocalHost> hosts, TlsCredentials credentials,
            List<java.nio.file.Path> ekCaCertificates) {
        localHosts = new LocalHosts(List.copyOf(hosts), Objects.requireNonNull(credentials, "credentials"),
                List.copyOf(ekCaCertificates));
        clients.clear();
        refreshAll();
    }

    /** Stops listing the local hosts. */
    public void removeLocalHosts() {
        localHosts = null;
        clients.clear();
        relist();
    }

    /** The hosts the console runs itself, while it runs them. */
    public List<LocalHost> localHosts() {
        LocalHosts l = localHosts;
        return l == null ? List.of() : l.hosts();
    }

    /** The CA certificates EK certificates may chain to: the trusted TPM CAs and those of the local hosts. */
    public List<java.nio.file.Path> ekCaCertificates() {
        LocalHosts l = localHosts;
        List<java.nio.file.Path> out = new ArrayList<>(settings.ekCaCertificates());
        if (l != null) {
            out.addAll(l.ekCas());
        }
        return out;
    }

    /**
     * The migration protocol address of a host, as far as the console knows it: a local host's own,
     * else where some agent has it enrolled. The management API does not tell an agent's protocol
     * port, so for other hosts the administrator has to.
     */
    public Optional<String> peerAddressOf(String hostId) {
        for (LocalHost h : localHosts()) {
            if (h.hostId().equals(hostId)) {
                return Optional.of(h.peerAddress());
            }
        }
        for (Agent a : agents.all()) {
            if (a.peers() != null) {
                for (PeerSummary p : a.peers()) {
                    if (p.hostId().equals(hostId)) {
                        return Optional.of(p.address());
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** Adds (or re-addresses) an agent by hand; it is kept in the settings. */
    public void addHost(String hostId, URI baseUri) throws BackingStoreException {
        validateHostId(hostId);
        URI address = parseAddress(baseUri.toString());
        List<ConsoleSettings.AddedHost> hosts = new ArrayList<>(settings.addedHosts());
        hosts.removeIf(h -> h.hostId().equals(hostId));
        hosts.add(new ConsoleSettings.AddedHost(hostId, address));
        applySettings(settings.withAddedHosts(hosts), null);
    }

    /** Checks a host id the way agent certificates name hosts. */
    public static void validateHostId(String hostId) {
        if (hostId == null || !hostId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
            throw new IllegalArgumentException("'" + hostId + "' is not a host id: 1 to 63 letters, digits, '.', '_'"
                    + " or '-', starting with a letter or digit");
        }
    }

    /**
     * Parses {@code host:port} or {@code https://host:port} into a management API address.
     *
     * @throws IllegalArgumentException saying what is wrong with the text
     */
    public static URI parseAddress(String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("no address given; expected host:port");
        }
        URI uri = URI.create(t.startsWith("https://") ? t : "https://" + t);
        if (uri.getHost() == null || uri.getPort() < 1 || uri.getPort() > 65535) {
            throw new IllegalArgumentException("'" + t + "' is not host:port with a port from 1 to 65535");
        }
        if (!(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
                || uri.getRawQuery() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("'" + t + "' has more than host:port");
        }
        return URI.create("https://" + uri.getRawAuthority());
    }

    // ---------------------------------------------------------------- listing and contacting

    /** Relists the agents (inventory, DNS-SD, added hosts) and contacts every one in the background. */
    public void refreshAll() {
        if (disposed) {
            return;
        }
        relist();
        for (Agent a : agents.all()) {
            refresh(a.hostId());
        }
    }

    /** Reads the sources of agents now (on the calling thread: files and in-process services only). */
    public void relist() {
        ConsoleSettings s = settings;
        Map<String, AgentRegistry.Listing> listings = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        if (s.inventoryFile().isPresent()) {
            try {
                for (HostEntry e : InventoryFile.read(s.inventoryFile().get())) {
                    list(listings, e, AgentSource.INVENTORY);
                }
            } catch (IOException | RuntimeException e) {
                problems.add("the inventory " + s.inventoryFile().get() + " could not be read: " + e.getMessage());
            }
        }
        if (s.discoveryEnabled()) {
            for (HostEntry e : discovered(problems)) {
                list(listings, e, AgentSource.DISCOVERY);
            }
        } else {
            stopDiscovery();
        }
        for (ConsoleSettings.AddedHost h : s.addedHosts()) {
            listings.merge(h.hostId(), new AgentRegistry.Listing(h.baseUri(), EnumSet.of(AgentSource.ADDED)),
                    (a, b) -> merged(a, b));
        }
        for (LocalHost h : localHosts()) {
            // a local host is what this console started: its address wins over any other listing
            listings.put(h.hostId(), new AgentRegistry.Listing(h.baseUri(), EnumSet.of(AgentSource.LOCAL)));
        }
        listingProblem = problems.isEmpty() ? null : new Failure("Some agents could not be listed",
                String.join("; ", problems), String.join("\n", problems));
        agents.relist(listings);
    }

    private static void list(Map<String, AgentRegistry.Listing> listings, HostEntry e, AgentSource source) {
        URI uri = URI.create("https://" + (e.address().contains(":") && !e.address().startsWith("[")
                ? "[" + e.address() + "]" : e.address()) + ":" + e.managementPort());
        listings.merge(e.hostId(), new AgentRegistry.Listing(uri, EnumSet.of(source)), ConsoleModel::merged);
    }

    private static AgentRegistry.Listing merged(AgentRegistry.Listing first, AgentRegistry.Listing second) {
        EnumSet<AgentSource> sources = EnumSet.copyOf(first.sources());
        sources.addAll(second.sources());
        // the address of the first source wins: the inventory is what the administrator wrote down
        return new AgentRegistry.Listing(first.baseUri(), sources);
    }

    /**
     * Agents announced by DNS-SD on this machine's network, browsed from the first listing on while
     * discovery is enabled. A network without multicast is a problem to show, not an error.
     */
    private List<HostEntry> discovered(List<String> problems) {
        synchronized (this) {
            if (dnsSd == null) {
                InetAddress address = null;
                try {
                    address = InetAddress.getLocalHost();
                    dnsSd = DnsSdDirectory.open(address);
                } catch (IOException | RuntimeException e) {
                    problems.add("DNS-SD discovery could not start on " + (address == null ? "this host"
                            : address.getHostAddress()) + ": " + e.getMessage());
                    return List.of();
                }
            }
            return dnsSd.hosts();
        }
    }

    /** Stops browsing; discovery turned off or the console closing. */
    private synchronized void stopDiscovery() {
        if (dnsSd != null) {
            try {
                dnsSd.close();
            } catch (IOException e) {
                System.getLogger(ConsoleModel.class.getName()).log(System.Logger.Level.WARNING,
                        "DNS-SD browsing did not stop cleanly: " + e.getMessage());
            }
            dnsSd = null;
        }
    }

    /** Contacts one agent in the background: host information and VM list. */
    public Job refresh(String hostId) {
        Job job = job("Contacting " + hostId, monitor -> {
            Optional<Agent> agent = agents.get(hostId);
            if (agent.isEmpty()) {
                return;
            }
            Optional<ManagementService> client = client(agent.get());
            if (client.isEmpty()) {
                agents.update(hostId, a -> a.contactFailed(Reachability.NOT_CONTACTED, identity.problem().orElseThrow()));
                return;
            }
            agents.update(hostId, Agent::contacting);
            try {
                HostInfo info = client.get().hostInfo();
                VmList vms = client.get().vms();
                List<PeerSummary> peers = peers(client.get());
                agents.update(hostId, a -> a.answered(info, vms.vms(), peers, clock.instant()));
            } catch (ManagementException e) {
                contactFailed(agent.get(), "Reading host information", e);
            }
        });
        job.schedule();
        return job;
    }

    /** The agent's enrolled peers; null when it answers but does not list them (an older agent). */
    private static List<PeerSummary> peers(ManagementService client) throws ManagementException {
        try {
            return client.peers().peers();
        } catch (ManagementException e) {
            if (e.reachedServer() && e.code() == org.vtpmmigrate.management.ErrorCode.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    /**
     * Asks {@code hostId} to enrol the agent whose migration protocol listens at {@code peerAddress}
     * (its EK certificate chain checked, its AK activated against the EK), then lists its peers again.
     *
     * @param done called with the enrolled peer, on the job's thread
     * @param failed called with why it was not enrolled, on the job's thread
     */
    public Job enrolPeer(String hostId, String peerAddress, Consumer<PeerSummary> done, Consumer<Failure> failed) {
        Job job = job("Enrolling " + peerAddress + " on " + hostId, monitor -> {
            Optional<Agent> agent = agents.get(hostId);
            Optional<ManagementService> client = agent.flatMap(this::client);
            if (client.isEmpty()) {
                failed.accept(identity.problem().orElse(Failure.of("Nothing was enrolled on " + hostId,
                        hostId + " is not listed.")));
                return;
            }
            PeerSummary peer;
            try {
                peer = client.get().enrolPeer(new EnrolPeerRequest(peerAddress));
            } catch (ManagementException e) {
                failed.accept(Failure.fromManagement("Enrolling the host at " + peerAddress, hostId,
                        agent.get().address(), e));
                return;
            } catch (IllegalArgumentException e) {
                failed.accept(Failure.of("Nothing was enrolled on " + hostId, e.getMessage()));
                return;
            }
            refresh(hostId);
            done.accept(peer);
        });
        job.schedule();
        return job;
    }

    /**
     * Asks an agent for fresh evidence over the PCRs {@code policy} selects (or
     * {@link #DEFAULT_PCR_SELECTION}) with a nonce of the console's, and checks it under
     * {@code policy} (or for authenticity alone when null).
     *
     * @param done called with the report on the job's thread, if the evidence arrived
     */
    public Job attest(String hostId, Policy policy, Consumer<EvidenceReport> done) {
        return attest(hostId, policy, done, null);
    }

    /**
     * {@link #attest(String, Policy, Consumer)}, telling {@code failed} (on the job's thread) why no
     * evidence could be checked.
     */
    public Job attest(String hostId, Policy policy, Consumer<EvidenceReport> done, Consumer<Failure> failed) {
        agents.update(hostId, a -> a.attesting(true));
        Job job = job("Checking the evidence of " + hostId, monitor -> {
            Optional<Agent> agent = agents.get(hostId);
            Optional<ManagementService> client = agent.flatMap(this::client);
            if (client.isEmpty()) {
                Failure failure = identity.problem().orElse(
                        Failure.of("The evidence of " + hostId + " was not requested", "The agent is not listed."));
                agents.update(hostId, a -> a.attestationFailed(failure));
                tell(failed, failure);
                return;
            }
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            try {
                HostEvidence evidence = client.get().hostEvidence(new EvidenceRequest(
                        Base64.getEncoder().encodeToString(nonce), selection(policy), true, true));
                HostInfo info = agent.get().hostInfo();
                EvidenceReport report = EvidenceReport.analyse(hostId, evidence, nonce, policy,
                        akActivated(info, evidence), clock.instant());
                agents.update(hostId, a -> a.attested(report));
                if (done != null) {
                    done.accept(report);
                }
            } catch (ManagementException e) {
                Failure failure = Failure.fromManagement("Requesting evidence", hostId, agent.get().address(), e);
                agents.update(hostId, a -> a.attestationFailed(failure));
                if (Failure.isTransport(e.code())) {
                    contactFailed(agent.get(), "Requesting evidence", e);
                }
                tell(failed, failure);
            } catch (RuntimeException e) {
                Failure failure = Failure.unexpected("The evidence of " + hostId + " could not be checked", e);
                agents.update(hostId, a -> a.attestationFailed(failure));
                tell(failed, failure);
            }
        });
        job.schedule();
        return job;
    }

    private static void tell(Consumer<Failure> failed, Failure failure) {
        if (failed != null) {
            failed.accept(failure);
        }
    }

    /** Reads one VM's details (launch measurements, vTPM) from its host in the background. */
    public Job vm(String hostId, String vmId, Consumer<VmDetails> done, Consumer<Failure> failed) {
        Job job = job("Reading VM " + vmId + " of " + hostId, monitor -> {
            Optional<Agent> agent = agents.get(hostId);
            Optional<ManagementService> client = agent.flatMap(this::client);
            if (client.isEmpty()) {
                failed.accept(identity.problem().orElse(Failure.of("VM " + vmId + " was not read",
                        hostId + " is not listed.")));
                return;
            }
            try {
                done.accept(client.get().vm(vmId));
            } catch (ManagementException e) {
                failed.accept(Failure.fromManagement("Reading VM " + vmId, hostId, agent.get().address(), e));
            }
        });
        job.schedule();
        return job;
    }

    /** {@link #attest(String, Policy, Consumer)} under the active policy. */
    public Job attest(String hostId) {
        ActivePolicy p = activePolicy;
        return attest(hostId, p == null ? null : p.policy(), null);
    }

    /**
     * Whether the agent's enrolment vouches for the quoting AK: enrolled, and enrolled with this very
     * AK. The console takes the agent's word for the activation itself (the management API has no
     * call to repeat it) and says so where it shows the result.
     */
    static boolean akActivated(HostInfo info, HostEvidence evidence) {
        return info != null && HostInfo.EnrolmentState.ENROLLED.name().equals(info.enrolment().state())
                && info.enrolment().akName() != null && info.enrolment().akName().equalsIgnoreCase(evidence.akName());
    }

    static List<EvidenceRequest.PcrSelection> selection(Policy policy) {
        PcrSelection selection = policy == null ? PcrSelection.parseSpec(DEFAULT_PCR_SELECTION) : policy.pcrSelection();
        List<EvidenceRequest.PcrSelection> out = new ArrayList<>();
        for (HashAlgorithm bank : selection.banks()) {
            out.add(new EvidenceRequest.PcrSelection(bank.bankName(), new ArrayList<>(selection.indices(bank))));
        }
        return out;
    }

    private void contactFailed(Agent agent, String action, ManagementException e) {
        Reachability state = switch (e.code()) {
            case UNREACHABLE, TIMEOUT, CONNECTION_LOST, INTERRUPTED -> Reachability.UNREACHABLE;
            case TLS_FAILED -> Reachability.IDENTITY_REFUSED;
            default -> Reachability.AGENT_ERROR;
        };
        agents.update(agent.hostId(), a -> a.contactFailed(state,
                Failure.fromManagement(action, agent.hostId(), agent.address(), e)));
    }

    /** The client of an agent, or empty when the console has no identity to connect with. */
    Optional<ManagementService> client(Agent agent) {
        LocalHosts local = localHosts;
        Optional<TlsCredentials> credentials = local != null && agent.local() ? Optional.of(local.credentials())
                : identity.credentials();
        if (credentials.isEmpty()) {
            return Optional.empty();
        }
        ManagementClient client = clients.compute(agent.hostId(), (id, known) -> known != null
                && known.baseUri().equals(agent.baseUri()) ? known
                : ManagementClient.create(agent.baseUri(), credentials.get(), ClientSettings.defaults()));
        return Optional.of(client);
    }

    /** The client of a listed agent, for the model's helpers. */
    Optional<ManagementService> client(String hostId) {
        return agents.get(hostId).flatMap(this::client);
    }

    // ---------------------------------------------------------------- policy and selection

    public Optional<ActivePolicy> activePolicy() {
        return Optional.ofNullable(activePolicy);
    }

    /** Sets the policy evidence is judged under (null: authenticity checks only). */
    public void setActivePolicy(ActivePolicy policy) {
        activePolicy = policy;
        events.fire(ModelEvents.Topic.POLICY, null);
    }

    /** The host the inspector shows. */
    public Optional<String> selectedHost() {
        return Optional.ofNullable(selectedHost);
    }

    public void selectHost(String hostId) {
        selectedHost = hostId;
        events.fire(ModelEvents.Topic.AGENT, hostId);
    }

    // ---------------------------------------------------------------- jobs

    Job job(String name, Jobs.Work work) {
        return Jobs.of(name, JOB_FAMILY, () -> disposed, work);
    }

    /** Stops the model's jobs; called when the workbench closes. */
    public void dispose() {
        disposed = true;
        stopDiscovery();
        autoRefresh.cancel();
        Job.getJobManager().cancel(JOB_FAMILY);
        char[] p = passphrase;
        if (p != null) {
            Arrays.fill(p, '\0');
        }
        clients.clear();
    }

    boolean isDisposed() {
        return disposed;
    }

    /** Fires an event (for the model's helpers). */
    void fire(ModelEvents.Topic topic, String subject) {
        events.fire(topic, subject);
    }
}
