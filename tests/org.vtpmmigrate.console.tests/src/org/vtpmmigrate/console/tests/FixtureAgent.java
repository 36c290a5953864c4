package org.vtpmmigrate.console.tests;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.policy.Policy;
import org.vtpmmigrate.attest.policy.PolicyFormatException;
import org.vtpmmigrate.attest.policy.PolicyJson;
import org.vtpmmigrate.audit.AuditEvent;
import org.vtpmmigrate.audit.AuditRecord;
import org.vtpmmigrate.audit.EventKind;
import org.vtpmmigrate.management.AuditPage;
import org.vtpmmigrate.management.ErrorCode;
import org.vtpmmigrate.management.EnrolPeerRequest;
import org.vtpmmigrate.management.EvidenceRequest;
import org.vtpmmigrate.management.HostEvidence;
import org.vtpmmigrate.management.HostInfo;
import org.vtpmmigrate.management.ManagementException;
import org.vtpmmigrate.management.ManagementService;
import org.vtpmmigrate.management.MigrationList;
import org.vtpmmigrate.management.MigrationStarted;
import org.vtpmmigrate.management.MigrationStatus;
import org.vtpmmigrate.management.PeerList;
import org.vtpmmigrate.management.PeerSummary;
import org.vtpmmigrate.management.PolicyDocument;
import org.vtpmmigrate.management.PolicyList;
import org.vtpmmigrate.management.PolicySummary;
import org.vtpmmigrate.management.PolicyUpload;
import org.vtpmmigrate.management.StartMigrationRequest;
import org.vtpmmigrate.management.VmDetails;
import org.vtpmmigrate.management.VmList;
import org.vtpmmigrate.management.VmSummary;

/**
 * The management API of one test host, served by a real {@link org.vtpmmigrate.management.ManagementServer}
 * with mutual TLS. It stands in for the engine, which is not wired to the management API yet: host
 * information and evidence come from the host's real swtpm and the corpus logs; VMs, policies and
 * migrations are kept in memory, and a migration moves one step each time its status is read, writing
 * the audit records an engine would (signed by the host's TPM AK). The integrator replaces this with
 * local demo hosts running the real engine.
 */
final class FixtureAgent implements ManagementService {
    private static final AtomicInteger MIGRATION_NUMBERS = new AtomicInteger();

    final FixtureHost host;
    private final FixtureNetwork network;
    private final Instant enrolledAt = Instant.now();
    private final Map<String, VmDetails> vms = new LinkedHashMap<>();
    private final Map<String, PolicyDocument> policies = new LinkedHashMap<>();
    private final Map<String, ScriptedMigration> migrations = new LinkedHashMap<>();
    /** Sequence numbers of records whose served line is altered (a tampered log on disk). */
    private final java.util.Set<Long> tamperedRecords = new java.util.HashSet<>();

    FixtureAgent(FixtureHost host, FixtureNetwork network) {
        this.host = host;
        this.network = network;
    }

    String hostId() {
        return host.hostId;
    }

    synchronized void addVm(String id, String name, String state) {
        byte[] firmware = HashAlgorithm.SHA256.digest(("OVMF for " + id).getBytes(StandardCharsets.US_ASCII));
        byte[] kernel = HashAlgorithm.SHA256.digest(("vmlinuz for " + id).getBytes(StandardCharsets.US_ASCII));
        vms.put(id, new VmDetails(id, name, state, 2L << 30, 2, "vtpm-" + id, 1, List.of(
                new VmDetails.LaunchMeasurement("firmware", "sha256", HexFormat.of().formatHex(firmware)),
                new VmDetails.LaunchMeasurement("kernel", "sha256", HexFormat.of().formatHex(kernel)))));
    }

    synchronized VmDetails takeVm(String id) {
        return vms.remove(id);
    }

    synchronized void putVm(VmDetails vm) {
        vms.put(vm.id(), new VmDetails(vm.id(), vm.name(), "RUNNING", vm.memoryBytes(), vm.vcpus(), vm.vtpmInstanceId(),
                vm.vtpmEpoch() + 1, vm.launchMeasurements()));
    }

    synchronized void setVmState(String id, String state) {
        VmDetails vm = vms.get(id);
        vms.put(id, new VmDetails(vm.id(), vm.name(), state, vm.memoryBytes(), vm.vcpus(), vm.vtpmInstanceId(),
                vm.vtpmEpoch(), vm.launchMeasurements()));
    }

    /** Serves record {@code sequence} with its verdict changed, as if the log file had been edited after signing. */
    synchronized void tamperWithRecord(long sequence) {
        tamperedRecords.add(sequence);
    }

    AuditRecord record(AuditEvent event) {
        return host.append(event);
    }

    @Override
    public HostInfo hostInfo() {
        return new HostInfo(host.hostId, host.tpmConnector(), "IBM SW TPM 2.0 (swtpm), firmware 20191023", "0.1.0",
                API_VERSION, List.of("1"), null, "0.7", new HostInfo.Enrolment(HostInfo.EnrolmentState.ENROLLED.name(),
                        host.ekSubject(), host.akNameHex(), enrolledAt, null));
    }

    @Override
    public HostEvidence hostEvidence(EvidenceRequest request) {
        return host.quote(Base64.getDecoder().decode(request.nonce()), request.pcrSelection(), request.includeEventLog(),
                request.includeImaLog());
    }

    @Override
    public synchronized VmList vms() {
        return new VmList(vms.values().stream().map(v -> new VmSummary(v.id(), v.name(), v.state())).toList());
    }

    @Override
    public synchronized VmDetails vm(String vmId) throws ManagementException {
        VmDetails vm = vms.get(vmId);
        if (vm == null) {
            throw new ManagementException(ErrorCode.NOT_FOUND, "no VM '" + vmId + "' on " + host.hostId);
        }
        return vm;
    }

    @Override
    public synchronized VmDetails startVm(String vmId) throws ManagementException {
        return changeState(vmId, "STOPPED", "RUNNING");
    }

    @Override
    public synchronized VmDetails stopVm(String vmId) throws ManagementException {
        return changeState(vmId, "RUNNING", "STOPPED");
    }

    private VmDetails changeState(String vmId, String from, String to) throws ManagementException {
        VmDetails vm = vm(vmId);
        if (!vm.state().equals(from)) {
            throw new ManagementException(ErrorCode.CONFLICT, "VM '" + vmId + "' is " + vm.state() + ", not " + from);
        }
        setVmState(vmId, to);
        return vms.get(vmId);
    }

    /** Every other clean or tampered test host counts as enrolled: the fixture has no peer protocol. */
    @Override
    public PeerList peers() {
        return new PeerList(network.agents().stream().filter(a -> a != this).map(a -> new PeerSummary(a.hostId(),
                "127.0.0.1:7710", a.host.akNameHex(), a.host.ekSubject(), a.host.ekSubject(), enrolledAt)).toList());
    }

    @Override
    public PeerSummary enrolPeer(EnrolPeerRequest request) throws ManagementException {
        throw new ManagementException(ErrorCode.UNAVAILABLE, "test host " + host.hostId
                + " has no peer protocol; enrolment needs a real engine agent");
    }

    @Override
    public synchronized PolicyList policies() {
        return new PolicyList(policies.values().stream().map(FixtureAgent::summary).toList());
    }

    @Override
    public synchronized PolicyDocument policy(String policyId) throws ManagementException {
        PolicyDocument d = policies.get(policyId);
        if (d == null) {
            throw new ManagementException(ErrorCode.NOT_FOUND, "no policy '" + policyId + "' on " + host.hostId);
        }
        return d;
    }

    @Override
    public synchronized PolicySummary putPolicy(String policyId, PolicyUpload upload) throws ManagementException {
        try {
            Policy p = PolicyJson.parse(upload.text(), policyId, null);
            if (!p.id().equals(policyId)) {
                throw new ManagementException(ErrorCode.INVALID_ARGUMENT, "the policy's id is '" + p.id()
                        + "', not '" + policyId + "'");
            }
        } catch (PolicyFormatException e) {
            throw new ManagementException(ErrorCode.INVALID_ARGUMENT, "not a valid policy: " + e.getMessage());
        }
        PolicyDocument old = policies.get(policyId);
        if (upload.expectedDigest() != null && (old == null || !old.digest().equals(upload.expectedDigest()))) {
            throw new ManagementException(ErrorCode.CONFLICT, "policy '" + policyId + "' has digest "
                    + (old == null ? "none" : old.digest()) + ", not " + upload.expectedDigest());
        }
        PolicyDocument d = new PolicyDocument(policyId, HexFormat.of().formatHex(HashAlgorithm.SHA256.digest(
                upload.text().getBytes(StandardCharsets.UTF_8))), upload.text(), Instant.now());
        policies.put(policyId, d);
        return summary(d);
    }

    private static PolicySummary summary(PolicyDocument d) {
        return new PolicySummary(d.id(), d.digest(), d.text().getBytes(StandardCharsets.UTF_8).length, d.updatedAt());
    }

    @Override
    public MigrationStarted startMigration(StartMigrationRequest request) throws ManagementException {
        VmDetails vm;
        PolicyDocument policy;
        synchronized (this) {
            vm = vms.get(request.vmId());
            if (vm == null) {
                throw new ManagementException(ErrorCode.NOT_FOUND, "no VM '" + request.vmId() + "' on " + host.hostId);
            }
            if (!"RUNNING".equals(vm.state())) {
                throw new ManagementException(ErrorCode.CONFLICT, "VM '" + vm.id() + "' is " + vm.state()
                        + ", not RUNNING");
            }
            policy = policies.get(request.policyId());
            if (policy == null) {
                throw new ManagementException(ErrorCode.NOT_FOUND, "no policy '" + request.policyId() + "' on "
                        + host.hostId);
            }
            if (request.policyDigest() != null && !request.policyDigest().equals(policy.digest())) {
                throw new ManagementException(ErrorCode.CONFLICT, "policy '" + policy.id() + "' changed: its digest is "
                        + policy.digest() + ", the request reviewed " + request.policyDigest());
            }
        }
        FixtureAgent destination = network.agent(request.destinationHostId()).orElseThrow(() -> new ManagementException(
                ErrorCode.INVALID_ARGUMENT, "unknown destination host '" + request.destinationHostId() + "'"));
        if (destination == this) {
            throw new ManagementException(ErrorCode.INVALID_ARGUMENT, "the destination is this host");
        }
        String id = "mig-" + MIGRATION_NUMBERS.incrementAndGet() + "-" + vm.id();
        Policy parsed;
        try {
            parsed = PolicyJson.parse(policy.text(), policy.id(), null);
        } catch (PolicyFormatException e) {
            throw new ManagementException(ErrorCode.INVALID_ARGUMENT, "stored policy does not parse: " + e.getMessage());
        }
        ScriptedMigration run = new ScriptedMigration(id, vm, this, destination, policy, parsed);
        synchronized (this) {
            setVmState(vm.id(), "MIGRATING_OUT");
            migrations.put(id, run);
        }
        return new MigrationStarted(id);
    }

    @Override
    public MigrationList migrations() {
        List<ScriptedMigration> runs;
        synchronized (this) {
            runs = new ArrayList<>(migrations.values());
        }
        // a run locks itself and then its agents while it advances: never the other way round
        List<MigrationStatus> out = new ArrayList<>();
        runs.forEach(m -> out.add(0, m.status()));
        return new MigrationList(out);
    }

    @Override
    public MigrationStatus migration(String migrationId) throws ManagementException {
        ScriptedMigration run;
        synchronized (this) {
            run = migrations.get(migrationId);
        }
        if (run == null) {
            throw new ManagementException(ErrorCode.NOT_FOUND, "no migration '" + migrationId + "' on " + host.hostId);
        }
        return run.advance();
    }

    @Override
    public MigrationStatus cancelMigration(String migrationId) throws ManagementException {
        throw new ManagementException(ErrorCode.CONFLICT, "scripted test migration '" + migrationId
                + "' runs to its end; cancelling needs a real engine agent");
    }

    @Override
    public AuditPage audit(long from, int limit) throws ManagementException {
        if (limit < 1 || limit > AuditPage.MAX_LIMIT) {
            throw new ManagementException(ErrorCode.MALFORMED_REQUEST, "limit " + limit + " outside 1.."
                    + AuditPage.MAX_LIMIT);
        }
        List<Map.Entry<AuditRecord, String>> after = host.auditLines().stream()
                .filter(e -> e.getKey().sequence() >= from).toList();
        List<Map.Entry<AuditRecord, String>> slice = after.subList(0, Math.min(limit, after.size()));
        List<org.vtpmmigrate.management.AuditRecord> page = new ArrayList<>();
        for (Map.Entry<AuditRecord, String> e : slice) {
            AuditRecord r = e.getKey();
            String line = e.getValue();
            synchronized (this) {
                if (tamperedRecords.contains(r.sequence())) {
                    line = line.replace("\"verdict\":\"TRUSTED\"", "\"verdict\":\"REFUSED\"");
                }
            }
            page.add(new org.vtpmmigrate.management.AuditRecord(r.sequence(), r.time(), r.kind().name(),
                    r.event().migrationId().orElse(null), null, summary(r),
                    Base64.getEncoder().encodeToString(line.getBytes(StandardCharsets.UTF_8)),
                    Base64.getEncoder().encodeToString(r.signature())));
        }
        long next = slice.isEmpty() ? from : slice.get(slice.size() - 1).getKey().sequence() + 1;
        return new AuditPage(from, page, next, after.size() > slice.size());
    }

    private static String summary(AuditRecord r) {
        StringBuilder s = new StringBuilder(r.kind().name().toLowerCase().replace('_', ' '));
        r.event().vmId().ifPresent(v -> s.append(" of ").append(v));
        r.event().peerHost().ifPresent(p -> s.append(r.event().role().map(role -> role.name().equals("SOURCE")
                ? " to " : " from ").orElse(" with ")).append(p));
        r.event().verdict().ifPresent(v -> s.append(": ").append(v));
        if (r.kind() == EventKind.LOG_OPENED) {
            s.append(" by ").append(r.hostId());
        }
        return s.toString();
    }
}
