package org.vtpmmigrate.attest.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.eventlog.EventLog;
import org.vtpmmigrate.attest.eventlog.TcgEvent;
import org.vtpmmigrate.attest.ima.ImaEntry;
import org.vtpmmigrate.attest.ima.ImaLog;
import org.vtpmmigrate.attest.policy.internal.Digests;
import org.vtpmmigrate.attest.tpm2.PcrSelection;
import org.vtpmmigrate.attest.tpm2.TpmAttest;

/**
 * Builds a policy from a host's current evidence ("trust this state"): the quoted PCRs in the
 * accepted banks as selection and reference values, the boot log's event types and digests, the
 * IMA log's files and digests, the VM's launch digests. The evidence must verify first (quote,
 * nonce, log replays): a policy made from unverified evidence would enshrine whatever is wrong.
 * The result is evaluated against the same evidence and must come out trusted.
 * <p>
 * PCRs that change while the host runs get no reference value: the IMA PCR (the IMA allowlist
 * covers it) and the launch PCR (the launch allowlist and replay cover it).
 */
public final class PolicyGenerator {

    /**
     * @param id          the new policy's id
     * @param description optional text
     * @param algorithms  accepted banks and signature hashes
     * @param imaPcr      the PCR IMA extends
     * @param launchPcr   the SHA-256 PCR the host extends VM launch events into, if any
     * @param ekTrust     CA certificates to trust for EK certificates (evidence cannot supply trust)
     * @param imaRules    IMA rules to use instead of an allowlist made from the IMA log (e.g. an
     *                    imported Keylime runtime policy)
     */
    public record Options(String id, Optional<String> description, Policy.Algorithms algorithms, int imaPcr,
            OptionalInt launchPcr, Policy.EkTrust ekTrust, Optional<Policy.ImaRules> imaRules) {
        public Options {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(algorithms, "algorithms");
            Objects.requireNonNull(launchPcr, "launchPcr");
            Objects.requireNonNull(ekTrust, "ekTrust");
            Objects.requireNonNull(imaRules, "imaRules");
            if (!Policy.isValidId(id)) {
                throw new IllegalArgumentException("'" + id + "' is not a policy id (1-128 of A-Z a-z 0-9 . _ : -,"
                        + " starting with a letter or digit)");
            }
        }

        /** Default algorithms, IMA PCR 10, no launch PCR, no trusted EK CA. */
        public static Options of(String id) {
            return new Options(id, Optional.empty(), Policy.Algorithms.DEFAULT, Policy.ImaRules.DEFAULT_PCR,
                    OptionalInt.empty(), Policy.EkTrust.NONE, Optional.empty());
        }

        public Options withDescription(String text) {
            return new Options(id, Optional.of(text), algorithms, imaPcr, launchPcr, ekTrust, imaRules);
        }

        public Options withAlgorithms(Policy.Algorithms a) {
            return new Options(id, description, a, imaPcr, launchPcr, ekTrust, imaRules);
        }

        public Options withLaunchPcr(int pcr) {
            return new Options(id, description, algorithms, imaPcr, OptionalInt.of(pcr), ekTrust, imaRules);
        }

        public Options withEkTrust(Policy.EkTrust trust) {
            return new Options(id, description, algorithms, imaPcr, launchPcr, trust, imaRules);
        }

        public Options withImaRules(Policy.ImaRules rules) {
            return new Options(id, description, algorithms, imaPcr, launchPcr, ekTrust, Optional.of(rules));
        }
    }

    /** The new policy, and notes on what it leaves open (to show the administrator). */
    public record Result(Policy policy, List<String> notes) {
        public Result {
            notes = List.copyOf(notes);
        }
    }

    private PolicyGenerator() {
    }

    public static Result fromEvidence(Evidence evidence, Options options) throws EvidenceRejectedException {
        return fromEvidence(evidence, options, Instant.now());
    }

    /**
     * @param at time for certificate validity
     * @throws EvidenceRejectedException when the evidence does not verify
     */
    public static Result fromEvidence(Evidence evidence, Options options, Instant at) throws EvidenceRejectedException {
        List<String> notes = new ArrayList<>();
        PcrValues claimed = evidence.quote().claimedPcrs();
        Set<HashAlgorithm> banks = EnumSet.noneOf(HashAlgorithm.class);
        for (HashAlgorithm b : claimed.banks()) {
            if (options.algorithms().pcrBanks().contains(b)) {
                banks.add(b);
            }
        }
        if (banks.isEmpty()) {
            throw new EvidenceRejectedException("the quote covers no accepted PCR bank (it covers "
                    + PcrSelection.of(claimed) + "; accepted: " + bankNames(options.algorithms().pcrBanks())
                    + "): a policy over SHA-1 alone would invite a downgrade", null);
        }
        PcrSelection.Builder selection = PcrSelection.builder();
        for (HashAlgorithm b : banks) {
            selection.select(b, claimed.indices(b));
        }
        Policy.Builder builder = Policy.builder(options.id()).algorithms(options.algorithms())
                .pcrSelection(selection.build()).ekTrust(options.ekTrust()).freshness(new Policy.Freshness(false, true));
        options.description().ifPresent(builder::description);

        // Authenticity first: quote, nonce, log replays, EK (with no rules, nothing else can fail).
        Verdict bare = PolicyEvaluator.evaluate(build(builder), evidence, at);
        if (!bare.trusted()) {
            throw new EvidenceRejectedException("the evidence does not verify (" + bare.errors().size()
                    + " errors), so no policy is built from it", bare);
        }
        boolean safeClock = clockSafe(evidence);
        if (!safeClock) {
            notes.add("the TPM reported its clock as not safe; freshness.requireSafeClock is off");
        }
        builder.freshness(new Policy.Freshness(safeClock, true));

        SortedSet<Integer> dynamic = new TreeSet<>();
        evidence.imaLog().ifPresent(log -> dynamic.addAll(log.pcrs()));
        options.launchPcr().ifPresent(dynamic::add);
        for (HashAlgorithm b : banks) {
            for (int pcr : claimed.indices(b)) {
                if (!dynamic.contains(pcr)) {
                    builder.referenceValues(b, pcr, List.of(HexFormat.of().formatHex(claimed.get(b, pcr).orElseThrow())));
                }
            }
        }
        if (!dynamic.isEmpty()) {
            notes.add("no reference values for PCRs " + dynamic + ": they change while the host runs (IMA, VM"
                    + " launches); their logs are checked instead");
        }
        evidence.eventLog().ifPresent(log -> builder.eventLog(eventRules(log, claimed, banks, notes)));
        imaRules(evidence, options, claimed, banks, notes).ifPresent(builder::ima);
        evidence.launchLog().ifPresent(log -> builder.vmLaunch(launchRules(log, options, notes)));
        if (options.ekTrust().trustedCertificates().isEmpty()) {
            notes.add("no trusted EK certificate authority: add ekCertificates.trusted so the TPM's identity is checked");
        }

        Policy policy = build(builder);
        if (policy.ima().isPresent() && policy.ima().get().checkBootAggregate() && options.imaRules().isEmpty()) {
            Verdict v = PolicyEvaluator.evaluate(policy, evidence, at);
            if (v.findings().stream().anyMatch(f -> f.isError() && f.category() == Finding.Category.BOOT_AGGREGATE)) {
                Policy.ImaRules r = policy.ima().get();
                builder.ima(new Policy.ImaRules(r.pcr(), false, r.allowlist(), r.excludes()));
                notes.add("the IMA boot_aggregate does not match the quoted boot PCRs (IMA started without a TPM, or"
                        + " the IMA log is from another boot); ima.checkBootAggregate is off");
                policy = build(builder);
            }
        }
        Verdict check = PolicyEvaluator.evaluate(policy, evidence, at);
        if (!check.trusted()) {
            throw new EvidenceRejectedException("the evidence does not satisfy even the policy made from it ("
                    + check.errors().size() + " errors)", check);
        }
        return new Result(policy, notes);
    }

    private static Policy build(Policy.Builder builder) throws EvidenceRejectedException {
        try {
            return builder.build();
        } catch (Policy.InvalidPolicyException e) {
            throw new EvidenceRejectedException("no consistent policy fits this evidence: " + e.getMessage(), null);
        }
    }

    private static boolean clockSafe(Evidence evidence) {
        try {
            return TpmAttest.parse(evidence.quote().attest()).clockInfo().safe();
        } catch (org.vtpmmigrate.attest.tpm2.TpmFormatException e) {
            return false; // cannot happen after the quote verified
        }
    }

    private static Policy.EventLogRules eventRules(EventLog log, PcrValues claimed, Set<HashAlgorithm> banks,
            List<String> notes) {
        SortedSet<Long> types = new TreeSet<>();
        Map<HashAlgorithm, SortedSet<String>> allowed = new EnumMap<>(HashAlgorithm.class);
        SortedSet<Integer> uncovered = new TreeSet<>();
        for (TcgEvent e : log.events()) {
            if (!e.isExtended()) {
                continue;
            }
            int pcr = (int) e.pcrIndex();
            boolean covered = false;
            for (HashAlgorithm b : banks) {
                Optional<byte[]> d = e.digest(b);
                if (d.isPresent() && claimed.get(b, pcr).isPresent()) {
                    allowed.computeIfAbsent(b, x -> new TreeSet<>()).add(HexFormat.of().formatHex(d.get()));
                    covered = true;
                }
            }
            if (covered) {
                types.add(e.typeValue());
            } else {
                uncovered.add(pcr);
            }
        }
        if (!uncovered.isEmpty()) {
            notes.add("boot log events in PCRs " + uncovered + " are not covered by the quote; the policy says nothing"
                    + " about them");
        }
        return new Policy.EventLogRules(true, types, allowed, Map.of());
    }

    private static Optional<Policy.ImaRules> imaRules(Evidence evidence, Options options, PcrValues claimed,
            Set<HashAlgorithm> banks, List<String> notes) {
        if (options.imaRules().isPresent()) {
            notes.add("IMA rules taken as given (" + options.imaRules().get().allowlist().size() + " paths), not from"
                    + " the IMA log");
            return options.imaRules();
        }
        if (evidence.imaLog().isEmpty()) {
            return Optional.empty();
        }
        ImaLog log = evidence.imaLog().get();
        int pcr = options.imaPcr();
        if (banks.stream().noneMatch(b -> claimed.get(b, pcr).isPresent())) {
            notes.add("the quote does not cover IMA PCR " + pcr + " in an accepted bank; no IMA rules");
            return Optional.empty();
        }
        SortedMap<String, SortedSet<String>> allowlist = new TreeMap<>();
        int skipped = 0;
        for (ImaEntry e : log.entries()) {
            boolean bootAggregate = e.index() == 0 && e.filePath().equals(Optional.of("boot_aggregate"));
            if (bootAggregate || e.pcr() != pcr || e.isViolation() || e.filePath().isEmpty() || e.fileDigest().isEmpty()) {
                skipped += bootAggregate ? 0 : 1;
                continue;
            }
            try {
                allowlist.computeIfAbsent(e.filePath().get(), p -> new TreeSet<>())
                        .add(Digests.normalizeImaDigest(Digests.imaDigestOf(e)));
            } catch (IllegalArgumentException x) {
                skipped++;
            }
        }
        if (skipped > 0) {
            notes.add(skipped + " IMA entries (violations, undecodable templates, other PCRs or unusual digests) are"
                    + " not on the allowlist and will be refused");
        }
        return Optional.of(new Policy.ImaRules(pcr, true, allowlist, List.of()));
    }

    private static Policy.VmLaunchRules launchRules(LaunchLog log, Options options, List<String> notes) {
        SortedMap<String, SortedSet<String>> allowed = new TreeMap<>();
        for (LaunchLog.Event e : log.vmEvents()) {
            allowed.computeIfAbsent(e.name(), n -> new TreeSet<>()).add(e.contentDigestHex());
        }
        if (options.launchPcr().isEmpty()) {
            notes.add("no launch PCR given: the VM's launch measurements will not be tied to the quote");
        }
        return new Policy.VmLaunchRules(options.launchPcr(), allowed);
    }

    private static String bankNames(Set<HashAlgorithm> banks) {
        List<String> n = new ArrayList<>();
        for (HashAlgorithm b : HashAlgorithm.values()) {
            if (banks.contains(b)) {
                n.add(b.bankName());
            }
        }
        return String.join(", ", n);
    }
}
