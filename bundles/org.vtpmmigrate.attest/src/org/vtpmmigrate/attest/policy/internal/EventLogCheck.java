package org.vtpmmigrate.attest.policy.internal;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.eventlog.EventData;
import org.vtpmmigrate.attest.eventlog.EventLog;
import org.vtpmmigrate.attest.eventlog.ReplayCheck;
import org.vtpmmigrate.attest.eventlog.TcgEvent;
import org.vtpmmigrate.attest.policy.Finding.Category;
import org.vtpmmigrate.attest.policy.Finding.Location;
import org.vtpmmigrate.attest.policy.Policy;
import org.vtpmmigrate.attest.tpm2.PcrSelection;

/**
 * The boot event log against the quote and the policy. The log must replay to the quoted values;
 * only events in PCRs the quote covers in an accepted bank are judged, because an event no quote
 * covers proves nothing (its type and data are not measured at all). Those events are checked
 * for accepted types and allowed and forbidden digests.
 */
final class EventLogCheck {
    /** Which PCRs of the log the quote covers in an accepted bank. */
    record Coverage(EventLog log, SortedSet<Integer> coveredPcrs) {
        /** The log's events of one PCR, listed for a finding's detail; empty when the log has none. */
        String eventsOf(HashAlgorithm bank, int pcr) {
            List<TcgEvent> events = log.extendedEvents(bank, pcr);
            return Findings.listEntries(events, Findings::label);
        }
    }

    private final Evaluation e;

    EventLogCheck(Evaluation e) {
        this.e = e;
    }

    Optional<Coverage> run() {
        Optional<Policy.EventLogRules> rules = e.policy.eventLog();
        Optional<EventLog> maybeLog = e.evidence.eventLog();
        if (maybeLog.isEmpty()) {
            if (rules.isPresent() && rules.get().required()) {
                e.findings.error(Category.EVIDENCE, Location.of("boot event log"), "the TCG boot event log", "none",
                        "The policy requires the host's boot event log, and the host sent none.", "");
            }
            return Optional.empty();
        }
        EventLog log = maybeLog.get();
        Set<HashAlgorithm> accepted = e.policy.algorithms().pcrBanks();

        ReplayCheck<TcgEvent> replay = log.compare(e.claimed);
        for (ReplayCheck.Mismatch<TcgEvent> m : replay.mismatches()) {
            e.findings.error(Category.EVENT_LOG, Location.pcr(m.bank(), m.pcr()), HexFormat.of().formatHex(m.claimed()),
                    HexFormat.of().formatHex(m.replayed()),
                    "The boot event log does not replay to the value the TPM quoted for PCR " + m.pcr() + " ("
                            + Findings.purpose(m.pcr()) + ", " + m.bank().bankName() + " bank): events were altered,"
                            + " added or removed, so the log cannot be believed for this PCR.",
                    "expected = quoted value, actual = replay of " + m.entries().size() + " events:\n"
                            + Findings.listEntries(m.entries(), Findings::label));
        }

        Set<HashAlgorithm> logBanks = log.banks();
        Set<HashAlgorithm> usable = EnumSet.noneOf(HashAlgorithm.class);
        for (HashAlgorithm b : logBanks) {
            if (accepted.contains(b)) {
                usable.add(b);
            }
        }
        SortedSet<Integer> extended = new TreeSet<>();
        for (TcgEvent ev : log.events()) {
            if (ev.isExtended()) {
                extended.add((int) ev.pcrIndex());
            }
        }
        SortedSet<Integer> covered = new TreeSet<>();
        for (int pcr : extended) {
            for (HashAlgorithm b : usable) {
                if (e.claimed.get(b, pcr).isPresent()) {
                    covered.add(pcr);
                }
            }
        }
        if (usable.isEmpty()) {
            String expected = "digests in one of " + Evaluation.names(accepted);
            String message = "The boot event log only records digests the policy does not accept (such as SHA-1), so"
                    + " it cannot vouch for anything" + (rules.isPresent() ? ": refused as a downgrade." : ".");
            String detail = "log format " + log.format() + ", algorithms " + Evaluation.names(logBanks);
            if (rules.isPresent()) {
                e.findings.error(Category.ALGORITHM, Location.of("boot event log"), expected,
                        Evaluation.names(logBanks), message, detail);
            } else {
                e.findings.warning(Category.ALGORITHM, Location.of("boot event log"), expected,
                        Evaluation.names(logBanks), message, detail);
            }
        } else if (covered.isEmpty() && !extended.isEmpty()) {
            String expected = "PCRs " + PcrSelection.formatIndices(extended) + " quoted in " + Evaluation.names(usable);
            String message = "The quote covers none of the PCRs the boot event log extends, so nothing in the log is"
                    + " vouched for.";
            if (rules.isPresent()) {
                e.findings.error(Category.EVENT_LOG, Location.of("boot event log"), expected, e.claimed.isEmpty() ? "none"
                        : PcrSelection.of(e.claimed).toString(), message, "");
            } else {
                e.findings.warning(Category.EVENT_LOG, Location.of("boot event log"), expected,
                        PcrSelection.of(e.claimed).toString(), message, "");
            }
        }
        reportUncovered(log, extended, covered);
        for (EventLog.Quirk q : log.quirks()) {
            e.findings.warning(Category.EVENT_LOG, Location.of("boot event log"), "", "",
                    "The boot event log deviates from the specification in a way that does not change its replay.",
                    q.name());
        }
        if (rules.isEmpty() || usable.isEmpty()) {
            return Optional.of(new Coverage(log, covered));
        }
        checkEvents(log, rules.get(), covered, usable);
        return Optional.of(new Coverage(log, covered));
    }

    /** One warning per PCR whose events nothing covers. */
    private void reportUncovered(EventLog log, SortedSet<Integer> extended, SortedSet<Integer> covered) {
        SortedMap<Integer, List<TcgEvent>> uncovered = new TreeMap<>();
        for (TcgEvent ev : log.events()) {
            if (ev.isExtended() && !covered.contains((int) ev.pcrIndex())) {
                uncovered.computeIfAbsent((int) ev.pcrIndex(), p -> new ArrayList<>()).add(ev);
            }
        }
        if (uncovered.isEmpty() || covered.isEmpty() && !extended.isEmpty()) {
            return; // all or nothing uncovered: reported once above
        }
        for (Map.Entry<Integer, List<TcgEvent>> u : uncovered.entrySet()) {
            e.findings.warning(Category.EVENT_LOG, Findings.pcrOnly(u.getKey()), "", "",
                    (u.getValue().size() == 1 ? "The log's event in PCR " : "The log's " + u.getValue().size()
                            + " events in PCR ") + u.getKey() + " (" + Findings.purpose(u.getKey()) + ") "
                            + (u.getValue().size() == 1 ? "is" : "are") + " not covered by the quote in an accepted"
                            + " bank and ignored: a log entry no quote covers proves nothing.",
                    Findings.listEntries(u.getValue(), Findings::label));
        }
    }

    private void checkEvents(EventLog log, Policy.EventLogRules rules, SortedSet<Integer> covered,
            Set<HashAlgorithm> usable) {
        Set<HashAlgorithm> applied = EnumSet.noneOf(HashAlgorithm.class);
        for (TcgEvent ev : log.events()) {
            if (!ev.isExtended() || !covered.contains((int) ev.pcrIndex())) {
                continue;
            }
            if (!rules.acceptedTypes().contains(ev.typeValue())) {
                boolean known = ev.type().isPresent();
                e.findings.error(Category.EVENT_TYPE, Findings.event(ev), "an accepted event type", ev.typeName(),
                        "Event " + ev.index() + " in PCR " + ev.pcrIndex() + " claims "
                                + (known ? "type " + ev.typeName() + ", which the policy does not accept"
                                        : "type " + ev.typeName() + ", which this verifier does not know")
                                + ". An event's type is not measured, so a log could label any digest with it;"
                                + " unexpected types are refused.",
                        Findings.label(ev));
            }
            if (ev.decoded().orElse(null) instanceof EventData.Separator s && s.signalsError()) {
                e.findings.warning(Category.EVENT_LOG, Findings.event(ev), "separator value 0", String.format("0x%08X",
                        s.value()), "The firmware signalled an error in this boot stage (non-zero separator).",
                        Findings.label(ev));
            }
            for (HashAlgorithm bank : usable) {
                Optional<byte[]> d = ev.digest(bank);
                // a digest of a bank the quote does not cover for this PCR is the log's word only
                if (d.isEmpty() || e.claimed.get(bank, (int) ev.pcrIndex()).isEmpty()) {
                    continue;
                }
                String hex = HexFormat.of().formatHex(d.get());
                SortedSet<String> forbidden = rules.forbiddenDigests().get(bank);
                if (forbidden != null && forbidden.contains(hex)) {
                    e.findings.error(Category.EVENT_DIGEST, Findings.event(ev), "not " + hex, bank.bankName() + ":" + hex,
                            "Event " + ev.index() + " in PCR " + ev.pcrIndex() + " measured a component the policy"
                                    + " forbids (for example a revoked boot loader).",
                            Findings.label(ev));
                }
                SortedSet<String> allowed = rules.allowedDigests().get(bank);
                if (allowed != null) {
                    applied.add(bank);
                    if (!allowed.contains(hex)) {
                        e.findings.error(Category.EVENT_DIGEST, Findings.event(ev),
                                Findings.oneOf(allowed, bank.bankName() + " digest"), bank.bankName() + ":" + hex,
                                "Event " + ev.index() + " in PCR " + ev.pcrIndex() + " ("
                                        + Findings.purpose((int) ev.pcrIndex())
                                        + ") measured something the policy does not list as allowed.",
                                Findings.label(ev));
                    }
                }
            }
        }
        for (HashAlgorithm bank : rules.allowedDigests().keySet()) {
            if (!applied.contains(bank)) {
                e.findings.warning(Category.EVENT_DIGEST, Location.of("boot event log"), bank.bankName() + " digests",
                        "log banks " + Evaluation.names(log.banks()) + ", quoted banks "
                                + Evaluation.names(e.claimed.banks()),
                        "The policy lists allowed " + bank.bankName() + " event digests, but no event's "
                                + bank.bankName() + " digest is covered by the quote, so that list was not applied.",
                        "");
            }
        }
    }
}
