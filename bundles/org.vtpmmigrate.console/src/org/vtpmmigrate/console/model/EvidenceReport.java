package org.vtpmmigrate.console.model;

import java.security.InvalidKeyException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SortedSet;
import java.util.TreeMap;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.eventlog.EventLog;
import org.vtpmmigrate.attest.eventlog.EventLogFormatException;
import org.vtpmmigrate.attest.eventlog.ReplayCheck;
import org.vtpmmigrate.attest.eventlog.TcgEvent;
import org.vtpmmigrate.attest.ima.ImaEntry;
import org.vtpmmigrate.attest.ima.ImaFormatException;
import org.vtpmmigrate.attest.ima.ImaLog;
import org.vtpmmigrate.attest.ima.ImaReplayException;
import org.vtpmmigrate.attest.policy.Evidence;
import org.vtpmmigrate.attest.policy.Finding;
import org.vtpmmigrate.attest.policy.Policy;
import org.vtpmmigrate.attest.policy.PolicyEvaluator;
import org.vtpmmigrate.attest.policy.Verdict;
import org.vtpmmigrate.attest.tpm2.QuoteCheck;
import org.vtpmmigrate.attest.tpm2.QuoteVerifier;
import org.vtpmmigrate.attest.tpm2.TpmFormatException;
import org.vtpmmigrate.attest.tpm2.TpmPublic;
import org.vtpmmigrate.attest.tpm2.VerificationResult;
import org.vtpmmigrate.management.HostEvidence;

/**
 * One host's evidence as the console checked it itself: the quote against the nonce the console
 * chose, the boot event log and the IMA log replayed against the quoted PCRs, and, when a policy is
 * given, the policy's verdict. The agent reports; this class does not take its word for anything.
 * Immutable; built in a background job, read by the UI.
 */
public final class EvidenceReport {

    /** How the evidence came out. */
    public enum Judgement {
        /** Authentic and every policy check passed. */
        TRUSTED,
        /** Authentic (quote, nonce, log replays), but judged against no policy. */
        AUTHENTIC,
        /** At least one check failed; {@link EvidenceReport#firstReason()} says which. */
        UNTRUSTED
    }

    /** Where a PCR value stands against the logs and the policy. */
    public enum PcrStatus {
        /** The log replays to the quoted value (and the policy allows it, if it has a reference). */
        MATCHES,
        /** The log replays to another value, or the value is not among the policy's references. */
        MISMATCH,
        /** No log the console holds extends this PCR; only a policy reference can vouch for it. */
        NOT_IN_LOG
    }

    /**
     * One quoted PCR.
     *
     * @param log "boot event log", "IMA log" or "" when no log extends it
     * @param replayed the value the log replays to, hex, or "" when no log extends it
     * @param references the policy's allowed values, empty without policy or reference
     * @param problem what is wrong with expected vs actual, or ""
     */
    public record PcrRow(HashAlgorithm bank, int pcr, String quoted, String log, String replayed,
            List<String> references, PcrStatus status, String problem) {
        public PcrRow {
            references = List.copyOf(references);
        }

        public boolean mismatch() {
            return status == PcrStatus.MISMATCH;
        }
    }

    /** One event of the boot log, with the findings about it and whether its PCR fails to replay. */
    public record EventRow(TcgEvent event, String description, boolean inMismatchedPcr, List<Finding> findings) {
        public EventRow {
            findings = List.copyOf(findings);
        }

        public boolean highlighted() {
            return inMismatchedPcr || findings.stream().anyMatch(Finding::isError);
        }
    }

    /**
     * One IMA entry with its allowlist status.
     *
     * @param allowlist "allowed", "no allowlist", or what the policy says is wrong
     */
    public record ImaRow(ImaEntry entry, String path, String digest, String allowlist, boolean problem,
            List<Finding> findings) {
        public ImaRow {
            findings = List.copyOf(findings);
        }
    }

    private static final HexFormat HEX = HexFormat.of();

    private final String hostId;
    private final HostEvidence evidence;
    private final byte[] nonce;
    private final Instant receivedAt;
    private final Policy policy;
    private final PcrValues claimed;
    private final EventLog eventLog;
    private final ImaLog imaLog;
    private final List<Failure> logProblems;
    private final VerificationResult<QuoteCheck> quoteCheck;
    private final ReplayCheck<TcgEvent> eventReplay;
    private final ReplayCheck<ImaEntry> imaReplay;
    private final Verdict verdict;
    private final Judgement judgement;
    private final String firstReason;
    private final List<String> reasons;
    private final List<PcrRow> pcrRows;
    private final boolean akBoundToEk;

    private EvidenceReport(Builder b, boolean akBoundToEk) {
        this.akBoundToEk = akBoundToEk;
        this.hostId = b.hostId;
        this.evidence = b.evidence;
        this.nonce = b.nonce.clone();
        this.receivedAt = b.receivedAt;
        this.policy = b.policy;
        this.claimed = b.claimed;
        this.eventLog = b.eventLog;
        this.imaLog = b.imaLog;
        this.logProblems = List.copyOf(b.logProblems);
        this.quoteCheck = b.quoteCheck;
        this.eventReplay = b.eventReplay;
        this.imaReplay = b.imaReplay;
        this.verdict = b.verdict;
        this.reasons = List.copyOf(b.reasons);
        this.judgement = b.reasons.isEmpty() ? (verdict != null ? Judgement.TRUSTED : Judgement.AUTHENTIC)
                : Judgement.UNTRUSTED;
        this.firstReason = b.reasons.isEmpty() ? "" : b.reasons.get(0);
        this.pcrRows = List.copyOf(b.pcrRows);
    }

    /**
     * Checks evidence an agent sent in answer to {@code nonce}.
     *
     * @param policy the policy to judge under, or null for the authenticity checks alone
     * @param akBoundToEk whether the AK is known to belong to the EK's TPM (from enrolment)
     */
    public static EvidenceReport analyse(String hostId, HostEvidence evidence, byte[] nonce, Policy policy,
            boolean akBoundToEk, Instant receivedAt) {
        Builder b = new Builder(hostId, evidence, nonce, policy, receivedAt);
        b.run(akBoundToEk);
        return new EvidenceReport(b, akBoundToEk);
    }

    /** The same evidence judged under another policy (null: authenticity only). */
    public EvidenceReport reassess(Policy other) {
        return analyse(hostId, evidence, nonce, other, akBoundToEk, receivedAt);
    }

    /** Whether the agent's enrolment vouched for the AK that quoted. */
    public boolean akBoundToEk() {
        return akBoundToEk;
    }

    /**
     * The evidence in the form policy tools take, when the AK could be decoded.
     *
     * @throws IllegalStateException naming why the evidence cannot be used
     */
    public Evidence toEvidence() {
        try {
            TpmPublic ak = TpmPublic.parseTpm2b(Base64.getDecoder().decode(evidence.akPublic()));
            Evidence.Builder b = Evidence.builder(Evidence.Quote.of(ak, Base64.getDecoder().decode(evidence.quoted()),
                    Base64.getDecoder().decode(evidence.signature()), claimed, nonce)).akBoundToEk(akBoundToEk);
            if (eventLog != null) {
                b.eventLog(eventLog);
            }
            if (imaLog != null) {
                b.imaLog(imaLog);
            }
            return b.build();
        } catch (TpmFormatException | InvalidKeyException e) {
            throw new IllegalStateException("the attestation key of " + hostId + " cannot be used: " + e.getMessage(), e);
        }
    }

    public String hostId() {
        return hostId;
    }

    /** The evidence as the agent sent it. */
    public HostEvidence evidence() {
        return evidence;
    }

    /** The nonce the console sent (the quote must carry it). */
    public byte[] nonce() {
        return nonce.clone();
    }

    public Instant receivedAt() {
        return receivedAt;
    }

    public Optional<Policy> policy() {
        return Optional.ofNullable(policy);
    }

    public PcrValues claimedPcrs() {
        return claimed;
    }

    public Optional<EventLog> eventLog() {
        return Optional.ofNullable(eventLog);
    }

    public Optional<ImaLog> imaLog() {
        return Optional.ofNullable(imaLog);
    }

    /** Logs that came with the evidence but could not be read. */
    public List<Failure> logProblems() {
        return logProblems;
    }

    /** The quote check, when the AK could be decoded. */
    public Optional<VerificationResult<QuoteCheck>> quoteCheck() {
        return Optional.ofNullable(quoteCheck);
    }

    public Optional<Verdict> verdict() {
        return Optional.ofNullable(verdict);
    }

    public Judgement judgement() {
        return judgement;
    }

    /** The first problem in words, "" when there is none. */
    public String firstReason() {
        return firstReason;
    }

    /** Every problem in words. */
    public List<String> reasons() {
        return reasons;
    }

    /** The quoted PCRs in bank, then index order. */
    public List<PcrRow> pcrRows() {
        return pcrRows;
    }

    /** Findings of the policy verdict, empty without policy. */
    public List<Finding> findings() {
        return verdict == null ? List.of() : verdict.findings();
    }

    /**
     * The boot log's events grouped by PCR in PCR order ("PCR 0", "PCR 1", ...), events that are not
     * extended (EV_NO_ACTION) last under "not extended".
     */
    public Map<String, List<EventRow>> eventsByPcr() {
        Map<String, List<EventRow>> groups = new TreeMap<>(EvidenceReport::comparePcrKeys);
        if (eventLog == null) {
            return Map.of();
        }
        java.util.Set<Long> mismatched = new java.util.HashSet<>();
        if (eventReplay != null) {
            eventReplay.mismatches().forEach(m -> mismatched.add((long) m.pcr()));
        }
        for (TcgEvent e : eventLog.events()) {
            String key = e.isExtended() ? "PCR " + e.pcrIndex() : "not extended";
            List<Finding> about = findingsAbout(e.index(), true);
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(new EventRow(e, EventDescriptions.describe(e),
                    e.isExtended() && mismatched.contains(e.pcrIndex()), about));
        }
        return Collections.unmodifiableMap(new LinkedHashMap<>(groups));
    }

    /** The IMA entries in list order, each with its allowlist status. */
    public List<ImaRow> imaRows() {
        if (imaLog == null) {
            return List.of();
        }
        boolean hasAllowlist = policy != null && policy.ima().isPresent();
        List<ImaRow> rows = new ArrayList<>(imaLog.entries().size());
        for (ImaEntry e : imaLog.entries()) {
            List<Finding> about = findingsAbout(e.index(), false);
            Optional<Finding> error = about.stream().filter(Finding::isError).findFirst();
            String status = error.map(f -> f.message() + (f.expected().isEmpty() ? "" : " (expected " + f.expected()
                    + ", found " + f.actual() + ")")).orElse(hasAllowlist ? "allowed" : "no allowlist");
            rows.add(new ImaRow(e, e.filePath().orElse(""), e.fileDigestText().orElse(""), status, error.isPresent(),
                    about));
        }
        return rows;
    }

    private List<Finding> findingsAbout(int entryIndex, boolean bootLog) {
        List<Finding> out = new ArrayList<>();
        for (Finding f : findings()) {
            OptionalInt index = f.location().entryIndex();
            if (index.isPresent() && index.getAsInt() == entryIndex && isBootLogCategory(f.category()) == bootLog) {
                out.add(f);
            }
        }
        return out;
    }

    private static boolean isBootLogCategory(Finding.Category c) {
        return c == Finding.Category.EVENT_LOG || c == Finding.Category.EVENT_TYPE || c == Finding.Category.EVENT_DIGEST;
    }

    private static int comparePcrKeys(String a, String b) {
        return Integer.compare(pcrOrder(a), pcrOrder(b));
    }

    private static int pcrOrder(String key) {
        return key.startsWith("PCR ") ? Integer.parseInt(key.substring(4)) : Integer.MAX_VALUE;
    }

    /** For the export and the "Details" link: what was checked and every problem with expected vs actual. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        out.append("Evidence of ").append(hostId).append(", received ").append(receivedAt).append('\n');
        out.append("Nonce sent: ").append(HEX.formatHex(nonce)).append('\n');
        out.append("Judgement: ").append(judgement).append(firstReason.isEmpty() ? "" : " - " + firstReason)
                .append('\n');
        if (quoteCheck != null) {
            out.append("Quote: ").append(quoteCheck.summary()).append('\n');
        }
        if (eventReplay != null) {
            out.append("Boot event log replay:\n").append(indent(eventReplay.describe()));
        }
        if (imaReplay != null) {
            out.append("IMA log replay:\n").append(indent(imaReplay.describe()));
        }
        logProblems.forEach(p -> out.append("Log problem: ").append(p.oneLine()).append('\n'));
        for (PcrRow row : pcrRows) {
            if (row.mismatch()) {
                out.append("MISMATCH ").append(row.bank().bankName()).append(" PCR ").append(row.pcr()).append(": ")
                        .append(row.problem()).append('\n');
            }
        }
        if (verdict != null) {
            out.append(verdict.toText()).append('\n');
        }
        return out.toString();
    }

    private static String indent(String text) {
        StringBuilder out = new StringBuilder();
        text.lines().forEach(l -> out.append("  ").append(l).append('\n'));
        return out.toString();
    }

    /** Collects the checks' results in the order they run. */
    private static final class Builder {
        final String hostId;
        final HostEvidence evidence;
        final byte[] nonce;
        final Policy policy;
        final Instant receivedAt;
        final List<Failure> logProblems = new ArrayList<>();
        final List<String> reasons = new ArrayList<>();
        final List<PcrRow> pcrRows = new ArrayList<>();
        PcrValues claimed;
        EventLog eventLog;
        ImaLog imaLog;
        VerificationResult<QuoteCheck> quoteCheck;
        ReplayCheck<TcgEvent> eventReplay;
        ReplayCheck<ImaEntry> imaReplay;
        Verdict verdict;
        PcrValues bootReplayed;
        PcrValues imaReplayed;

        Builder(String hostId, HostEvidence evidence, byte[] nonce, Policy policy, Instant receivedAt) {
            this.hostId = Objects.requireNonNull(hostId, "hostId");
            this.evidence = Objects.requireNonNull(evidence, "evidence");
            this.nonce = nonce.clone();
            this.policy = policy;
            this.receivedAt = Objects.requireNonNull(receivedAt, "receivedAt");
        }

        void run(boolean akBoundToEk) {
            claimed = claimedPcrs(evidence);
            if (!java.security.MessageDigest.isEqual(nonce, base64(evidence.nonce()))) {
                reasons.add("The agent echoed another nonce than the console sent: the evidence may be replayed.");
            }
            readLogs();
            TpmPublic ak = null;
            try {
                ak = TpmPublic.parseTpm2b(base64(evidence.akPublic()));
            } catch (TpmFormatException e) {
                reasons.add("The attestation key the agent sent cannot be decoded: " + e.getMessage());
            }
            byte[] attest = base64(evidence.quoted());
            byte[] signature = base64(evidence.signature());
            if (ak != null) {
                quoteCheck = new QuoteVerifier().verify(ak, attest, signature, claimed, nonce);
            }
            replayLogs();
            if (policy != null && ak != null) {
                judgeUnder(ak, attest, signature, akBoundToEk);
            } else if (quoteCheck != null && !quoteCheck.passed()) {
                quoteCheck.failures().forEach(f -> reasons.add("Quote check " + f.check() + " failed: " + f.message()));
            }
            buildPcrRows();
            if (policy == null) {
                for (PcrRow row : pcrRows) {
                    if (row.mismatch()) {
                        reasons.add(row.bank().bankName() + " PCR " + row.pcr() + ": " + row.problem());
                    }
                }
                logProblems.forEach(p -> reasons.add(p.why()));
            }
        }

        private void readLogs() {
            if (evidence.eventLog() != null) {
                try {
                    eventLog = EventLog.parse(base64(evidence.eventLog()));
                } catch (EventLogFormatException e) {
                    logProblems.add(Failure.fromLog("The boot event log of " + hostId + " could not be read", e));
                }
            }
            if (evidence.imaLog() != null) {
                try {
                    imaLog = ImaLog.parse(base64(evidence.imaLog()));
                } catch (ImaFormatException e) {
                    logProblems.add(Failure.fromLog("The IMA log of " + hostId + " could not be read", e));
                }
            }
        }

        private void replayLogs() {
            if (eventLog != null) {
                eventReplay = eventLog.compare(claimed);
                bootReplayed = eventLog.replay();
            }
            if (imaLog != null) {
                try {
                    imaReplay = imaLog.compare(claimed);
                    imaReplayed = imaLog.replay(claimed.banks());
                } catch (ImaReplayException e) {
                    logProblems.add(Failure.fromLog("The IMA log of " + hostId + " could not be replayed", e));
                }
            }
        }

        /**
         * The policy's rules for a host: its VM launch rules judge a VM's launch measurements, which
         * host evidence does not carry; the migration wizard checks them against the VM's details.
         */
        private static Policy hostPart(Policy policy) {
            return policy.vmLaunch().isEmpty() ? policy : policy.toBuilder().vmLaunch(null).build();
        }

        private void judgeUnder(TpmPublic ak, byte[] attest, byte[] signature, boolean akBoundToEk) {
            try {
                Evidence.Builder e = Evidence.builder(Evidence.Quote.of(ak, attest, signature, claimed, nonce))
                        .akBoundToEk(akBoundToEk);
                if (eventLog != null) {
                    e.eventLog(eventLog);
                }
                if (imaLog != null) {
                    e.imaLog(imaLog);
                }
                verdict = PolicyEvaluator.evaluate(hostPart(policy), e.build());
                for (Finding f : verdict.errors()) {
                    reasons.add(f.location().subject() + ": " + f.message());
                }
            } catch (InvalidKeyException e) {
                reasons.add("The attestation key cannot verify signatures: " + e.getMessage());
            }
        }

        private void buildPcrRows() {
            for (HashAlgorithm bank : claimed.banks()) {
                for (int pcr : claimed.indices(bank)) {
                    pcrRows.add(row(bank, pcr));
                }
            }
        }

        private PcrRow row(HashAlgorithm bank, int pcr) {
            String quoted = HEX.formatHex(claimed.get(bank, pcr).orElseThrow());
            String log = "";
            String replayed = "";
            if (bootReplayed != null && bootReplayed.get(bank, pcr).isPresent()) {
                log = "boot event log";
                replayed = HEX.formatHex(bootReplayed.get(bank, pcr).get());
            } else if (imaReplayed != null && imaReplayed.get(bank, pcr).isPresent()) {
                log = "IMA log";
                replayed = HEX.formatHex(imaReplayed.get(bank, pcr).get());
            }
            List<String> references = new ArrayList<>();
            if (policy != null) {
                Map<HashAlgorithm, SortedSet<String>> banks = policy.referenceValues().get(pcr);
                if (banks != null && banks.get(bank) != null) {
                    references.addAll(banks.get(bank));
                }
            }
            List<String> problems = new ArrayList<>();
            if (!replayed.isEmpty() && !replayed.equals(quoted)) {
                problems.add("the " + log + " replays to " + replayed + " but the TPM quoted " + quoted);
            }
            if (!references.isEmpty() && !references.contains(quoted)) {
                problems.add("the policy allows " + String.join(" or ", references) + " but the TPM quoted " + quoted);
            }
            PcrStatus status = !problems.isEmpty() ? PcrStatus.MISMATCH
                    : replayed.isEmpty() ? PcrStatus.NOT_IN_LOG : PcrStatus.MATCHES;
            return new PcrRow(bank, pcr, quoted, log, replayed, references, status, String.join("; ", problems));
        }

        private static PcrValues claimedPcrs(HostEvidence evidence) {
            PcrValues.Builder b = PcrValues.builder();
            for (HostEvidence.PcrValue v : evidence.pcrs()) {
                HashAlgorithm bank = HashAlgorithm.fromBankName(v.bank()).orElseThrow(
                        () -> new IllegalArgumentException("PCR bank '" + v.bank() + "' is not one the console knows"));
                b.put(bank, v.index(), HEX.parseHex(v.value()));
            }
            return b.build();
        }

        private static byte[] base64(String text) {
            return Base64.getDecoder().decode(text);
        }
    }
}
