package org.vtpmmigrate.engine.internal.migration;

import java.security.InvalidKeyException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.eventlog.EventLog;
import org.vtpmmigrate.attest.eventlog.EventLogFormatException;
import org.vtpmmigrate.attest.eventlog.ReplayCheck;
import org.vtpmmigrate.attest.eventlog.TcgEvent;
import org.vtpmmigrate.attest.tpm2.CertifyCheck;
import org.vtpmmigrate.attest.tpm2.CertifyVerifier;
import org.vtpmmigrate.attest.tpm2.EccCurve;
import org.vtpmmigrate.attest.tpm2.PolicyDigest;
import org.vtpmmigrate.attest.tpm2.QuoteCheck;
import org.vtpmmigrate.attest.tpm2.QuoteVerifier;
import org.vtpmmigrate.attest.tpm2.TpmCommandCode;
import org.vtpmmigrate.attest.tpm2.TpmFormatException;
import org.vtpmmigrate.attest.tpm2.TpmPublic;
import org.vtpmmigrate.attest.tpm2.TpmSignature;
import org.vtpmmigrate.attest.tpm2.VerificationResult;
import org.vtpmmigrate.engine.migration.PartyVerdict;
import org.vtpmmigrate.protocol.BoundKeyVerification;
import org.vtpmmigrate.protocol.EvidenceVerifier;
import org.vtpmmigrate.protocol.Role;
import org.vtpmmigrate.protocol.Verdict;
import org.vtpmmigrate.protocol.VerificationCheck;
import org.vtpmmigrate.protocol.VerificationFailure;
import org.vtpmmigrate.protocol.wire.AttestationEvidence;
import org.vtpmmigrate.protocol.wire.BoundKeyOffer;
import org.vtpmmigrate.protocol.wire.Bytes;
import org.vtpmmigrate.protocol.wire.LaunchMeasurement;
import org.vtpmmigrate.protocol.wire.PcrSelection;

/**
 * Judges one peer's evidence in one run, with the AK the peer enrolled with and the run's policy.
 * Evidence passes in layers, and a layer runs only on what the one before established: the quote
 * (AK signature, nonce, exactly the requested PCRs, their digest), then the event log (parses,
 * replays to the quoted values, no quoted PCR moved by an unlogged extend, well-formed launch
 * events), then the VM (source only: its reported measurements are launch events the quote covers
 * and equal this host's measurement of the VM's definition), then the policy. Every failure of a
 * layer is reported. The verdicts per party go to the run's recorder as they are reached.
 */
final class PeerEvidenceVerifier implements EvidenceVerifier {
    /**
     * The VM as defined on this host, for a destination judging the source.
     *
     * @param vmId the migrating VM
     * @param measuredHere this host's measurement of the VM's definition
     */
    record ExpectedVm(String vmId, List<org.vtpmmigrate.hypervisor.LaunchMeasurement.Event> measuredHere) {
        ExpectedVm {
            Objects.requireNonNull(vmId, "vmId");
            measuredHere = List.copyOf(measuredHere);
        }
    }

    private final PeerRegistry.Peer peer;
    private final MigrationPolicy policy;
    private final Role peerRole;
    private final Optional<ExpectedVm> expectedVm;
    private final Consumer<PartyVerdict> verdicts;
    private final QuoteVerifier quotes = new QuoteVerifier();
    private final CertifyVerifier certifications = new CertifyVerifier();

    /**
     * @param peerRole the role of the host whose evidence this judges
     * @param expectedVm present when judging a source
     * @param verdicts receives the verdict on each party once reached
     */
    PeerEvidenceVerifier(PeerRegistry.Peer peer, MigrationPolicy policy, Role peerRole, Optional<ExpectedVm> expectedVm,
            Consumer<PartyVerdict> verdicts) {
        this.peer = Objects.requireNonNull(peer, "peer");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.peerRole = Objects.requireNonNull(peerRole, "peerRole");
        this.expectedVm = Objects.requireNonNull(expectedVm, "expectedVm");
        this.verdicts = Objects.requireNonNull(verdicts, "verdicts");
        if ((peerRole == Role.SOURCE) != expectedVm.isPresent()) {
            throw new IllegalArgumentException("a source's evidence is judged with the VM it migrates, a destination's"
                    + " without");
        }
    }

    @Override
    public Verdict verifyEvidence(AttestationEvidence evidence, Bytes expectedNonce, PcrSelection requestedSelection) {
        List<VerificationFailure> failures = new ArrayList<>();
        boolean vmJudged = checkEvidence(evidence, expectedNonce, requestedSelection, failures);
        Verdict verdict = new Verdict(failures);
        if (peerRole == Role.DESTINATION) {
            if (!verdict.accepted()) {
                report(PartyVerdict.Party.DESTINATION, failures);
            }
            // an accepted destination is reported with its bound key
        } else {
            report(PartyVerdict.Party.SOURCE, failures.stream()
                    .filter(f -> f.check() != VerificationCheck.LAUNCH_MEASUREMENT).toList());
            if (vmJudged) {
                report(PartyVerdict.Party.VM, failures.stream()
                        .filter(f -> f.check() == VerificationCheck.LAUNCH_MEASUREMENT).toList());
            }
        }
        return verdict;
    }

    /** Runs the layers; returns whether the VM layer ran. */
    private boolean checkEvidence(AttestationEvidence evidence, Bytes nonce, PcrSelection requested,
            List<VerificationFailure> failures) {
        if (evidence.pcrValues().isEmpty()) {
            failures.add(failure(VerificationCheck.PCR_SELECTION, "the evidence carries no PCR values; the challenge "
                    + "asked for " + requested));
            return false;
        }
        PcrSelection claimedSelection = PcrConversions.selectionOf(evidence.pcrValues());
        if (!claimedSelection.equals(requested)) {
            failures.add(failure(VerificationCheck.PCR_SELECTION, "the evidence carries values for " + claimedSelection
                    + ", the challenge asked for " + requested));
        }
        org.vtpmmigrate.attest.PcrValues claimed;
        TpmPublic ak = peer.attestationKey();
        try {
            claimed = PcrConversions.toAttest(evidence.pcrValues());
        } catch (IllegalArgumentException e) {
            failures.add(failure(VerificationCheck.MALFORMED_EVIDENCE, "PCR values: " + e.getMessage()));
            return false;
        }
        VerificationResult<QuoteCheck> quote = quotes.verify(ak, evidence.quote().toByteArray(),
                evidence.signature().toByteArray(), claimed, nonce.toByteArray());
        quote.failures().forEach(f -> failures.add(failure(map(f.check()), "quote: " + f.message())));
        // a wrong nonce leaves the values the TPM's own (only stale): judge them too, so the verdict is
        // complete; after any other failure they are unauthenticated and judging them would mislead
        if (!failures.stream().allMatch(f -> f.check() == VerificationCheck.NONCE)) {
            return false;
        }

        Optional<EventLog> log = checkLog(evidence, claimed, failures);
        if (log.isEmpty()) {
            return false;
        }
        List<LaunchEvents.LaunchEvent> launchEvents = launchEvents(log.get(), claimed, failures);
        if (peerRole == Role.SOURCE) {
            checkVm(evidence.launchMeasurements(), launchEvents, failures);
        } else if (!evidence.launchMeasurements().isEmpty()) {
            failures.add(failure(VerificationCheck.MALFORMED_EVIDENCE, "the destination's evidence carries "
                    + evidence.launchMeasurements().size() + " launch measurements; only a source reports them"));
        }
        if (failures.stream().noneMatch(f -> f.check() == VerificationCheck.EVENT_LOG)) {
            failures.addAll(policy.evaluate(new MigrationPolicy.Evidence(peerRole, claimed, log.get(),
                    peerRole == Role.SOURCE ? evidence.launchMeasurements() : List.of())).failures());
        }
        return peerRole == Role.SOURCE;
    }

    /** Parses the log and checks it accounts for every quoted PCR. */
    private static Optional<EventLog> checkLog(AttestationEvidence evidence, org.vtpmmigrate.attest.PcrValues claimed,
            List<VerificationFailure> failures) {
        if (evidence.eventLog().isEmpty()) {
            failures.add(failure(VerificationCheck.EVENT_LOG, "the evidence carries no event log; the quoted PCRs "
                    + "cannot be explained"));
            return Optional.empty();
        }
        EventLog log;
        try {
            log = EventLog.parse(evidence.eventLog().toByteArray());
        } catch (EventLogFormatException e) {
            failures.add(failure(VerificationCheck.EVENT_LOG, "event log does not parse: " + e.getMessage()));
            return Optional.empty();
        }
        ReplayCheck<TcgEvent> replay = log.compare(claimed);
        if (!replay.mismatches().isEmpty()) {
            failures.add(failure(VerificationCheck.EVENT_LOG, "event log does not replay to the quoted PCRs: "
                    + replay.describe()));
        }
        for (HashAlgorithm bank : claimed.banks()) {
            for (int pcr : claimed.indices(bank)) {
                byte[] value = claimed.get(bank, pcr).orElseThrow();
                if (log.extendedEvents(bank, pcr).isEmpty() && !Arrays.equals(value, log.initialValue(bank, pcr))) {
                    failures.add(failure(VerificationCheck.EVENT_LOG, "PCR " + bank.bankName() + ":" + pcr + " is "
                            + HexFormat.of().formatHex(value) + " but no logged event extends it: something was "
                            + "measured that the log hides"));
                }
            }
        }
        return Optional.of(log);
    }

    /** The launch events in the launch PCR, when the quote covers it; malformed ones are failures. */
    private List<LaunchEvents.LaunchEvent> launchEvents(EventLog log, org.vtpmmigrate.attest.PcrValues claimed,
            List<VerificationFailure> failures) {
        List<LaunchEvents.LaunchEvent> events = new ArrayList<>();
        if (claimed.get(HashAlgorithm.SHA256, policy.launchPcr()).isEmpty()) {
            return events;
        }
        for (TcgEvent event : log.extendedEvents(HashAlgorithm.SHA256, policy.launchPcr())) {
            StringBuilder problem = new StringBuilder();
            Optional<LaunchEvents.LaunchEvent> decoded = LaunchEvents.decode(event, problem);
            if (decoded.isPresent()) {
                events.add(decoded.get());
            } else {
                failures.add(failure(VerificationCheck.EVENT_LOG, "launch PCR " + policy.launchPcr() + ": " + problem));
            }
        }
        return events;
    }

    /** The source's account of the VM: covered by the quote, and the VM as defined here. */
    private void checkVm(List<LaunchMeasurement> reported, List<LaunchEvents.LaunchEvent> launchEvents,
            List<VerificationFailure> failures) {
        ExpectedVm vm = expectedVm.orElseThrow();
        for (LaunchMeasurement m : reported) {
            byte[] digest = m.digest().toByteArray();
            boolean covered = launchEvents.stream().anyMatch(e -> e.matches(vm.vmId(), m.name(), digest));
            if (!covered) {
                failures.add(failure(VerificationCheck.LAUNCH_MEASUREMENT, "measurement " + m.name() + "=sha256:"
                        + m.digest().toHex() + " of VM " + vm.vmId() + " is not among the launch events the quote "
                        + "covers (PCR sha256:" + policy.launchPcr() + ", " + launchEvents.size() + " launch events)"));
            }
        }
        List<String> reportedText = reported.stream().map(m -> m.name() + "=sha256:" + m.digest().toHex()).toList();
        List<String> expectedText = vm.measuredHere().stream()
                .map(e -> e.name() + "=sha256:" + HexFormat.of().formatHex(e.contentDigest())).toList();
        if (!reportedText.equals(expectedText)) {
            failures.add(failure(VerificationCheck.LAUNCH_MEASUREMENT, "the source reports VM " + vm.vmId()
                    + " as " + reportedText + ", but its definition here measures " + expectedText));
        }
    }

    @Override
    public BoundKeyVerification verifyBoundKey(BoundKeyOffer offer, Bytes expectedQualifyingData,
            AttestationEvidence acceptedEvidence, PcrSelection selection) {
        List<VerificationFailure> failures = new ArrayList<>();
        ECPublicKey key = checkBoundKey(offer, expectedQualifyingData, acceptedEvidence, selection, failures);
        report(PartyVerdict.Party.DESTINATION, failures);
        return failures.isEmpty() ? BoundKeyVerification.accepted(key)
                : BoundKeyVerification.rejected(new Verdict(failures));
    }

    private ECPublicKey checkBoundKey(BoundKeyOffer offer, Bytes expectedQualifyingData,
            AttestationEvidence acceptedEvidence, PcrSelection selection, List<VerificationFailure> failures) {
        TpmPublic key;
        try {
            key = TpmPublic.parseTpm2b(offer.publicArea().toByteArray());
        } catch (TpmFormatException e) {
            failures.add(failure(VerificationCheck.MALFORMED_EVIDENCE, "bound key public area: " + e.getMessage()));
            return null;
        }
        byte[] expectedPolicy;
        try {
            expectedPolicy = PolicyDigest.initial(HashAlgorithm.SHA256)
                    .policyPcr(PcrConversions.toAttest(selection),
                            PcrConversions.toAttest(acceptedEvidence.pcrValues()))
                    .policyCommandCode(TpmCommandCode.ECDH_ZGEN).value();
        } catch (IllegalArgumentException e) {
            failures.add(failure(VerificationCheck.KEY_POLICY, "cannot compute the expected policy over " + selection
                    + ": " + e.getMessage()));
            return null;
        }
        VerificationResult<CertifyCheck> certified = certifications.verify(peer.attestationKey(),
                offer.certifyInfo().toByteArray(), offer.certifySignature().toByteArray(), key,
                new CertifyVerifier.Expectations(expectedQualifyingData.toByteArray(),
                        CertifyVerifier.PCR_BOUND_DECRYPTION_KEY, expectedPolicy));
        certified.failures().forEach(f -> failures.add(failure(map(f.check()), "bound key: " + f.message())));
        if (!failures.isEmpty()) {
            return null;
        }
        try {
            PublicKey publicKey = key.toPublicKey();
            if (publicKey instanceof ECPublicKey ec
                    && EccCurve.of(ec.getParams()).map(c -> c == EccCurve.NIST_P256).orElse(false)) {
                return ec;
            }
            failures.add(failure(VerificationCheck.KEY_ATTRIBUTES, "bound key is a " + publicKey.getAlgorithm()
                    + " key, not ECC NIST P-256"));
        } catch (InvalidKeyException e) {
            failures.add(failure(VerificationCheck.MALFORMED_EVIDENCE, "bound key has no usable public key: "
                    + e.getMessage()));
        }
        return null;
    }

    /** TPM2_Sign by the enrolled AK over SHA-256 of the payload, with a hash this host accepts. */
    @Override
    public Verdict verifyCommit(Bytes commitPayload, Bytes signature, AttestationEvidence acceptedEvidence) {
        List<VerificationFailure> failures = new ArrayList<>();
        try {
            TpmSignature parsed = TpmSignature.parse(signature.toByteArray());
            parsed.verificationProblem(peer.attestationKey().toPublicKey(), commitPayload.toByteArray(),
                    QuoteVerifier.DEFAULT_SIGNATURE_HASHES).ifPresent(problem -> failures.add(failure(
                            VerificationCheck.SIGNATURE, "commit: " + problem)));
        } catch (TpmFormatException e) {
            failures.add(failure(VerificationCheck.MALFORMED_EVIDENCE, "commit signature: " + e.getMessage()));
        } catch (InvalidKeyException e) {
            failures.add(failure(VerificationCheck.ATTESTATION_KEY, "the enrolled AK has no usable key: "
                    + e.getMessage()));
        }
        if (!failures.isEmpty()) {
            report(PartyVerdict.Party.DESTINATION, failures);
        }
        return new Verdict(failures);
    }

    private void report(PartyVerdict.Party party, List<VerificationFailure> failures) {
        verdicts.accept(new PartyVerdict(party, failures.isEmpty() ? PartyVerdict.Status.ACCEPTED
                : PartyVerdict.Status.REJECTED, failures, PartyVerdict.Origin.VERIFIED_HERE));
    }

    private static VerificationFailure failure(VerificationCheck check, String detail) {
        return new VerificationFailure(check, detail);
    }

    static VerificationCheck map(QuoteCheck check) {
        return switch (check) {
            case ATTESTATION_KEY -> VerificationCheck.ATTESTATION_KEY;
            case FORMAT, MAGIC, TYPE -> VerificationCheck.MALFORMED_EVIDENCE;
            case SIGNATURE_ALGORITHM, SIGNATURE -> VerificationCheck.SIGNATURE;
            case NONCE -> VerificationCheck.NONCE;
            case PCR_SELECTION -> VerificationCheck.PCR_SELECTION;
            case PCR_DIGEST -> VerificationCheck.PCR_DIGEST;
        };
    }

    static VerificationCheck map(CertifyCheck check) {
        return switch (check) {
            case ATTESTATION_KEY -> VerificationCheck.ATTESTATION_KEY;
            case FORMAT, MAGIC, TYPE -> VerificationCheck.MALFORMED_EVIDENCE;
            case SIGNATURE_ALGORITHM, SIGNATURE -> VerificationCheck.SIGNATURE;
            case QUALIFYING_DATA -> VerificationCheck.QUALIFYING_DATA;
            case NAME -> VerificationCheck.KEY_NAME;
            case OBJECT_ATTRIBUTES -> VerificationCheck.KEY_ATTRIBUTES;
            case AUTH_POLICY -> VerificationCheck.KEY_POLICY;
        };
    }
}
