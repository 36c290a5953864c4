package org.vtpmmigrate.attest.policy.internal;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.StringJoiner;
import java.util.TreeSet;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.policy.Evidence;
import org.vtpmmigrate.attest.policy.Finding.Category;
import org.vtpmmigrate.attest.policy.Finding.Location;
import org.vtpmmigrate.attest.policy.Policy;
import org.vtpmmigrate.attest.policy.Verdict;
import org.vtpmmigrate.attest.tpm2.ClockInfo;
import org.vtpmmigrate.attest.tpm2.EkCertificateException;
import org.vtpmmigrate.attest.tpm2.EkCertificateValidator;
import org.vtpmmigrate.attest.tpm2.PcrSelection;
import org.vtpmmigrate.attest.tpm2.QuoteCheck;
import org.vtpmmigrate.attest.tpm2.QuoteVerifier;
import org.vtpmmigrate.attest.tpm2.TpmAttest;
import org.vtpmmigrate.attest.tpm2.VerificationResult;

/**
 * One evaluation of evidence against a policy. Runs every check, whatever failed before, so the
 * verdict lists every problem: the quote (signature, nonce, PCR digest), algorithms, PCR
 * selection and reference values, the boot event log, the IMA log, the VM launch log, the EK
 * certificate and the clock.
 */
public final class Evaluation {
    final Policy policy;
    final Evidence evidence;
    final Findings findings = new Findings();
    final PcrValues claimed;
    private final Instant now;
    private VerificationResult<QuoteCheck> quoteResult;

    private Evaluation(Policy policy, Evidence evidence, Instant now) {
        this.policy = policy;
        this.evidence = evidence;
        this.now = now;
        this.claimed = evidence.quote().claimedPcrs();
    }

    public static Verdict run(Policy policy, Evidence evidence, Instant now) {
        Evaluation e = new Evaluation(policy, evidence, now);
        e.checkQuote();
        e.checkAlgorithms();
        e.checkSelection();
        Optional<EventLogCheck.Coverage> boot = new EventLogCheck(e).run();
        e.checkReferenceValues(boot);
        new ImaCheck(e).run();
        new LaunchCheck(e).run();
        e.checkEk();
        e.checkFreshness();
        return Verdict.of(policy, e.findings.all());
    }

    /** The decoded quote, whether or not it verified. */
    Optional<TpmAttest> attest() {
        return quoteResult.attest();
    }

    /** Banks the policy accepts that the quote covers. */
    Set<HashAlgorithm> acceptedClaimedBanks() {
        Set<HashAlgorithm> s = EnumSet.noneOf(HashAlgorithm.class);
        for (HashAlgorithm b : claimed.banks()) {
            if (policy.algorithms().pcrBanks().contains(b)) {
                s.add(b);
            }
        }
        return s;
    }

    // ------------------------------------------------------------------ quote

    private void checkQuote() {
        Evidence.Quote q = evidence.quote();
        QuoteVerifier verifier = new QuoteVerifier(policy.algorithms().signatureHashes());
        quoteResult = q.akPublic().isPresent()
                ? verifier.verify(q.akPublic().get(), q.attest(), q.signature(), claimed, q.nonce())
                : verifier.verify(q.akKey(), q.attest(), q.signature(), claimed, q.nonce());
        for (VerificationResult.Failure<QuoteCheck> f : quoteResult.failures()) {
            Category c = switch (f.check()) {
                case NONCE -> Category.NONCE;
                case PCR_SELECTION, PCR_DIGEST -> Category.QUOTE_PCRS;
                case SIGNATURE_ALGORITHM -> Category.ALGORITHM;
                case ATTESTATION_KEY -> Category.ATTESTATION_KEY;
                default -> Category.QUOTE_SIGNATURE;
            };
            String expected = "";
            String actual = "";
            if (f.check() == QuoteCheck.NONCE) {
                expected = HexFormat.of().formatHex(q.nonce());
                actual = attest().map(a -> HexFormat.of().formatHex(a.extraData())).orElse("");
            }
            findings.error(c, Location.of("quote"), expected, actual, quoteMessage(f.check()), f.message());
        }
        if (q.akPublic().isEmpty()) {
            findings.warning(Category.ATTESTATION_KEY, Location.of("attestation key"), "", "",
                    "The attestation key was given as a bare public key, so it could not be checked to be a"
                            + " restricted TPM signing key; the TPM public area (TPM2B_PUBLIC) allows that check.",
                    "object attributes unknown");
        }
    }

    private static String quoteMessage(QuoteCheck check) {
        return switch (check) {
            case ATTESTATION_KEY -> "The key that signed the quote is not a TPM attestation key (a restricted signing key"
                    + " that never leaves the TPM), so it could have signed anything.";
            case FORMAT -> "The quote or its signature is malformed, so it cannot be checked.";
            case SIGNATURE_ALGORITHM -> "The quote is signed with an algorithm the policy does not accept; accepting a"
                    + " weaker one would let a forger through (downgrade).";
            case SIGNATURE -> "The quote's signature does not verify with the host's attestation key: the quote is"
                    + " forged, altered, or from another TPM.";
            case MAGIC -> "The signed data was not produced by a TPM 2.0.";
            case TYPE -> "The signed data is not a quote.";
            case NONCE -> "The quote does not answer this verifier's challenge (nonce): it may be an old quote"
                    + " replayed.";
            case PCR_SELECTION -> "The PCR values the host sent are not the set of PCRs its TPM quoted.";
            case PCR_DIGEST -> "The PCR values the host sent are not the values its TPM signed.";
        };
    }

    // ------------------------------------------------------------------ algorithms and selection

    private void checkAlgorithms() {
        if (!claimed.isEmpty() && acceptedClaimedBanks().isEmpty()) {
            findings.error(Category.ALGORITHM, Location.of("quote"), "a bank of " + names(policy.algorithms().pcrBanks()),
                    names(claimed.banks()),
                    "The quote only covers PCR banks the policy does not accept (such as SHA-1): a host that offers"
                            + " only weak banks is refused as a downgrade.", "");
        }
    }

    private void checkSelection() {
        PcrSelection quoted = attest().flatMap(TpmAttest::quoteInfo).map(TpmAttest.QuoteInfo::pcrSelection)
                .orElse(PcrSelection.of(claimed));
        Map<HashAlgorithm, SortedSet<Integer>> have = quoted.selected();
        for (Map.Entry<HashAlgorithm, SortedSet<Integer>> req : policy.pcrSelection().selected().entrySet()) {
            SortedSet<Integer> missing = new TreeSet<>(req.getValue());
            missing.removeAll(have.getOrDefault(req.getKey(), new TreeSet<>()));
            if (!missing.isEmpty()) {
                StringJoiner purposes = new StringJoiner("; ");
                missing.forEach(p -> purposes.add("PCR " + p + ": " + Findings.purpose(p)));
                findings.error(Category.PCR_SELECTION, Location.of(req.getKey().bankName() + " PCRs "
                        + PcrSelection.formatIndices(missing)),
                        req.getKey().bankName() + ":" + PcrSelection.formatIndices(req.getValue()),
                        quoted.toString(),
                        "The quote does not cover " + (missing.size() == 1 ? "PCR " : "PCRs ")
                                + PcrSelection.formatIndices(missing) + " of the " + req.getKey().bankName()
                                + " bank, which the policy requires, so that part of the host's state is unknown.",
                        purposes.toString());
            }
        }
    }

    // ------------------------------------------------------------------ reference values

    private void checkReferenceValues(Optional<EventLogCheck.Coverage> boot) {
        for (Map.Entry<Integer, Map<HashAlgorithm, SortedSet<String>>> e : policy.referenceValues().entrySet()) {
            int pcr = e.getKey();
            for (Map.Entry<HashAlgorithm, SortedSet<String>> bank : e.getValue().entrySet()) {
                Optional<byte[]> value = claimed.get(bank.getKey(), pcr);
                if (value.isEmpty()) {
                    continue; // reported as a selection failure
                }
                String hex = HexFormat.of().formatHex(value.get());
                if (bank.getValue().contains(hex)) {
                    continue;
                }
                String events = boot.map(c -> c.eventsOf(bank.getKey(), pcr)).orElse("");
                findings.error(Category.PCR_VALUE, Location.pcr(bank.getKey(), pcr),
                        Findings.oneOf(bank.getValue(), "value"), hex,
                        "PCR " + pcr + " (" + Findings.purpose(pcr) + ", " + bank.getKey().bankName()
                                + " bank) does not hold an approved value: what was measured into it differs from the"
                                + " reference state.",
                        events.isEmpty() ? "" : "events extended into it:\n" + events);
            }
        }
    }

    // ------------------------------------------------------------------ EK certificate and AK

    private void checkEk() {
        List<X509Certificate> anchors = policy.ekTrust().trustedCertificates();
        if (anchors.isEmpty()) {
            findings.warning(Category.EK_CERTIFICATE, Location.of("EK certificate"), "", "",
                    "The policy names no trusted EK certificate authority, so the TPM's identity was not checked.",
                    "add ekCertificates.trusted to the policy");
            return;
        }
        if (evidence.ekCertificate().isEmpty() || evidence.ekPublic().isEmpty()) {
            findings.error(Category.EVIDENCE, Location.of("EK certificate"), "EK certificate and EK public area", "none",
                    "The host did not present its endorsement key certificate, which the policy requires to"
                            + " establish that the TPM is genuine.", "");
            return;
        }
        List<X509Certificate> links = new ArrayList<>(policy.ekTrust().intermediateCertificates());
        links.addAll(evidence.ekIntermediates());
        try {
            new EkCertificateValidator(anchors, links).validate(evidence.ekCertificate().get(), evidence.ekPublic().get(),
                    now);
        } catch (EkCertificateException e) {
            findings.error(Category.EK_CERTIFICATE, Location.of("EK certificate"),
                    "a certificate for this TPM's EK issued under a trusted CA",
                    evidence.ekCertificate().get().getSubjectX500Principal().getName() + ", issued by "
                            + evidence.ekCertificate().get().getIssuerX500Principal().getName(),
                    ekMessage(e.reason()), e.getMessage());
            return;
        }
        if (!evidence.akBoundToEk()) {
            findings.warning(Category.ATTESTATION_KEY, Location.of("attestation key"), "", "",
                    "The EK certificate is valid, but this evidence does not show that the attestation key lives in"
                            + " that TPM; credential activation at enrolment proves it.",
                    "EK certificate checked; AK-to-EK binding not part of this evidence");
        }
    }

    private static String ekMessage(EkCertificateException.Reason r) {
        return switch (r) {
            case MALFORMED -> "The EK certificate cannot be read.";
            case NOT_EK_CERTIFICATE -> "The certificate presented is not an endorsement key certificate.";
            case KEY_MISMATCH -> "The EK certificate is for another key than this TPM's endorsement key.";
            case NO_PATH -> "The EK certificate was not issued under a certificate authority the policy trusts, so"
                    + " the TPM may not be genuine.";
            case INVALID_PATH -> "The EK certificate's chain to a trusted authority is not valid (signature, validity"
                    + " period or constraints).";
            case UNHANDLED_CRITICAL_EXTENSION -> "The EK certificate carries a critical extension this verifier does"
                    + " not understand, so it cannot be accepted.";
        };
    }

    // ------------------------------------------------------------------ clock

    private void checkFreshness() {
        Optional<ClockInfo> clock = attest().map(TpmAttest::clockInfo);
        if (clock.isEmpty()) {
            return; // the quote could not be decoded; reported above
        }
        ClockInfo c = clock.get();
        if (policy.freshness().requireSafeClock() && !c.safe()) {
            findings.error(Category.FRESHNESS, Location.of("TPM clock"), "safe = yes", "safe = no",
                    "The TPM reports that its clock may have been set back since it was last known good, so the"
                            + " quote's time cannot be relied on.", c.toString());
        }
        Optional<ClockInfo> earlier = evidence.previousClock();
        if (policy.freshness().sameBootCycle() && earlier.isPresent()) {
            ClockInfo p = earlier.get();
            if (!c.sameBootCycleAs(p)) {
                findings.error(Category.FRESHNESS, Location.of("TPM clock"),
                        "resetCount " + p.resetCount() + ", restartCount " + p.restartCount(),
                        "resetCount " + c.resetCount() + ", restartCount " + c.restartCount(),
                        "The host's TPM was " + (c.resetCount() != p.resetCount() ? "reset (the host rebooted)"
                                : "restarted (the host resumed from sleep or hibernation)")
                                + " since the earlier reading, so this evidence is from another boot than the one"
                                + " attested before.",
                        "earlier " + p + ", now " + c);
            } else if (!c.continuesFrom(p)) {
                findings.error(Category.FRESHNESS, Location.of("TPM clock"), "clock >= " + Long.toUnsignedString(p.clock()),
                        Long.toUnsignedString(c.clock()),
                        "The TPM clock went backwards since the earlier reading, which a running TPM never does.",
                        "earlier " + p + ", now " + c);
            }
        }
    }

    static String names(Set<HashAlgorithm> banks) {
        StringJoiner j = new StringJoiner(", ");
        for (HashAlgorithm b : HashAlgorithm.values()) {
            if (banks.contains(b)) {
                j.add(b.bankName());
            }
        }
        return j.length() == 0 ? "none" : j.toString();
    }
}
