package org.vtpmmigrate.engine.internal.host;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.vtpmmigrate.engine.internal.migration.DefaultMigrationEngine;
import org.vtpmmigrate.engine.internal.migration.HostPlatform;
import org.vtpmmigrate.engine.migration.EnrolledPeer;
import org.vtpmmigrate.engine.migration.EnrolmentException;
import org.vtpmmigrate.engine.migration.MigrationHandle;
import org.vtpmmigrate.engine.migration.MigrationRefusedException;
import org.vtpmmigrate.engine.migration.PeerAddress;
import org.vtpmmigrate.engine.migration.VmOperationException;
import org.vtpmmigrate.engine.migration.VmStatus;
import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.LaunchMeasurement;
import org.vtpmmigrate.hypervisor.VmConfig;
import org.vtpmmigrate.management.AuditPage;
import org.vtpmmigrate.management.Caller;
import org.vtpmmigrate.management.EnrolPeerRequest;
import org.vtpmmigrate.management.ErrorCode;
import org.vtpmmigrate.management.EvidenceRequest;
import org.vtpmmigrate.management.HostEvidence;
import org.vtpmmigrate.management.HostInfo;
import org.vtpmmigrate.management.ManagementException;
import org.vtpmmigrate.management.ManagementService;
import org.vtpmmigrate.management.MigrationList;
import org.vtpmmigrate.management.MigrationResult;
import org.vtpmmigrate.management.MigrationStarted;
import org.vtpmmigrate.management.MigrationStatus;
import org.vtpmmigrate.management.PartyVerdict;
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
import org.vtpmmigrate.protocol.PlatformException;
import org.vtpmmigrate.protocol.Role;
import org.vtpmmigrate.protocol.VerificationFailure;
import org.vtpmmigrate.tpm.PcrBank;
import org.vtpmmigrate.tpm.PcrSelection;

/**
 * The management API of an {@link EngineHost}, as one authenticated caller sees it: a thin
 * translation between the API's DTOs and the engine, the stored policies and the attestation log.
 * The engine's own refusals come back with its words.
 */
final class EngineManagementService implements ManagementService {
    private static final int MAX_MESSAGE = 4000;
    private static final HexFormat HEX = HexFormat.of();

    private final EngineHost host;
    private final Caller caller;

    EngineManagementService(EngineHost host, Caller caller) {
        this.host = host;
        this.caller = caller;
    }

    private DefaultMigrationEngine engine() {
        return host.engine();
    }

    @Override
    public HostInfo hostInfo() {
        HostPlatform platform = engine().platform();
        String akName = HEX.formatHex(platform.attestationKeyPublic().name());
        HostInfo.Enrolment enrolment = platform.ekCertificate().isPresent()
                ? new HostInfo.Enrolment(HostInfo.EnrolmentState.ENROLLED.name(),
                        engine().identity().ekCertificateSubject().orElse(engine().identity().ekCertificateIssuer()
                                .map(issuer -> "(EK certificate issued by " + issuer + ")").orElse(null)),
                        akName, host.startedAt(), null)
                : new HostInfo.Enrolment(HostInfo.EnrolmentState.NOT_ENROLLED.name(), null, akName, null,
                        "the platform TPM has no EK certificate, so no peer can enrol this host");
        return new HostInfo(host.hostId(), label(host.settings().tpmConnector()), label(host.tpmDescription()),
                engineVersion(),
                API_VERSION, List.of("1"), null, null, enrolment);
    }

    private static String engineVersion() {
        Package p = EngineManagementService.class.getPackage();
        return p != null && p.getImplementationVersion() != null ? p.getImplementationVersion() : "0.1.0";
    }

    @Override
    public HostEvidence hostEvidence(EvidenceRequest request) throws ManagementException {
        byte[] nonce = Base64.getDecoder().decode(request.nonce());
        PcrSelection.Builder selection = PcrSelection.builder();
        for (EvidenceRequest.PcrSelection s : request.pcrSelection()) {
            PcrBank bank;
            try {
                bank = PcrBank.fromName(s.bank());
            } catch (IllegalArgumentException e) {
                throw new ManagementException(ErrorCode.INVALID_ARGUMENT, "PCR bank '" + s.bank() + "': " + e.getMessage());
            }
            try {
                selection.add(bank, s.indices());
            } catch (IllegalArgumentException e) {
                throw new ManagementException(ErrorCode.INVALID_ARGUMENT, "PCR selection: " + e.getMessage());
            }
        }
        HostPlatform platform = engine().platform();
        HostPlatform.PlatformQuote quote;
        try {
            quote = platform.quote(nonce, selection.build());
        } catch (PlatformException e) {
            throw new ManagementException(ErrorCode.UNAVAILABLE, "the platform TPM did not quote: " + e.getMessage());
        }
        List<HostEvidence.PcrValue> pcrs = new ArrayList<>();
        for (EvidenceRequest.PcrSelection s : request.pcrSelection()) {
            PcrBank bank = PcrBank.fromName(s.bank());
            for (int index : s.indices()) {
                pcrs.add(new HostEvidence.PcrValue(s.bank(), index, HEX.formatHex(quote.values().value(bank, index))));
            }
        }
        Base64.Encoder b64 = Base64.getEncoder();
        List<String> chain = new ArrayList<>();
        platform.ekCertificate().ifPresent(ek -> {
            chain.add(b64.encodeToString(ek));
            host.ownEkChain().forEach(c -> chain.add(b64.encodeToString(c)));
        });
        return new HostEvidence(host.hostId(), request.nonce(), b64.encodeToString(quote.quote().attest()),
                b64.encodeToString(quote.quote().signature()),
                b64.encodeToString(platform.attestationKeyPublic().tpm2bPublic()),
                HEX.formatHex(platform.attestationKeyPublic().name()), pcrs,
                request.includeEventLog() ? b64.encodeToString(quote.eventLog()) : null, null, chain);
    }

    @Override
    public VmList vms() {
        return new VmList(engine().vms().stream()
                .map(v -> new VmSummary(v.vmId(), null, v.state().name())).toList());
    }

    @Override
    public VmDetails vm(String vmId) throws ManagementException {
        VmStatus status = engine().vm(vmId).orElseThrow(() -> unknownVm(vmId));
        VmConfig config = engine().definition(vmId).orElseThrow(() -> unknownVm(vmId));
        List<VmDetails.LaunchMeasurement> measurements = new ArrayList<>();
        try {
            for (LaunchMeasurement.Event e : LaunchMeasurement.of(config).events()) {
                measurements.add(new VmDetails.LaunchMeasurement(e.name(), "sha256", HEX.formatHex(e.contentDigest())));
            }
        } catch (HypervisorException e) {
            throw new ManagementException(ErrorCode.UNAVAILABLE, "the launch inputs of VM '" + vmId
                    + "' cannot be measured: " + e.getMessage());
        }
        return new VmDetails(vmId, null, status.state().name(), status.memoryMiB() << 20, config.vcpus(), vmId,
                status.vtpmEpoch().orElse(0), measurements);
    }

    private ManagementException unknownVm(String vmId) {
        return new ManagementException(ErrorCode.NOT_FOUND, "no VM '" + vmId + "' on " + host.hostId());
    }

    @Override
    public VmDetails startVm(String vmId) throws ManagementException {
        VmConfig config = engine().definition(vmId).orElseThrow(() -> unknownVm(vmId));
        try {
            engine().start(config);
        } catch (VmOperationException e) {
            throw vmFailure(e);
        }
        return vm(vmId);
    }

    @Override
    public VmDetails stopVm(String vmId) throws ManagementException {
        try {
            engine().stop(vmId);
        } catch (VmOperationException e) {
            throw vmFailure(e);
        }
        return vm(vmId);
    }

    private static ManagementException vmFailure(VmOperationException e) {
        ErrorCode code = switch (e.reason()) {
            case UNKNOWN_VM -> ErrorCode.NOT_FOUND;
            case CONFLICTING_DEFINITION, WRONG_STATE -> ErrorCode.CONFLICT;
            default -> ErrorCode.UNAVAILABLE;
        };
        return new ManagementException(code, cut(e.getMessage()));
    }

    @Override
    public PeerList peers() {
        return new PeerList(engine().peers().stream().map(EngineManagementService::peer).toList());
    }

    private static PeerSummary peer(EnrolledPeer p) {
        return new PeerSummary(p.hostId(), p.address().host() + ":" + p.address().port(), p.attestationKeyName(),
                p.ekCertificateSubject().isEmpty() ? "(empty subject)" : p.ekCertificateSubject(),
                p.ekCertificateIssuer(), p.enrolledAt());
    }

    @Override
    public PeerSummary enrolPeer(EnrolPeerRequest request) throws ManagementException {
        PeerAddress address = address(request.address());
        try {
            return peer(engine().enrol(address));
        } catch (EnrolmentException e) {
            ErrorCode code = e.reason() == EnrolmentException.Reason.CONNECTION ? ErrorCode.UNAVAILABLE
                    : ErrorCode.CONFLICT;
            throw new ManagementException(code, "enrolment of " + request.address() + " refused ("
                    + e.reason().name().toLowerCase(Locale.ROOT).replace('_', ' ') + "): " + cut(e.getMessage()));
        }
    }

    private static PeerAddress address(String hostAndPort) throws ManagementException {
        int colon = hostAndPort.lastIndexOf(':');
        String h = hostAndPort.substring(0, colon);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        try {
            return new PeerAddress(h, Integer.parseInt(hostAndPort.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw new ManagementException(ErrorCode.INVALID_ARGUMENT, "address '" + hostAndPort + "': " + e.getMessage());
        }
    }

    @Override
    public PolicyList policies() {
        return host.policies().list();
    }

    @Override
    public PolicyDocument policy(String policyId) throws ManagementException {
        return host.policies().document(policyId);
    }

    @Override
    public PolicySummary putPolicy(String policyId, PolicyUpload upload) throws ManagementException {
        return host.policies().put(policyId, upload);
    }

    @Override
    public MigrationStarted startMigration(StartMigrationRequest request) throws ManagementException {
        PolicyDocument policy = host.policies().document(request.policyId());
        if (request.policyDigest() != null && !request.policyDigest().equals(policy.digest())) {
            throw new ManagementException(ErrorCode.CONFLICT, "policy '" + policy.id() + "' changed: its digest is "
                    + policy.digest() + ", the request reviewed " + request.policyDigest());
        }
        if (request.destinationHostId().equals(host.hostId())) {
            throw new ManagementException(ErrorCode.INVALID_ARGUMENT, "the destination is this host");
        }
        EnrolledPeer destination = engine().peers().stream()
                .filter(p -> p.hostId().equals(request.destinationHostId())).findFirst()
                .orElseThrow(() -> new ManagementException(ErrorCode.CONFLICT, "host '" + request.destinationHostId()
                        + "' is not enrolled on " + host.hostId() + ": enrol it first"));
        PeerAddress address = request.destinationAddress() == null ? destination.address()
                : address(request.destinationAddress());
        try {
            MigrationHandle handle = engine().migrate(request.vmId(), address, request.policyId());
            host.requestedBy(handle.migrationId(), caller.subject());
            return new MigrationStarted(handle.migrationId());
        } catch (MigrationRefusedException e) {
            ErrorCode code = switch (e.reason()) {
                case UNKNOWN_VM, UNKNOWN_POLICY -> ErrorCode.NOT_FOUND;
                case ENGINE_UNAVAILABLE -> ErrorCode.UNAVAILABLE;
                default -> ErrorCode.CONFLICT;
            };
            throw new ManagementException(code, cut(e.getMessage()));
        }
    }

    @Override
    public MigrationList migrations() {
        List<MigrationStatus> newestFirst = new ArrayList<>();
        for (MigrationHandle h : engine().migrations()) {
            newestFirst.add(0, status(h));
        }
        return new MigrationList(newestFirst);
    }

    @Override
    public MigrationStatus migration(String migrationId) throws ManagementException {
        return status(handle(migrationId));
    }

    @Override
    public MigrationStatus cancelMigration(String migrationId) throws ManagementException {
        MigrationHandle handle = handle(migrationId);
        handle.cancel();
        try {
            // the run ends within its deadlines; answering with the end spares the caller a poll
            handle.await(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.TimeoutException e) {
            // still cleaning up: the status says where it is
        }
        return status(handle);
    }

    private MigrationHandle handle(String migrationId) throws ManagementException {
        List<MigrationHandle> all = engine().migrations();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).migrationId().equals(migrationId)) {
                return all.get(i);
            }
        }
        throw new ManagementException(ErrorCode.NOT_FOUND, "no migration '" + migrationId + "' on " + host.hostId());
    }

    private MigrationStatus status(MigrationHandle h) {
        boolean source = h.role() == Role.SOURCE;
        var progress = h.progress();
        Optional<org.vtpmmigrate.engine.migration.MigrationResult> result = h.result();
        String digest = host.policies().find(h.policyId()).map(s -> s.document().digest()).orElse("00".repeat(32));
        List<PartyVerdict> verdicts = new ArrayList<>();
        List<org.vtpmmigrate.engine.migration.PartyVerdict> reached = result
                .map(r -> List.copyOf(r.verdicts().values())).orElse(h.verdicts());
        for (org.vtpmmigrate.engine.migration.PartyVerdict v : reached) {
            verdicts.add(verdict(v));
        }
        Instant startedAt = result.map(org.vtpmmigrate.engine.migration.MigrationResult::startedAt)
                .orElse(Instant.now().minus(progress.elapsed()));
        MigrationResult outcome = result.map(this::outcome).orElse(null);
        return new MigrationStatus(h.migrationId(), h.vmId(), source ? host.hostId() : h.peer(),
                source ? h.peer() : host.hostId(), h.policyId(), digest, host.requester(h.migrationId()).orElse(null),
                result.isPresent() ? MigrationStatus.Phase.DONE.name() : progress.phase().name(),
                progress.state().name(), progress.streamBytes(), -1,
                (int) Math.max(0, Math.min(Integer.MAX_VALUE, progress.preCopyRounds())), startedAt,
                progress.elapsed().toMillis(), verdicts, outcome);
    }

    private static PartyVerdict verdict(org.vtpmmigrate.engine.migration.PartyVerdict v) {
        String status = switch (v.status()) {
            case ACCEPTED -> PartyVerdict.Status.ACCEPTED.name();
            case REJECTED -> PartyVerdict.Status.REJECTED.name();
            case NOT_EVALUATED -> PartyVerdict.Status.PENDING.name();
        };
        List<PartyVerdict.Reason> reasons = new ArrayList<>();
        for (VerificationFailure f : v.reasons()) {
            reasons.add(new PartyVerdict.Reason(f.check().name(), cut(f.detail())));
        }
        return new PartyVerdict(v.party().name(), status, reasons);
    }

    private MigrationResult outcome(org.vtpmmigrate.engine.migration.MigrationResult r) {
        long downtime = r.timings().qemuDowntime().map(Duration::toMillis).orElse(-1L);
        if (r.committed()) {
            String where = r.role() == Role.SOURCE ? r.peer() : host.hostId();
            return new MigrationResult(MigrationResult.Outcome.COMMITTED.name(), null,
                    "committed: the VM runs on " + where + " with its vTPM; the source's vTPM state is deleted",
                    r.endedAt(), downtime);
        }
        String message = r.failure().map(f -> r.status().name().toLowerCase(Locale.ROOT) + " ("
                + f.reason().name().toLowerCase(Locale.ROOT).replace('_', ' ') + "): " + f.detail()).orElse("failed");
        String placement = switch (r.placement()) {
            case RUNNING_HERE -> "; the VM runs on " + host.hostId();
            case NOT_HERE -> "; nothing of the VM was kept on " + host.hostId();
            case PAUSED_HERE_IN_DOUBT -> "; the VM is paused on " + host.hostId() + " until an operator resolves the commit";
            default -> "";
        };
        return new MigrationResult(MigrationResult.Outcome.FAILED.name(),
                r.failure().map(f -> f.reason().name()).orElse(r.status().name()), cut(message + placement),
                r.endedAt(), downtime);
    }

    @Override
    public AuditPage audit(long from, int limit) throws ManagementException {
        try {
            return host.audit().page(from, limit);
        } catch (IOException e) {
            throw new ManagementException(ErrorCode.UNAVAILABLE, "the attestation log cannot be read: " + e.getMessage());
        }
    }

    /** Labels are at most 256 characters; long paths are shortened in the middle. */
    private static String label(String text) {
        return text.length() <= 256 ? text : text.substring(0, 120) + "..." + text.substring(text.length() - 120);
    }

    private static String cut(String text) {
        String t = text == null ? "" : text;
        return t.length() <= MAX_MESSAGE ? t : t.substring(0, MAX_MESSAGE - 3) + "...";
    }
}
