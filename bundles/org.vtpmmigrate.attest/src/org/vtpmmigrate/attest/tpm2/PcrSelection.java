package org.vtpmmigrate.attest.tpm2;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.StringJoiner;
import java.util.TreeSet;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.tpm2.internal.TpmConstants;
import org.vtpmmigrate.attest.tpm2.internal.TpmReader;
import org.vtpmmigrate.attest.tpm2.internal.TpmWriter;

/**
 * A TPML_PCR_SELECTION: an ordered list of banks, each with a set of PCR indices. Order matters:
 * quotes and PolicyPCR hash PCR values bank by bank in this order, ascending index within a
 * bank. Each bank appears at most once. Immutable.
 */
public final class PcrSelection {
    private final List<Bank> banks;

    /** One TPMS_PCR_SELECTION; {@code selectBytes} is sizeofSelect as marshalled (3 for 24 PCRs). */
    private record Bank(HashAlgorithm hash, SortedSet<Integer> indices, int selectBytes) {
    }

    private PcrSelection(List<Bank> banks) {
        this.banks = banks;
    }

    /** The selection covering exactly the PCRs present in {@code values}, banks in {@link HashAlgorithm} order. */
    public static PcrSelection of(PcrValues values) {
        Builder b = builder();
        for (HashAlgorithm h : values.banks()) {
            b.select(h, values.indices(h));
        }
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Parses the tpm2-tools notation {@code sha1:0,1,2+sha256:0-7,16}. Ranges are inclusive.
     *
     * @throws IllegalArgumentException naming the bad token
     */
    public static PcrSelection parseSpec(String spec) {
        Builder b = builder();
        for (String bankSpec : spec.trim().split("\\+")) {
            int colon = bankSpec.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("'" + bankSpec + "' in PCR selection '" + spec + "' lacks 'bank:'");
            }
            String bankName = bankSpec.substring(0, colon).trim();
            HashAlgorithm h = HashAlgorithm.fromBankName(bankName)
                    .orElseThrow(() -> new IllegalArgumentException("unknown PCR bank '" + bankName + "' in '" + spec + "'"));
            SortedSet<Integer> idx = new TreeSet<>();
            for (String item : bankSpec.substring(colon + 1).split(",")) {
                String t = item.trim();
                try {
                    int dash = t.indexOf('-');
                    if (dash > 0) {
                        int from = Integer.parseInt(t.substring(0, dash));
                        int to = Integer.parseInt(t.substring(dash + 1));
                        if (to < from) {
                            throw new IllegalArgumentException("empty range '" + t + "' in '" + spec + "'");
                        }
                        for (int i = from; i <= to; i++) {
                            idx.add(i);
                        }
                    } else {
                        idx.add(Integer.parseInt(t));
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + t + "' in PCR selection '" + spec + "' is not a PCR index", e);
                }
            }
            b.select(h, idx);
        }
        return b.build();
    }

    /** Decodes a TPML_PCR_SELECTION at the reader's position. */
    static PcrSelection read(TpmReader r, String fieldPrefix) throws TpmFormatException {
        int count = r.count32(fieldPrefix + "count", TpmConstants.MAX_PCR_BANKS);
        List<Bank> banks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String f = fieldPrefix + "pcrSelections[" + i + "]";
            int hashAt = r.offset();
            int hashId = r.u16(f + ".hash");
            HashAlgorithm h = HashAlgorithm.fromTpmAlgId(hashId)
                    .orElseThrow(() -> r.errorAt(f + ".hash", hashAt, "unknown PCR bank algorithm " + TpmConstants.hex16(hashId)));
            for (Bank b : banks) {
                if (b.hash == h) {
                    throw r.errorAt(f + ".hash", hashAt, "bank " + h.bankName() + " selected twice");
                }
            }
            int sizeAt = r.offset();
            int size = r.u8(f + ".sizeofSelect");
            if (size > TpmConstants.MAX_PCR_SELECT_BYTES) {
                throw r.errorAt(f + ".sizeofSelect", sizeAt, "sizeofSelect " + size + " exceeds "
                        + TpmConstants.MAX_PCR_SELECT_BYTES);
            }
            int bitsAt = r.offset();
            byte[] bits = r.bytes(f + ".pcrSelect", size);
            banks.add(new Bank(h, decodeBitmap(r, f + ".pcrSelect", bitsAt, bits), size));
        }
        return new PcrSelection(Collections.unmodifiableList(banks));
    }

    /** Decodes a whole input that is exactly one TPML_PCR_SELECTION. */
    public static PcrSelection parse(byte[] tpmlPcrSelection) throws TpmFormatException {
        TpmReader r = TpmReader.of(tpmlPcrSelection, "TPML_PCR_SELECTION");
        PcrSelection s = read(r, "");
        r.expectEnd();
        return s;
    }

    /** Turns a pcrSelect bitmap into indices; PCRs beyond 23 are rejected (PcrValues holds 0..23). */
    static SortedSet<Integer> decodeBitmap(TpmReader r, String field, int at, byte[] bits) throws TpmFormatException {
        SortedSet<Integer> idx = new TreeSet<>();
        for (int byteIdx = 0; byteIdx < bits.length; byteIdx++) {
            for (int bit = 0; bit < 8; bit++) {
                if ((bits[byteIdx] >> bit & 1) != 0) {
                    int pcr = byteIdx * 8 + bit;
                    if (pcr >= PcrValues.PCR_COUNT) {
                        throw r.errorAt(field, at, "PCR " + pcr + " selected; only 0.." + (PcrValues.PCR_COUNT - 1)
                                + " are supported");
                    }
                    idx.add(pcr);
                }
            }
        }
        return Collections.unmodifiableSortedSet(idx);
    }

    /** Marshals as TPML_PCR_SELECTION (big-endian), keeping each bank's sizeofSelect. */
    public byte[] marshal() {
        TpmWriter w = new TpmWriter().u32(banks.size());
        for (Bank b : banks) {
            byte[] bits = new byte[b.selectBytes];
            for (int i : b.indices) {
                bits[i / 8] |= (byte) (1 << (i % 8));
            }
            w.u16(b.hash.tpmAlgId()).u8(b.selectBytes).bytes(bits);
        }
        return w.toByteArray();
    }

    /** Banks in selection order, including banks with no PCR selected. */
    public List<HashAlgorithm> banks() {
        List<HashAlgorithm> out = new ArrayList<>(banks.size());
        for (Bank b : banks) {
            out.add(b.hash);
        }
        return Collections.unmodifiableList(out);
    }

    /** Selected PCRs of one bank, ascending; empty if the bank is absent. */
    public SortedSet<Integer> indices(HashAlgorithm bank) {
        for (Bank b : banks) {
            if (b.hash == bank) {
                return b.indices;
            }
        }
        return Collections.emptySortedSet();
    }

    /** Number of PCR values the selection covers. */
    public int size() {
        int n = 0;
        for (Bank b : banks) {
            n += b.indices.size();
        }
        return n;
    }

    /** Bank to indices, leaving out banks with nothing selected (for order-independent comparison). */
    public Map<HashAlgorithm, SortedSet<Integer>> selected() {
        Map<HashAlgorithm, SortedSet<Integer>> m = new EnumMap<>(HashAlgorithm.class);
        for (Bank b : banks) {
            if (!b.indices.isEmpty()) {
                m.put(b.hash, b.indices);
            }
        }
        return Collections.unmodifiableMap(m);
    }

    /** Whether both select the same PCRs, regardless of bank order and empty banks. */
    public boolean selectsSamePcrsAs(PcrSelection other) {
        return selected().equals(other.selected());
    }

    /**
     * The selected values concatenated in selection order: the input of a quote's pcrDigest and
     * of PolicyPCR's digest.
     *
     * @throws IllegalArgumentException naming the first selected PCR missing from {@code values}
     */
    public byte[] concatenate(PcrValues values) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Bank b : banks) {
            for (int i : b.indices) {
                byte[] v = values.get(b.hash, i).orElseThrow(
                        () -> new IllegalArgumentException("no value for selected PCR " + b.hash.bankName() + ":" + i));
                out.writeBytes(v);
            }
        }
        return out.toByteArray();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PcrSelection other && banks.equals(other.banks);
    }

    @Override
    public int hashCode() {
        return banks.hashCode();
    }

    /** tpm2-tools notation with ranges, e.g. {@code sha1:0-10,14,16+sha256:0-7}. */
    @Override
    public String toString() {
        StringJoiner all = new StringJoiner("+");
        for (Bank b : banks) {
            all.add(b.hash.bankName() + ":" + formatIndices(b.indices));
        }
        String s = all.toString();
        return s.isEmpty() ? "(no PCRs)" : s;
    }

    /** {@code 0-10,14,16}; empty set prints as {@code none}. */
    public static String formatIndices(SortedSet<Integer> indices) {
        if (indices.isEmpty()) {
            return "none";
        }
        StringJoiner j = new StringJoiner(",");
        Integer start = null;
        Integer prev = null;
        for (int i : indices) {
            if (start == null) {
                start = i;
            } else if (i != prev + 1) {
                j.add(start.equals(prev) ? "" + start : start + "-" + prev);
                start = i;
            }
            prev = i;
        }
        j.add(start.equals(prev) ? "" + start : start + "-" + prev);
        return j.toString();
    }

    public static final class Builder {
        private final Map<HashAlgorithm, SortedSet<Integer>> banks = new LinkedHashMap<>();

        private Builder() {
        }

        /** Adds PCRs to a bank; the bank keeps the position of its first mention. */
        public Builder select(HashAlgorithm bank, java.util.Collection<Integer> indices) {
            Objects.requireNonNull(bank, "bank");
            SortedSet<Integer> set = banks.computeIfAbsent(bank, k -> new TreeSet<>());
            for (int i : indices) {
                if (i < 0 || i >= PcrValues.PCR_COUNT) {
                    throw new IllegalArgumentException("PCR index " + i + " outside 0.." + (PcrValues.PCR_COUNT - 1));
                }
                set.add(i);
            }
            return this;
        }

        public Builder select(HashAlgorithm bank, int... indices) {
            List<Integer> l = new ArrayList<>();
            for (int i : indices) {
                l.add(i);
            }
            return select(bank, l);
        }

        /** sizeofSelect is 3 (PCR_SELECT_MIN), as tpm2-tools and TPMs with 24 PCRs use. */
        public PcrSelection build() {
            List<Bank> out = new ArrayList<>();
            banks.forEach((h, idx) -> out.add(new Bank(h, Collections.unmodifiableSortedSet(new TreeSet<>(idx)),
                    TpmConstants.MIN_PCR_SELECT_BYTES)));
            return new PcrSelection(Collections.unmodifiableList(out));
        }
    }
}
