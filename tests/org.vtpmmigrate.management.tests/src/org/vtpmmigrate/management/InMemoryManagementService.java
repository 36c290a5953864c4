package org.vtpmmigrate.management;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's side of the management API as an in-memory fixture: VMs, policies, migrations that
 * advance one phase per {@link #advance(String)}, and an audit log. {@link #as(Caller)} gives the
 * per-caller view the server asks for; every call is recorded with its caller.
 */
final class InMemoryManagementService {
    static final String FAULTY_VM = "vm-faulty";
    static final String FAULT_DETAIL = "secret internal detail";

    private final RealEvidence evidence;
    private final Map<String, VmDetails> vms = new LinkedHashMap<>();
    private final Map<String, PolicyDocument> policies = new LinkedHashMap<>();
    private final Map<String, Run> migrations = new LinkedHashMap<>();
    private final List<AuditRecord> audit = new ArrayList<>();
    private final Map<String, PeerSummary> peers = new LinkedHashMap<>();
    private final AtomicInteger migrationNumbers = new AtomicInteger();

    /** Every call: the caller and the method name. */
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<Caller> callers = new CopyOnWriteArrayList<>();

    /** When set, hostInfo() waits at this barrier: it trips only if enough calls run at the same time. */
    volatile CyclicBarrier hostInfoBarrier;
    /** When set, hostInfo() signals {@code hostInfoEntered} and waits for this latch. */
    volatile CountDownLatch hostInfoRelease;
    final CountDownLatch hostInfoEntered = new CountDownLatch(1);

    final HostInfo hostInfo = new HostInfo(TestPki.SERVER_HOST_ID, "swtpm:127.0.0.1:2321",
            "IBM SW TPM, firmware 20191023.0", "0.1.0", ManagementService.API_VERSION, List.of("1"), "7.2.19",
            "0.7.1", new HostInfo.Enrolment(HostInfo.EnrolmentState.ENROLLED.name(),
                    "CN=swtpm EK,O=test", "000bc18294c2cb23327a6ff469c0153c11877858ad359c6e82efad3459e5ad38d00c",
                    Instant.parse("2025-01-31T12:00:00Z"), null));

    InMemoryManagementService(RealEvidence evidence) {
        this.evidence = evidence;
        vms.put("vm-web", new VmDetails("vm-web", "web frontend", "RUNNING", 1L << 30, 2, "vtpm-web", 3,
                List.of(new VmDetails.LaunchMeasurement("firmware", "sha256", "ab".repeat(32)),
                        new VmDetails.LaunchMeasurement("kernel", "sha256", "cd".repeat(32)))));
        vms.put("vm-db", new VmDetails("vm-db", null, "PAUSED", 4L << 30, 4, "vtpm-db", 0, List.of()));
    }

    ManagementService as(Caller caller) {
        return new View(caller);
    }

    private void record(Caller caller, String method) {
        callers.add(caller);
        calls.add(method);
    }

    /** Moves a run to its next phase, as the engine would while the protocol progresses. */
    synchronized MigrationStatus advance(String migrationId) {
        Run run = migrations.get(migrationId);
        MigrationStatus.Phase next = MigrationStatus.Phase.values()[run.phase.ordinal() + 1];
        run.phase = next;
        switch (next) {
            case ATTESTATION:
                run.verdicts.set(0, verdict(PartyVerdict.Party.DESTINATION, PartyVerdict.Status.ACCEPTED));
                break;
            case KEY_ESTABLISHMENT:
                run.verdicts.set(1, verdict(PartyVerdict.Party.SOURCE, PartyVerdict.Status.ACCEPTED));
                run.verdicts.set(2, verdict(PartyVerdict.Party.VM, PartyVerdict.Status.ACCEPTED));
                break;
            case TRANSFER:
                run.bytesTransferred = 512L << 20;
                run.precopyRounds = 2;
                break;
            case COMMIT:
                run.bytesTransferred = run.bytesTotal;
                run.precopyRounds = 3;
                break;
            case DONE:
                run.result = new MigrationResult(MigrationResult.Outcome.COMMITTED.name(), null,
                        "committed; the VM runs on " + run.request.destinationHostId(), Instant.now(), 42);
                appendAudit("COMMITTED", migrationId, null, "migration " + migrationId + " committed");
                break;
            default:
                break;
        }
        return run.status();
    }

    private static PartyVerdict verdict(PartyVerdict.Party party, PartyVerdict.Status status) {
        return new PartyVerdict(party.name(), status.name(), List.of());
    }

    private void appendAudit(String type, String migrationId, String actor, String summary) {
        long sequence = audit.size();
        audit.add(new AuditRecord(sequence, Instant.now(), type, migrationId, actor, summary,
                Base64.getEncoder().encodeToString((sequence + "|" + type + "|" + summary).getBytes(StandardCharsets.UTF_8)),
                Base64.getEncoder().encodeToString(new byte[] {0x30, 0x45, (byte) sequence})));
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One migration run and its mutable progress. */
    private final class Run {
        final String id;
        final StartMigrationRequest request;
        final String policyDigest;
        final String requestedBy;
        final Instant startedAt = Instant.now();
        final List<PartyVerdict> verdicts = new ArrayList<>(List.of(
                verdict(PartyVerdict.Party.DESTINATION, PartyVerdict.Status.PENDING),
                verdict(PartyVerdict.Party.SOURCE, PartyVerdict.Status.PENDING),
                verdict(PartyVerdict.Party.VM, PartyVerdict.Status.PENDING)));
        MigrationStatus.Phase phase = MigrationStatus.Phase.REQUEST;
        long bytesTransferred;
        final long bytesTotal = 1L << 30;
        int precopyRounds;
        MigrationResult result;

        Run(String id, StartMigrationRequest request, String policyDigest, String requestedBy) {
            this.id = id;
            this.request = request;
            this.policyDigest = policyDigest;
            this.requestedBy = requestedBy;
        }

        MigrationStatus status() {
            return new MigrationStatus(id, request.vmId(), TestPki.SERVER_HOST_ID, request.destinationHostId(),
                    request.policyId(), policyDigest, requestedBy, phase.name(), null, bytesTransferred,
                    phase.ordinal() >= MigrationStatus.Phase.TRANSFER.ordinal() ? bytesTotal : -1, precopyRounds,
                    startedAt, Duration.between(startedAt, Instant.now()).toMillis(), verdicts, result);
        }
    }

    /** The service as one caller sees it. */
    private final class View implements ManagementService {
        private final Caller caller;

        View(Caller caller) {
            this.caller = caller;
        }

        @Override
        public HostInfo hostInfo() throws ManagementException {
            record(caller, "hostInfo");
            CyclicBarrier barrier = hostInfoBarrier;
            if (barrier != null) {
                try {
                    barrier.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                    throw new ManagementException(ErrorCode.UNAVAILABLE, "concurrent calls did not meet: " + e);
                }
            }
            CountDownLatch release = hostInfoRelease;
            if (release != null) {
                hostInfoEntered.countDown();
                try {
                    if (!release.await(30, TimeUnit.SECONDS)) {
                        throw new ManagementException(ErrorCode.UNAVAILABLE, "never released");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ManagementException(ErrorCode.UNAVAILABLE, "interrupted");
                }
            }
            return hostInfo;
        }

        @Override
        public HostEvidence hostEvidence(EvidenceRequest request) throws ManagementException {
            record(caller, "hostEvidence");
            List<HostEvidence.PcrValue> selected = new ArrayList<>();
            for (EvidenceRequest.PcrSelection selection : request.pcrSelection()) {
                for (int index : selection.indices()) {
                    selected.add(evidence.pcrs.stream()
                            .filter(p -> p.bank().equals(selection.bank()) && p.index() == index).findFirst()
                            .orElseThrow(() -> new ManagementException(ErrorCode.INVALID_ARGUMENT, "PCR "
                                    + selection.bank() + ":" + index + " is not in the quote")));
                }
            }
            return new HostEvidence(TestPki.SERVER_HOST_ID, request.nonce(), RealEvidence.base64(evidence.quoted),
                    RealEvidence.base64(evidence.signature), RealEvidence.base64(evidence.akPublic),
                    HexFormat.of().formatHex(evidence.akName), selected,
                    request.includeEventLog() ? RealEvidence.base64(evidence.eventLog) : null,
                    request.includeImaLog() ? RealEvidence.base64(evidence.imaLog) : null,
                    evidence.ekCertificateChain.stream().map(RealEvidence::base64).toList());
        }

        @Override
        public VmList vms() {
            record(caller, "vms");
            synchronized (InMemoryManagementService.this) {
                return new VmList(vms.values().stream().map(v -> new VmSummary(v.id(), v.name(), v.state())).toList());
            }
        }

        @Override
        public VmDetails vm(String vmId) throws ManagementException {
            record(caller, "vm");
            if (vmId.equals(FAULTY_VM)) {
                throw new IllegalStateException(FAULT_DETAIL);
            }
            synchronized (InMemoryManagementService.this) {
                VmDetails vm = vms.get(vmId);
                if (vm == null) {
                    throw new ManagementException(ErrorCode.NOT_FOUND, "VM '" + vmId + "' is not on this host");
                }
                return vm;
            }
        }

        @Override
        public VmDetails startVm(String vmId) throws ManagementException {
            record(caller, "startVm");
            return changeState(vmId, "RUNNING");
        }

        @Override
        public VmDetails stopVm(String vmId) throws ManagementException {
            record(caller, "stopVm");
            return changeState(vmId, "STOPPED");
        }

        private VmDetails changeState(String vmId, String state) throws ManagementException {
            synchronized (InMemoryManagementService.this) {
                VmDetails vm = vms.get(vmId);
                if (vm == null) {
                    throw new ManagementException(ErrorCode.NOT_FOUND, "VM '" + vmId + "' is not on this host");
                }
                if (vm.state().equals(state)) {
                    throw new ManagementException(ErrorCode.CONFLICT, "VM '" + vmId + "' is " + state + " already");
                }
                VmDetails changed = new VmDetails(vm.id(), vm.name(), state, vm.memoryBytes(), vm.vcpus(),
                        vm.vtpmInstanceId(), vm.vtpmEpoch(), vm.launchMeasurements());
                vms.put(vmId, changed);
                return changed;
            }
        }

        @Override
        public PeerList peers() {
            record(caller, "peers");
            synchronized (InMemoryManagementService.this) {
                return new PeerList(List.copyOf(peers.values()));
            }
        }

        @Override
        public PeerSummary enrolPeer(EnrolPeerRequest request) throws ManagementException {
            record(caller, "enrolPeer");
            if (request.address().startsWith("unreachable.")) {
                throw new ManagementException(ErrorCode.UNAVAILABLE, "peer " + request.address() + " does not answer");
            }
            synchronized (InMemoryManagementService.this) {
                String hostId = "peer-" + (peers.size() + 1);
                PeerSummary peer = new PeerSummary(hostId, request.address(), "000b" + "ab".repeat(32),
                        "CN=" + hostId + " EK", "CN=test TPM CA", Instant.now());
                peers.put(hostId, peer);
                return peer;
            }
        }

        @Override
        public PolicyList policies() {
            record(caller, "policies");
            synchronized (InMemoryManagementService.this) {
                return new PolicyList(policies.values().stream().map(InMemoryManagementService::summary).toList());
            }
        }

        @Override
        public PolicyDocument policy(String policyId) throws ManagementException {
            record(caller, "policy");
            synchronized (InMemoryManagementService.this) {
                PolicyDocument policy = policies.get(policyId);
                if (policy == null) {
                    throw new ManagementException(ErrorCode.NOT_FOUND, "policy '" + policyId + "' does not exist");
                }
                return policy;
            }
        }

        @Override
        public PolicySummary putPolicy(String policyId, PolicyUpload upload) throws ManagementException {
            record(caller, "putPolicy");
            if (!upload.text().contains("\"pcrs\"")) {
                throw new ManagementException(ErrorCode.INVALID_ARGUMENT, "policy '" + policyId
                        + "': field 'pcrs' is missing");
            }
            synchronized (InMemoryManagementService.this) {
                PolicyDocument current = policies.get(policyId);
                if (upload.expectedDigest() != null
                        && (current == null || !current.digest().equals(upload.expectedDigest()))) {
                    throw new ManagementException(ErrorCode.CONFLICT, "policy '" + policyId + "' has digest "
                            + (current == null ? "none (it does not exist)" : current.digest()) + ", not "
                            + upload.expectedDigest());
                }
                PolicyDocument stored = new PolicyDocument(policyId, sha256(upload.text()), upload.text(), Instant.now());
                policies.put(policyId, stored);
                appendAudit("POLICY_STORED", null, caller.subject(), "policy " + policyId + " stored");
                return summary(stored);
            }
        }

        @Override
        public MigrationStarted startMigration(StartMigrationRequest request) throws ManagementException {
            record(caller, "startMigration");
            synchronized (InMemoryManagementService.this) {
                if (!vms.containsKey(request.vmId())) {
                    throw new ManagementException(ErrorCode.NOT_FOUND, "VM '" + request.vmId() + "' is not on this host");
                }
                PolicyDocument policy = policies.get(request.policyId());
                if (policy == null) {
                    throw new ManagementException(ErrorCode.INVALID_ARGUMENT, "policy '" + request.policyId()
                            + "' does not exist");
                }
                if (request.policyDigest() != null && !request.policyDigest().equals(policy.digest())) {
                    throw new ManagementException(ErrorCode.CONFLICT, "policy '" + request.policyId()
                            + "' changed: digest " + policy.digest() + ", reviewed " + request.policyDigest());
                }
                for (Run run : migrations.values()) {
                    if (run.request.vmId().equals(request.vmId()) && run.result == null) {
                        throw new ManagementException(ErrorCode.CONFLICT, "VM '" + request.vmId()
                                + "' is already being migrated by " + run.id);
                    }
                }
                String id = "mig-" + migrationNumbers.incrementAndGet();
                migrations.put(id, new Run(id, request, policy.digest(), caller.subject()));
                appendAudit("MIGRATION_REQUESTED", id, caller.subject(), "migrate " + request.vmId() + " to "
                        + request.destinationHostId());
                return new MigrationStarted(id);
            }
        }

        @Override
        public MigrationList migrations() {
            record(caller, "migrations");
            synchronized (InMemoryManagementService.this) {
                List<MigrationStatus> newestFirst = new ArrayList<>();
                for (Run run : migrations.values()) {
                    newestFirst.add(0, run.status());
                }
                return new MigrationList(newestFirst);
            }
        }

        @Override
        public MigrationStatus migration(String migrationId) throws ManagementException {
            record(caller, "migration");
            synchronized (InMemoryManagementService.this) {
                Run run = migrations.get(migrationId);
                if (run == null) {
                    throw new ManagementException(ErrorCode.NOT_FOUND, "no migration '" + migrationId + "'");
                }
                return run.status();
            }
        }

        @Override
        public MigrationStatus cancelMigration(String migrationId) throws ManagementException {
            record(caller, "cancelMigration");
            synchronized (InMemoryManagementService.this) {
                Run run = migrations.get(migrationId);
                if (run == null) {
                    throw new ManagementException(ErrorCode.NOT_FOUND, "no migration '" + migrationId + "'");
                }
                if (run.result == null) {
                    run.phase = MigrationStatus.Phase.DONE;
                    run.result = new MigrationResult(MigrationResult.Outcome.FAILED.name(), "CANCELLED",
                            "cancelled by " + caller.subject() + "; the VM runs on the source", Instant.now(), -1);
                }
                return run.status();
            }
        }

        @Override
        public AuditPage audit(long from, int limit) {
            record(caller, "audit");
            synchronized (InMemoryManagementService.this) {
                int start = (int) Math.min(from, audit.size());
                int end = Math.min(audit.size(), start + limit);
                return new AuditPage(from, List.copyOf(audit.subList(start, end)), Math.max(from, end), end < audit.size());
            }
        }
    }

    private static PolicySummary summary(PolicyDocument policy) {
        return new PolicySummary(policy.id(), policy.digest(), policy.text().getBytes(StandardCharsets.UTF_8).length,
                policy.updatedAt());
    }
}
