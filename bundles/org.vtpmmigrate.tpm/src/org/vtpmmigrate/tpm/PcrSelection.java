package org.vtpmmigrate.tpm;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A set of PCRs in one or more banks, immutable.
 * <p>
 * Banks keep the order in which they were added and indices are ascending within a bank. That is
 * the order of the TPML_PCR_SELECTION sent to the TPM, and so the order in which PCR values are
 * concatenated for a quote's PCR digest and for a PolicyPCR digest.
 */
public final class PcrSelection {

    /** Number of PCRs per bank on a PC-client TPM; valid indices are 0 to 23. */
    public static final int PCR_COUNT = 24;

    private final Map<PcrBank, SortedSet<Integer>> indicesByBank;

    private PcrSelection(Map<PcrBank, SortedSet<Integer>> indicesByBank) {
        this.indicesByBank = indicesByBank;
    }

    /** A selection of some PCRs in one bank. */
    public static PcrSelection of(PcrBank bank, int... indices) {
        return builder().add(bank, indices).build();
    }

    /** A selection of all 24 PCRs in each given bank, in the given bank order. */
    public static PcrSelection allPcrs(PcrBank... banks) {
        Builder builder = builder();
        for (PcrBank bank : banks) {
            for (int index = 0; index < PCR_COUNT; index++) {
                builder.add(bank, index);
            }
        }
        return builder.build();
    }

    /** Starts an empty selection. */
    public static Builder builder() {
        return new Builder();
    }

    /** Collects banks and indices; adding a bank again merges the indices. */
    public static final class Builder {
        private final Map<PcrBank, SortedSet<Integer>> indicesByBank = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Adds PCRs of one bank.
         *
         * @throws IllegalArgumentException if an index is outside 0..23
         */
        public Builder add(PcrBank bank, int... indices) {
            Objects.requireNonNull(bank, "bank");
            SortedSet<Integer> set = indicesByBank.computeIfAbsent(bank, b -> new TreeSet<>());
            for (int index : indices) {
                set.add(checkIndex(bank, index));
            }
            return this;
        }

        /** Adds PCRs of one bank. */
        public Builder add(PcrBank bank, Collection<Integer> indices) {
            return add(bank, indices.stream().mapToInt(Integer::intValue).toArray());
        }

        /**
         * Returns the selection.
         *
         * @throws IllegalArgumentException if no PCR was added, or a bank was added without indices
         */
        public PcrSelection build() {
            if (indicesByBank.isEmpty()) {
                throw new IllegalArgumentException("A PCR selection needs at least one PCR");
            }
            Map<PcrBank, SortedSet<Integer>> copy = new LinkedHashMap<>();
            indicesByBank.forEach((bank, indices) -> {
                if (indices.isEmpty()) {
                    throw new IllegalArgumentException("PCR bank " + bank + " was added without any PCR index");
                }
                copy.put(bank, Collections.unmodifiableSortedSet(new TreeSet<>(indices)));
            });
            return new PcrSelection(Collections.unmodifiableMap(copy));
        }
    }

    private static int checkIndex(PcrBank bank, int index) {
        if (index < 0 || index >= PCR_COUNT) {
            throw new IllegalArgumentException("PCR index " + index + " in bank " + bank + " is outside 0.."
                    + (PCR_COUNT - 1));
        }
        return index;
    }

    /** The banks in selection order. */
    public List<PcrBank> banks() {
        return List.copyOf(indicesByBank.keySet());
    }

    /** The selected indices of a bank, ascending; empty if the bank is not selected. */
    public SortedSet<Integer> indices(PcrBank bank) {
        SortedSet<Integer> indices = indicesByBank.get(bank);
        return indices == null ? Collections.emptySortedSet() : indices;
    }

    /** Whether a PCR is selected. */
    public boolean contains(PcrBank bank, int index) {
        return indices(bank).contains(index);
    }

    /** The number of selected PCRs over all banks. */
    public int size() {
        return indicesByBank.values().stream().mapToInt(SortedSet::size).sum();
    }

    @Override
    public boolean equals(Object other) {
        // Bank order is part of the identity: it changes the TPML_PCR_SELECTION and its digests.
        return other instanceof PcrSelection that
                && new ArrayList<>(indicesByBank.entrySet()).equals(new ArrayList<>(that.indicesByBank.entrySet()));
    }

    @Override
    public int hashCode() {
        return new ArrayList<>(indicesByBank.entrySet()).hashCode();
    }

    /** A compact form such as {@code sha256:0-7,16+sha1:10}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        indicesByBank.forEach((bank, indices) -> {
            if (text.length() > 0) {
                text.append('+');
            }
            text.append(bank.bankName()).append(':').append(ranges(indices));
        });
        return text.toString();
    }

    private static String ranges(SortedSet<Integer> indices) {
        StringBuilder text = new StringBuilder();
        Integer rangeStart = null;
        Integer previous = null;
        for (int index : indices) {
            if (previous != null && index == previous + 1) {
                previous = index;
                continue;
            }
            appendRange(text, rangeStart, previous);
            rangeStart = index;
            previous = index;
        }
        appendRange(text, rangeStart, previous);
        return text.toString();
    }

    private static void appendRange(StringBuilder text, Integer start, Integer end) {
        if (start == null) {
            return;
        }
        if (text.length() > 0) {
            text.append(',');
        }
        text.append(start);
        if (!start.equals(end)) {
            text.append('-').append(end);
        }
    }
}
