package org.vtpmmigrate.attest.policy.internal;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.eventlog.ReplayCheck;
import org.vtpmmigrate.attest.ima.BootAggregate;
import org.vtpmmigrate.attest.ima.ImaEntry;
import org.vtpmmigrate.attest.ima.ImaLog;
import org.vtpmmigrate.attest.ima.ImaReplayException;
import org.vtpmmigrate.attest.policy.Finding.Category;
import org.vtpmmigrate.attest.policy.Finding.Location;
import org.vtpmmigrate.attest.policy.Policy;

/**
 * The IMA log against the quote and the allowlist, in the manner of Keylime: the log must replay
 * to the quoted PCR; every entry the quote covers must be excluded or carry an allowed digest for
 * its path; the boot_aggregate must match the quoted boot PCRs.
 */
final class ImaCheck {
    private static final String BOOT_AGGREGATE = "boot_aggregate";

    private final Evaluation e;

    ImaCheck(Evaluation e) {
        this.e = e;
    }

    void run() {
        Optional<Policy.ImaRules> rules = e.policy.ima();
        Optional<ImaLog> maybeLog = e.evidence.imaLog();
        if (maybeLog.isEmpty()) {
            if (rules.isPresent()) {
                e.findings.error(Category.EVIDENCE, Location.of("IMA log"), "the IMA measurement list", "none",
                        "The policy checks the files the host ran (IMA), and the host sent no IMA log.", "");
            }
            return;
        }
        ImaLog log = maybeLog.get();
        Set<HashAlgorithm> accepted = e.policy.algorithms().pcrBanks();
        SortedSet<Integer> covered = new TreeSet<>();
        boolean onlyRejectedBanks = false;
        for (HashAlgorithm bank : e.claimed.banks()) {
            if (log.pcrs().stream().noneMatch(p -> e.claimed.get(bank, p).isPresent())) {
                continue;
            }
            PcrValues replayed;
            try {
                replayed = log.replay(List.of(bank));
            } catch (ImaReplayException x) {
                e.findings.error(Category.IMA_LOG, Location.of("IMA log, " + bank.bankName() + " bank"), "", "",
                        "The IMA log cannot be replayed into the " + bank.bankName() + " bank, so it cannot be"
                                + " compared with the quote.", x.getMessage());
                continue;
            }
            ReplayCheck<ImaEntry> check = ReplayCheck.compare(replayed, only(e.claimed, bank),
                    (b, pcr) -> log.entriesOf(pcr), ImaEntry::toString);
            for (ReplayCheck.Mismatch<ImaEntry> m : check.mismatches()) {
                e.findings.error(Category.IMA_LOG, Location.pcr(m.bank(), m.pcr()), HexFormat.of().formatHex(m.claimed()),
                        HexFormat.of().formatHex(m.replayed()),
                        "The IMA log does not replay to the value the TPM quoted for PCR " + m.pcr() + " ("
                                + m.bank().bankName() + " bank): entries were altered, added or removed, or the log"
                                + " was read at another time than the quote.",
                        "expected = quoted value, actual = replay of " + m.entries().size() + " entries");
            }
            for (int pcr : log.pcrs()) {
                if (e.claimed.get(bank, pcr).isPresent()) {
                    if (accepted.contains(bank)) {
                        covered.add(pcr);
                    } else {
                        onlyRejectedBanks = true;
                    }
                }
            }
        }
        String message = "The quote does not cover the IMA PCR" + (log.pcrs().size() == 1 ? " " : "s ")
                + log.pcrs() + " in an accepted bank, so the IMA log is vouched for by nothing.";
        if (covered.isEmpty()) {
            Category c = onlyRejectedBanks ? Category.ALGORITHM : Category.IMA_LOG;
            String expected = "PCR " + log.pcrs() + " quoted in one of " + Evaluation.names(accepted);
            if (rules.isPresent()) {
                e.findings.error(c, Location.of("IMA log"), expected, Evaluation.names(e.claimed.banks()), message, "");
            } else {
                e.findings.warning(c, Location.of("IMA log"), expected, Evaluation.names(e.claimed.banks()), message, "");
            }
        }
        for (ImaEntry entry : log.templateHashProblems()) {
            boolean altered = entry.templateHashStatus() == ImaEntry.TemplateHashStatus.MISMATCH;
            String text = altered
                    ? "The logged template hash of this IMA entry is not the hash of its fields: the entry was altered."
                    : "This IMA entry uses a template this verifier cannot rebuild, so its template hash cannot be"
                            + " checked.";
            if (altered) {
                e.findings.error(Category.IMA_LOG, Findings.imaEntry(entry), "", "", text, entry.toString());
            } else {
                e.findings.warning(Category.IMA_LOG, Findings.imaEntry(entry), "", "", text, entry.toString());
            }
        }
        log.incompleteTail().ifPresent(t -> e.findings.warning(Category.IMA_LOG, Location.of("IMA log"), "", "",
                "The IMA log ends inside an entry (a capture cut short); the partial entry was ignored.",
                t.length() + " bytes at offset " + t.offset()));
        if (rules.isEmpty() || covered.isEmpty()) {
            return;
        }
        Policy.ImaRules r = rules.get();
        if (r.checkBootAggregate()) {
            checkBootAggregate(log);
        }
        checkAllowlist(log, r, covered);
    }

    private static PcrValues only(PcrValues values, HashAlgorithm bank) {
        PcrValues.Builder b = PcrValues.builder();
        for (int pcr : values.indices(bank)) {
            b.put(bank, pcr, values.get(bank, pcr).orElseThrow());
        }
        return b.build();
    }

    private void checkBootAggregate(ImaLog log) {
        Optional<ImaEntry> agg = log.bootAggregate();
        if (agg.isEmpty()) {
            e.findings.error(Category.BOOT_AGGREGATE, Location.of("IMA log"), "boot_aggregate as the first entry",
                    log.entries().isEmpty() ? "no entries" : log.entries().get(0).filePath().orElse("(no name)"),
                    "The IMA log does not start with the boot_aggregate, so it cannot be tied to this boot.", "");
            return;
        }
        ImaEntry entry = agg.get();
        Optional<HashAlgorithm> bank = entry.fileDigestHashAlgorithm();
        Optional<byte[]> digest = entry.fileDigest();
        if (bank.isEmpty() || digest.isEmpty()) {
            e.findings.error(Category.BOOT_AGGREGATE, Findings.imaEntry(entry), "", entry.fileDigestText().orElse(""),
                    "The boot_aggregate uses a digest algorithm this verifier does not implement, so it cannot be"
                            + " tied to this boot.", entry.toString());
            return;
        }
        List<Integer> missing = new ArrayList<>();
        for (int pcr = 0; pcr <= 7; pcr++) {
            if (e.claimed.get(bank.get(), pcr).isEmpty()) {
                missing.add(pcr);
            }
        }
        if (!missing.isEmpty()) {
            e.findings.error(Category.BOOT_AGGREGATE, Findings.imaEntry(entry),
                    bank.get().bankName() + " PCRs 0-7 in the quote", "PCRs " + missing + " not quoted",
                    "The boot_aggregate cannot be checked because the quote does not cover the "
                            + bank.get().bankName() + " boot PCRs it summarises.", "");
            return;
        }
        String actual = HexFormat.of().formatHex(digest.get());
        String pcrs0to7 = HexFormat.of().formatHex(BootAggregate.compute(e.claimed, bank.get(), false));
        boolean has8and9 = e.claimed.get(bank.get(), 8).isPresent() && e.claimed.get(bank.get(), 9).isPresent();
        String pcrs0to9 = bank.get() != HashAlgorithm.SHA1 && has8and9
                ? HexFormat.of().formatHex(BootAggregate.compute(e.claimed, bank.get(), true)) : null;
        if (actual.equals(pcrs0to7) || actual.equals(pcrs0to9)) {
            return;
        }
        boolean zero = digest.get().length > 0 && HexFormat.of().formatHex(digest.get()).chars().allMatch(c -> c == '0');
        e.findings.error(Category.BOOT_AGGREGATE, Findings.imaEntry(entry),
                pcrs0to9 == null ? pcrs0to7 : pcrs0to7 + " (PCRs 0-7) or " + pcrs0to9 + " (PCRs 0-9)",
                bank.get().bankName() + ":" + actual,
                zero ? "IMA started without a TPM (all-zero boot_aggregate), so the IMA log cannot be tied to the quoted"
                        + " boot."
                        : "The IMA log's boot_aggregate does not match the quoted boot PCRs: the IMA log belongs to"
                                + " another boot or another machine.",
                "boot_aggregate = " + bank.get().bankName() + " over the quoted PCRs 0-7 (0-9 since Linux 5.8)");
    }

    private void checkAllowlist(ImaLog log, Policy.ImaRules r, SortedSet<Integer> covered) {
        List<Pattern> excludes = new ArrayList<>();
        for (String x : r.excludes()) {
            excludes.add(Pattern.compile(x));
        }
        for (ImaEntry entry : log.entries()) {
            if (!covered.contains(entry.pcr())) {
                continue;
            }
            Optional<String> path = entry.filePath();
            if (path.isEmpty()) {
                e.findings.error(Category.IMA_FILE, Findings.imaEntry(entry), "", entry.templateName(),
                        "This IMA entry's fields cannot be decoded (template " + entry.templateName()
                                + "), so it cannot be checked against the allowlist.", entry.toString());
                continue;
            }
            if (excluded(excludes, path.get())) {
                continue;
            }
            boolean first = entry.index() == 0 && path.get().equals(BOOT_AGGREGATE);
            SortedSet<String> allowed = r.allowlist().get(path.get());
            if (first && allowed == null) {
                continue; // the boot aggregate is not a file; it is checked against the quote
            }
            if (entry.isViolation()) {
                e.findings.error(Category.IMA_FILE, Findings.imaEntry(entry), "a measured digest", "violation",
                        "The file " + path.get() + " was measured while it was open for writing (an IMA violation), so"
                                + " what the host ran from it is unknown.", entry.toString());
                continue;
            }
            if (entry.fileDigest().isEmpty()) {
                e.findings.error(Category.IMA_FILE, Findings.imaEntry(entry), "", "",
                        "This IMA entry carries no file digest, so it cannot be checked against the allowlist.",
                        entry.toString());
                continue;
            }
            String measured = Digests.imaDigestOf(entry);
            if (allowed == null) {
                e.findings.error(Category.IMA_FILE, Findings.imaEntry(entry), "a path on the allowlist", measured,
                        "The host ran or read " + path.get() + ", which is not on the IMA allowlist.", entry.toString());
                continue;
            }
            boolean ok = false;
            for (String candidate : Digests.imaCandidates(entry)) {
                ok |= allowed.contains(candidate);
            }
            if (!ok) {
                e.findings.error(Category.IMA_FILE, Findings.imaEntry(entry), Findings.oneOf(allowed, "digest"), measured,
                        "The content of " + path.get() + " is not an approved version: its digest is not on the"
                                + " allowlist.", entry.toString());
            }
        }
    }

    private static boolean excluded(List<Pattern> excludes, String path) {
        for (Pattern p : excludes) {
            if (p.matcher(path).lookingAt()) {
                return true;
            }
        }
        return false;
    }
}
