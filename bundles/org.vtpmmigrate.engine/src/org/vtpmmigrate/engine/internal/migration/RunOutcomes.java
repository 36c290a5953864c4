package org.vtpmmigrate.engine.internal.migration;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vtpmmigrate.engine.migration.MigrationResult;
import org.vtpmmigrate.engine.migration.PartyVerdict;
import org.vtpmmigrate.protocol.Failure;
import org.vtpmmigrate.protocol.FailureReason;
import org.vtpmmigrate.protocol.Role;
import org.vtpmmigrate.protocol.VerificationCheck;
import org.vtpmmigrate.protocol.VerificationFailure;

/** What both roles conclude from how a session ended. */
final class RunOutcomes {
    /** Reasons that mean "judged and refused", as opposed to "broke". */
    private static final Set<FailureReason> REFUSALS = EnumSet.of(FailureReason.REQUEST_REFUSED,
            FailureReason.ALGORITHM_NOT_ACCEPTABLE, FailureReason.ALGORITHM_DOWNGRADE,
            FailureReason.PEER_ATTESTATION_REJECTED, FailureReason.STALE_EVIDENCE, FailureReason.REFLECTED_NONCE,
            FailureReason.BOUND_KEY_REJECTED, FailureReason.BOUND_KEY_UNUSABLE, FailureReason.INVALID_KEY_SHARE,
            FailureReason.KEY_CONFIRMATION_FAILED, FailureReason.COMMIT_REJECTED);
    /** Peer reasons whose Abort detail is the peer's verdict on this host's evidence. */
    private static final Set<FailureReason> VERDICT_ABORTS = EnumSet.of(FailureReason.PEER_ATTESTATION_REJECTED,
            FailureReason.STALE_EVIDENCE, FailureReason.BOUND_KEY_REJECTED);
    /** A verdict line as {@code Verdict.describe()} writes it: {@code [CHECK] detail; [CHECK] detail}. */
    private static final Pattern REASON = Pattern.compile("\\[([A-Z_]{1,40})\\] (.*?)(?=; \\[[A-Z_]{1,40}\\] |$)");

    private RunOutcomes() {
    }

    /** REFUSED or FAILED, by the reason (the peer's reason for an Abort). */
    static MigrationResult.Status status(Failure failure) {
        FailureReason reason = failure.reason() == FailureReason.PEER_ABORTED
                ? failure.peerReason().orElse(FailureReason.PEER_ABORTED) : failure.reason();
        return REFUSALS.contains(reason) ? MigrationResult.Status.REFUSED : MigrationResult.Status.FAILED;
    }

    /**
     * The peer's verdict on this host's parties, read from its Abort: the destination's judgement of
     * the source and the VM, or the source's judgement of the destination. The detail is the peer's
     * word, unauthenticated before key confirmation; it is bounded and only known check names are
     * taken as such.
     */
    static List<PartyVerdict> reportedByPeer(Failure failure, Role ownRole) {
        if (failure.reason() != FailureReason.PEER_ABORTED || failure.peerReason().isEmpty()
                || !VERDICT_ABORTS.contains(failure.peerReason().get())) {
            return List.of();
        }
        List<VerificationFailure> reasons = parse(failure.detail(), failure.peerReason().get());
        List<PartyVerdict> verdicts = new ArrayList<>();
        if (ownRole == Role.DESTINATION) {
            verdicts.add(rejected(PartyVerdict.Party.DESTINATION, reasons));
            return verdicts;
        }
        List<VerificationFailure> host = reasons.stream()
                .filter(r -> r.check() != VerificationCheck.LAUNCH_MEASUREMENT).toList();
        List<VerificationFailure> vm = reasons.stream()
                .filter(r -> r.check() == VerificationCheck.LAUNCH_MEASUREMENT).toList();
        if (!host.isEmpty()) {
            verdicts.add(rejected(PartyVerdict.Party.SOURCE, host));
        }
        if (!vm.isEmpty()) {
            verdicts.add(rejected(PartyVerdict.Party.VM, vm));
        }
        return verdicts;
    }

    /** Accepted by the peer: it confirmed the keys, which it does only after verifying this host. */
    static PartyVerdict acceptedByPeer(PartyVerdict.Party party) {
        return new PartyVerdict(party, PartyVerdict.Status.ACCEPTED, List.of(), PartyVerdict.Origin.REPORTED_BY_PEER);
    }

    private static PartyVerdict rejected(PartyVerdict.Party party, List<VerificationFailure> reasons) {
        return new PartyVerdict(party, PartyVerdict.Status.REJECTED, reasons, PartyVerdict.Origin.REPORTED_BY_PEER);
    }

    static List<VerificationFailure> parse(String detail, FailureReason peerReason) {
        List<VerificationFailure> reasons = new ArrayList<>();
        Matcher m = REASON.matcher(detail);
        while (m.find()) {
            VerificationCheck check;
            try {
                check = VerificationCheck.valueOf(m.group(1));
            } catch (IllegalArgumentException e) {
                continue;
            }
            reasons.add(new VerificationFailure(check, m.group(2)));
        }
        if (reasons.isEmpty()) {
            VerificationCheck fallback = switch (peerReason) {
                case STALE_EVIDENCE -> VerificationCheck.NONCE;
                case BOUND_KEY_REJECTED -> VerificationCheck.KEY_POLICY;
                default -> VerificationCheck.POLICY;
            };
            reasons.add(new VerificationFailure(fallback, detail));
        }
        return reasons;
    }
}
