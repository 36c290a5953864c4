package org.vtpmmigrate.attest.eventlog;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.function.Function;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;

/**
 * The outcome of comparing the PCR values a log replays to with the PCR values a TPM reported
 * (a quote, a PCR read): every PCR that differs, with the bank, both values and the log entries
 * that were extended into it, so a verdict can say which measurements are in doubt. Used for
 * boot event logs ({@code E = TcgEvent}) and IMA logs ({@code E = ImaEntry}). Immutable.
 * <p>
 * Only PCRs present on both sides are compared. PCRs the log extends but the claimed values do
 * not include are listed by {@link #notCovered()}: their log entries are vouched for by nothing.
 * PCRs claimed but not extended by the log are not this log's business (another log, or none).
 *
 * @param <E> the log entry type
 */
public final class ReplayCheck<E> {

    /** One PCR whose claimed value differs from the replayed one. */
    public static final class Mismatch<E> {
        private final HashAlgorithm bank;
        private final int pcr;
        private final byte[] claimed;
        private final byte[] replayed;
        private final List<E> entries;

        Mismatch(HashAlgorithm bank, int pcr, byte[] claimed, byte[] replayed, List<E> entries) {
            this.bank = bank;
            this.pcr = pcr;
            this.claimed = claimed.clone();
            this.replayed = replayed.clone();
            this.entries = List.copyOf(entries);
        }

        public HashAlgorithm bank() {
            return bank;
        }

        public int pcr() {
            return pcr;
        }

        /** The value the TPM reported. */
        public byte[] claimed() {
            return claimed.clone();
        }

        /** The value the log replays to. */
        public byte[] replayed() {
            return replayed.clone();
        }

        /** The log entries extended into this PCR in this bank, in log order. */
        public List<E> entries() {
            return entries;
        }

        @Override
        public String toString() {
            return bank.bankName() + " PCR " + pcr + ": claimed " + HexFormat.of().formatHex(claimed)
                    + ", log replays to " + HexFormat.of().formatHex(replayed) + " (" + entries.size() + " entries)";
        }
    }

    /** Supplies the entries extended into one PCR of one bank. */
    @FunctionalInterface
    public interface EntrySource<E> {
        List<E> entriesOf(HashAlgorithm bank, int pcr);
    }

    private final List<Mismatch<E>> mismatches;
    private final Map<HashAlgorithm, SortedSet<Integer>> matched;
    private final Map<HashAlgorithm, SortedSet<Integer>> notCovered;
    private final Function<E, String> label;

    private ReplayCheck(List<Mismatch<E>> mismatches, Map<HashAlgorithm, SortedSet<Integer>> matched,
            Map<HashAlgorithm, SortedSet<Integer>> notCovered, Function<E, String> label) {
        this.mismatches = List.copyOf(mismatches);
        this.matched = freeze(matched);
        this.notCovered = freeze(notCovered);
        this.label = label;
    }

    /**
     * Compares {@code replayed} (from a log) with {@code claimed} (from a TPM).
     *
     * @param entries supplies the log entries of a PCR, for mismatches
     * @param label   a short name of an entry for {@link #describe()}, e.g. "event 12 EV_SEPARATOR"
     */
    public static <E> ReplayCheck<E> compare(PcrValues replayed, PcrValues claimed, EntrySource<E> entries,
            Function<E, String> label) {
        List<Mismatch<E>> mismatches = new ArrayList<>();
        Map<HashAlgorithm, SortedSet<Integer>> matched = new EnumMap<>(HashAlgorithm.class);
        Map<HashAlgorithm, SortedSet<Integer>> notCovered = new EnumMap<>(HashAlgorithm.class);
        for (HashAlgorithm bank : replayed.banks()) {
            for (int pcr : replayed.indices(bank)) {
                byte[] mine = replayed.get(bank, pcr).orElseThrow();
                Optional<byte[]> theirs = claimed.get(bank, pcr);
                if (theirs.isEmpty()) {
                    notCovered.computeIfAbsent(bank, b -> new TreeSet<>()).add(pcr);
                } else if (Arrays.equals(mine, theirs.get())) {
                    matched.computeIfAbsent(bank, b -> new TreeSet<>()).add(pcr);
                } else {
                    mismatches.add(new Mismatch<>(bank, pcr, theirs.get(), mine, entries.entriesOf(bank, pcr)));
                }
            }
        }
        return new ReplayCheck<>(mismatches, matched, notCovered, label);
    }

    private static Map<HashAlgorithm, SortedSet<Integer>> freeze(Map<HashAlgorithm, SortedSet<Integer>> m) {
        Map<HashAlgorithm, SortedSet<Integer>> copy = new EnumMap<>(HashAlgorithm.class);
        m.forEach((k, v) -> copy.put(k, Collections.unmodifiableSortedSet(new TreeSet<>(v))));
        return Collections.unmodifiableMap(copy);
    }

    /** True when at least one PCR was compared and every compared PCR agrees. */
    public boolean matches() {
        return mismatches.isEmpty() && !matched.isEmpty();
    }

    /** Every PCR that differs, in bank then index order. */
    public List<Mismatch<E>> mismatches() {
        return mismatches;
    }

    /** PCRs compared and equal, per bank. */
    public Map<HashAlgorithm, SortedSet<Integer>> matched() {
        return matched;
    }

    /** PCRs the log extends that the claimed values do not include, per bank. */
    public Map<HashAlgorithm, SortedSet<Integer>> notCovered() {
        return notCovered;
    }

    /** A multi-line account for verdicts and logs: each mismatch with its entries, then the gaps. */
    public String describe() {
        StringJoiner out = new StringJoiner("\n");
        if (matched.isEmpty() && mismatches.isEmpty()) {
            out.add("no PCR of the log was among the claimed values");
        }
        for (Mismatch<E> m : mismatches) {
            out.add(m.toString());
            for (E e : m.entries()) {
                out.add("  " + label.apply(e));
            }
        }
        notCovered.forEach((bank, pcrs) -> out.add(bank.bankName() + " PCRs " + pcrs
                + " are extended by the log but not covered by the claimed values"));
        if (mismatches.isEmpty() && !matched.isEmpty()) {
            out.add("all " + matched.values().stream().mapToInt(SortedSet::size).sum() + " compared PCRs match");
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
