package org.vtpmmigrate.attest;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * PCR values per bank, as replayed from a log, read from a TPM or claimed in a quote. Immutable;
 * build one with {@link Builder}. Values are copied in and out so callers cannot alter them.
 */
public final class PcrValues {
    /** PCR indices 0..23 exist on PC Client TPMs; nothing in this project uses more. */
    public static final int PCR_COUNT = 24;

    private final Map<HashAlgorithm, SortedMap<Integer, byte[]>> banks;

    private PcrValues(Map<HashAlgorithm, SortedMap<Integer, byte[]>> banks) {
        this.banks = banks;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The banks present, in {@link HashAlgorithm} order. */
    public java.util.Set<HashAlgorithm> banks() {
        return Collections.unmodifiableSet(banks.keySet());
    }

    /** PCR indices present in one bank, ascending. */
    public java.util.SortedSet<Integer> indices(HashAlgorithm bank) {
        SortedMap<Integer, byte[]> m = banks.get(bank);
        return m == null ? Collections.emptySortedSet() : Collections.unmodifiableSortedSet(new java.util.TreeSet<>(m.keySet()));
    }

    public Optional<byte[]> get(HashAlgorithm bank, int index) {
        SortedMap<Integer, byte[]> m = banks.get(bank);
        if (m == null || !m.containsKey(index)) {
            return Optional.empty();
        }
        return Optional.of(m.get(index).clone());
    }

    public boolean isEmpty() {
        return banks.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PcrValues)) {
            return false;
        }
        PcrValues other = (PcrValues) o;
        if (!banks.keySet().equals(other.banks.keySet())) {
            return false;
        }
        for (Map.Entry<HashAlgorithm, SortedMap<Integer, byte[]>> e : banks.entrySet()) {
            SortedMap<Integer, byte[]> a = e.getValue();
            SortedMap<Integer, byte[]> b = other.banks.get(e.getKey());
            if (!a.keySet().equals(b.keySet())) {
                return false;
            }
            for (Integer i : a.keySet()) {
                if (!Arrays.equals(a.get(i), b.get(i))) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (Map.Entry<HashAlgorithm, SortedMap<Integer, byte[]>> e : banks.entrySet()) {
            for (Map.Entry<Integer, byte[]> v : e.getValue().entrySet()) {
                h = 31 * h + e.getKey().hashCode() * 17 + v.getKey() * 13 + Arrays.hashCode(v.getValue());
            }
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<HashAlgorithm, SortedMap<Integer, byte[]>> e : banks.entrySet()) {
            for (Map.Entry<Integer, byte[]> v : e.getValue().entrySet()) {
                sb.append(e.getKey().bankName()).append(':').append(v.getKey()).append('=')
                        .append(java.util.HexFormat.of().formatHex(v.getValue())).append('\n');
            }
        }
        return sb.toString();
    }

    public static final class Builder {
        private final Map<HashAlgorithm, SortedMap<Integer, byte[]>> banks = new EnumMap<>(HashAlgorithm.class);

        private Builder() {
        }

        /** Sets one PCR; rejects an index outside 0..23 or a value of the wrong length for the bank. */
        public Builder put(HashAlgorithm bank, int index, byte[] value) {
            if (index < 0 || index >= PCR_COUNT) {
                throw new IllegalArgumentException("PCR index " + index + " outside 0.." + (PCR_COUNT - 1));
            }
            if (value.length != bank.digestSize()) {
                throw new IllegalArgumentException("PCR " + bank.bankName() + ":" + index + " has " + value.length
                        + " bytes, expected " + bank.digestSize());
            }
            banks.computeIfAbsent(bank, b -> new TreeMap<>()).put(index, value.clone());
            return this;
        }

        public PcrValues build() {
            Map<HashAlgorithm, SortedMap<Integer, byte[]>> copy = new EnumMap<>(HashAlgorithm.class);
            banks.forEach((k, v) -> copy.put(k, Collections.unmodifiableSortedMap(new TreeMap<>(v))));
            return new PcrValues(Collections.unmodifiableMap(copy));
        }
    }
}
