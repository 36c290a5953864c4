package org.vtpmmigrate.console.tests;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.vtpmmigrate.attest.policy.Finding;
import org.vtpmmigrate.attest.policy.Policy;
import org.vtpmmigrate.audit.AuditEvent;
import org.vtpmmigrate.audit.ByteCounts;
import org.vtpmmigrate.audit.EventKind;
import org.vtpmmigrate.audit.MigrationPhase;
import org.vtpmmigrate.audit.PhaseTiming;
import org.vtpmmigrate.audit.PreCopyRound;
import org.vtpmmigrate.audit.Reason;
import org.vtpmmigrate.audit.Role;
import org.vtpmmigrate.audit.Severity;
import org.vtpmmigrate.console.model.EvidenceReport;
import org.vtpmmigrate.management.EvidenceRequest;
import org.vtpmmigrate.management.HostEvidence;
import org.vtpmmigrate.management.MigrationResult;
import org.vtpmmigrate.management.MigrationStatus;
import org.vtpmmigrate.management.PartyVerdict;
import org.vtpmmigrate.management.PolicyDocument;
import org.vtpmmigrate.management.VmDetails;

/**
 * A migration as the fixture agents script it: one protocol step each time the source's status is
 * read. The attestation step is real: each host's fresh evidence (a quote of its swtpm over a new
 * nonce, and its logs) is judged under the run's policy, so a tampered destination is refused with the
 * findings a real verifier makes. Transfer and commit are scripted figures. Both hosts write the audit
 * records an engine writes, signed by their TPM AKs.
 */
final class ScriptedMigration {
    static final long VM_BYTES = 2L << 30;
    static final int ROUNDS = 3;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String id;
    private final VmDetails vm;
    private final FixtureAgent source;
    private final FixtureAgent destination;
    private final PolicyDocument policyDocument;
    private final Policy policy;
    private final Instant startedAt = now();
    private final Map<MigrationPhase, Instant> phaseStarts = new EnumMap<>(MigrationPhase.class);
    private final Map<MigrationPhase, Long> phaseMillis = new EnumMap<>(MigrationPhase.class);
    private final List<PreCopyRound> rounds = new ArrayList<>();
    private final List<PartyVerdict> verdicts = new ArrayList<>(List.of(
            pending(PartyVerdict.Party.SOURCE), pending(PartyVerdict.Party.DESTINATION), pending(PartyVerdict.Party.VM)));
    private MigrationStatus.Phase phase = MigrationStatus.Phase.REQUEST;
    private String state = "ADMITTED";
    private long bytes;
    private Instant roundStarted;
    private MigrationResult result;
    private int step;

    ScriptedMigration(String id, VmDetails vm, FixtureAgent source, FixtureAgent destination, PolicyDocument document,
            Policy policy) {
        this.id = id;
        this.vm = vm;
        this.source = source;
        this.destination = destination;
        this.policyDocument = document;
        this.policy = policy;
        phaseStarts.put(MigrationPhase.REQUEST, startedAt);
        source.record(event(EventKind.MIGRATION_REQUESTED, Role.SOURCE).build());
    }

    private static PartyVerdict pending(PartyVerdict.Party party) {
        return new PartyVerdict(party.name(), PartyVerdict.Status.PENDING.name(), List.of());
    }

    private AuditEvent.Builder event(EventKind kind, Role role) {
        return AuditEvent.builder(kind).migration(id).vm(vm.id()).role(role)
                .peer(role == Role.SOURCE ? destination.hostId() : source.hostId());
    }

    /** Moves one step on and returns the status after it. */
    synchronized MigrationStatus advance() {
        if (result == null) {
            step++;
            switch (phase) {
                case REQUEST -> attest();
                case ATTESTATION -> establishKeys();
                case KEY_ESTABLISHMENT -> transferRound();
                case TRANSFER -> {
                    if (rounds.size() < ROUNDS) {
                        transferRound();
                    } else {
                        commit();
                    }
                }
                case COMMIT -> finish();
                default -> {
                }
            }
        }
        return status();
    }

    synchronized MigrationStatus status() {
        long elapsed = (result == null ? now() : result.finishedAt()).toEpochMilli() - startedAt.toEpochMilli();
        return new MigrationStatus(id, vm.id(), source.hostId(), destination.hostId(), policyDocument.id(),
                policyDocument.digest(), "CN=console-admin,OU=administrator,O=vTPM Migrate", phase.name(), state,
                bytes, VM_BYTES + VM_BYTES / 4, rounds.size(), startedAt, Math.max(0, elapsed), verdicts, result);
    }

    private void enter(MigrationPhase ending, MigrationPhase next, MigrationStatus.Phase statusPhase, String newState) {
        Instant now = now();
        phaseMillis.put(ending, now.toEpochMilli() - phaseStarts.get(ending).toEpochMilli());
        if (next != null) {
            phaseStarts.put(next, now);
        }
        phase = statusPhase;
        state = newState;
    }

    private PhaseTiming timing(MigrationPhase p) {
        return new PhaseTiming(p, phaseStarts.get(p), phaseMillis.getOrDefault(p, 0L));
    }

    /** Each host judges the other's fresh evidence under the run's policy. */
    private void attest() {
        enter(MigrationPhase.REQUEST, MigrationPhase.ATTESTATION, MigrationStatus.Phase.ATTESTATION, "QUOTES_EXCHANGED");
        EvidenceReport ofDestination = judge(destination);
        EvidenceReport ofSource = judge(source);
        verdicts.set(0, verdict(PartyVerdict.Party.SOURCE, ofSource));
        verdicts.set(1, verdict(PartyVerdict.Party.DESTINATION, ofDestination));
        verdicts.set(2, new PartyVerdict(PartyVerdict.Party.VM.name(), PartyVerdict.Status.ACCEPTED.name(), List.of()));
        source.record(verdictEvent(Role.SOURCE, ofDestination).phase(timing(MigrationPhase.REQUEST)).build());
        destination.record(verdictEvent(Role.DESTINATION, ofSource).build());
        if (!trusted(ofDestination) || !trusted(ofSource)) {
            enter(MigrationPhase.ATTESTATION, null, MigrationStatus.Phase.DONE, "ABORTED");
            EvidenceReport refused = trusted(ofDestination) ? ofSource : ofDestination;
            String who = refused == ofDestination ? destination.hostId() : source.hostId();
            source.record(event(EventKind.MIGRATION_ABORTED, Role.SOURCE).phase(timing(MigrationPhase.ATTESTATION))
                    .reason(new Reason(Severity.ERROR, "policy", who, "", "", who + " is untrusted under "
                            + policy.id() + ": " + clip(refused.firstReason(), 400))).build());
            source.record(event(EventKind.SOURCE_VM_RESUMED, Role.SOURCE).build());
            destination.record(event(EventKind.INCOMING_STATE_DISCARDED, Role.DESTINATION).build());
            source.setVmState(vm.id(), "RUNNING");
            result = new MigrationResult(MigrationResult.Outcome.FAILED.name(), "POLICY_REJECTED", who
                    + " was refused under policy " + policy.id() + ": "
                    + clip(refused.firstReason().replaceAll("\\.$", ""), 2000) + ". " + vm.id()
                    + " runs on " + source.hostId() + " as before.", now(), -1);
        }
    }

    private EvidenceReport judge(FixtureAgent party) {
        byte[] nonce = new byte[32];
        RANDOM.nextBytes(nonce);
        List<EvidenceRequest.PcrSelection> selection = new ArrayList<>();
        policy.pcrSelection().banks().forEach(b -> selection.add(new EvidenceRequest.PcrSelection(b.bankName(),
                new ArrayList<>(policy.pcrSelection().indices(b)))));
        HostEvidence evidence = party.host.quote(nonce, selection, true, true);
        return EvidenceReport.analyse(party.hostId(), evidence, nonce, policy, true, now());
    }

    private static boolean trusted(EvidenceReport r) {
        return r.judgement() == EvidenceReport.Judgement.TRUSTED;
    }

    private static PartyVerdict verdict(PartyVerdict.Party party, EvidenceReport r) {
        List<PartyVerdict.Reason> reasons = new ArrayList<>();
        for (Finding f : r.findings()) {
            if (f.isError() && reasons.size() < 32) {
                reasons.add(new PartyVerdict.Reason(f.category().name(), clip(f.location().subject() + ": "
                        + f.message() + (f.expected().isEmpty() ? "" : " (expected " + f.expected() + ", found "
                                + f.actual() + ")"), 4000)));
            }
        }
        return new PartyVerdict(party.name(), (trusted(r) ? PartyVerdict.Status.ACCEPTED : PartyVerdict.Status.REJECTED)
                .name(), reasons);
    }

    private AuditEvent.Builder verdictEvent(Role role, EvidenceReport judged) {
        AuditEvent.Builder b = event(EventKind.ATTESTATION_VERDICT, role).verdict(trusted(judged)
                ? org.vtpmmigrate.audit.Verdict.TRUSTED : org.vtpmmigrate.audit.Verdict.REFUSED)
                .detail("policy", policy.reference());
        for (Finding f : judged.findings()) {
            if (f.isError()) {
                b.reason(new Reason(Severity.ERROR, f.category().name().toLowerCase(), clip(f.location().subject(), 500),
                        clip(f.expected(), 500), clip(f.actual(), 500), clip(f.message(), 1000)));
            }
        }
        return b;
    }

    private void establishKeys() {
        enter(MigrationPhase.ATTESTATION, MigrationPhase.KEY_ESTABLISHMENT, MigrationStatus.Phase.KEY_ESTABLISHMENT,
                "KEY_CONFIRMED");
        source.record(event(EventKind.KEY_ESTABLISHED, Role.SOURCE).phase(timing(MigrationPhase.ATTESTATION)).build());
        destination.record(event(EventKind.KEY_ESTABLISHED, Role.DESTINATION).phase(timing(MigrationPhase.ATTESTATION))
                .build());
    }

    /** One pre-copy round: the first sends all memory, later ones the pages dirtied meanwhile. */
    private void transferRound() {
        Instant now = now();
        if (phase == MigrationStatus.Phase.KEY_ESTABLISHMENT) {
            enter(MigrationPhase.KEY_ESTABLISHMENT, MigrationPhase.TRANSFER, MigrationStatus.Phase.TRANSFER, "PRECOPY");
            source.record(event(EventKind.TRANSFER_PROGRESS, Role.SOURCE).phase(timing(MigrationPhase.KEY_ESTABLISHMENT))
                    .build());
            roundStarted = now();
            return;
        }
        int round = rounds.size() + 1;
        long sent = round == 1 ? VM_BYTES : VM_BYTES / (8L << (2 * round));
        long millis = Math.max(1, now.toEpochMilli() - roundStarted.toEpochMilli());
        rounds.add(new PreCopyRound(round, sent, millis));
        bytes += sent;
        roundStarted = now;
        AuditEvent.Builder b = event(EventKind.TRANSFER_PROGRESS, Role.SOURCE).bytes(new ByteCounts(bytes, 0,
                bytes + bytes / 100));
        rounds.forEach(b::preCopyRound);
        source.record(b.build());
    }

    private void commit() {
        enter(MigrationPhase.TRANSFER, MigrationPhase.COMMIT, MigrationStatus.Phase.COMMIT, "COMMIT_SIGNED");
        bytes += 64 * 1024;
        ByteCounts counts = new ByteCounts(bytes - 64 * 1024, 64 * 1024, bytes + bytes / 100);
        AuditEvent.Builder complete = event(EventKind.TRANSFER_COMPLETE, Role.SOURCE).bytes(counts)
                .phase(timing(MigrationPhase.TRANSFER));
        rounds.forEach(complete::preCopyRound);
        source.record(complete.build());
        destination.record(event(EventKind.TRANSFER_COMPLETE, Role.DESTINATION).bytes(counts)
                .phase(timing(MigrationPhase.TRANSFER)).build());
        destination.record(event(EventKind.COMMIT_SENT, Role.DESTINATION).build());
    }

    private void finish() {
        enter(MigrationPhase.COMMIT, MigrationPhase.CLEANUP, MigrationStatus.Phase.DONE, "COMMITTED");
        source.record(event(EventKind.COMMIT_RECEIVED, Role.SOURCE).phase(timing(MigrationPhase.COMMIT)).build());
        source.record(event(EventKind.VTPM_STATE_DELETED, Role.SOURCE).build());
        VmDetails moved = source.takeVm(vm.id());
        destination.putVm(moved);
        result = new MigrationResult(MigrationResult.Outcome.COMMITTED.name(), null, vm.id() + " runs on "
                + destination.hostId() + "; its vTPM state on " + source.hostId() + " was deleted.", now(),
                40 + step);
    }

    /** Audit records keep whole milliseconds. */
    private static Instant now() {
        return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    private static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}
