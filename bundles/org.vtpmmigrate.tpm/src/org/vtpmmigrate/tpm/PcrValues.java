package org.vtpmmigrate.tpm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** The values of a {@link PcrSelection}, immutable. */
public final class PcrValues {

    private final PcrSelection selection;
    private final Map<PcrBank, Map<Integer, byte[]>> valuesByBank;

    private PcrValues(PcrSelection selection, Map<PcrBank, Map<Integer, byte[]>> valuesByBank) {
        this.selection = selection;
        this.valuesByBank = valuesByBank;
    }

    /**
     * Creates values for a selection.
     *
     * @param values bank to PCR index to value; exactly the selected PCRs, each value as long as the
     *        bank's digest
     * @throws IllegalArgumentException naming the first PCR that is missing, unselected or of the
     *         wrong length
     */
    public static PcrValues of(PcrSelection selection, Map<PcrBank, ? extends Map<Integer, byte[]>> values) {
        Objects.requireNonNull(selection, "selection");
        Map<PcrBank, Map<Integer, byte[]>> copy = new LinkedHashMap<>();
        for (PcrBank bank : selection.banks()) {
            Map<Integer, byte[]> given = values.get(bank);
            Map<Integer, byte[]> bankCopy = new TreeMap<>();
            for (int index : selection.indices(bank)) {
                byte[] value = given == null ? null : given.get(index);
                if (value == null) {
                    throw new IllegalArgumentException("No value for selected PCR " + bank + ":" + index);
                }
                if (value.length != bank.digestLength()) {
                    throw new IllegalArgumentException("PCR " + bank + ":" + index + " has " + value.length
                            + " bytes, expected " + bank.digestLength());
                }
                bankCopy.put(index, value.clone());
            }
            if (given != null && given.size() != bankCopy.size()) {
                throw new IllegalArgumentException("Values given for PCRs of bank " + bank
                        + " that are not in the selection " + selection);
            }
            copy.put(bank, bankCopy);
        }
        for (PcrBank bank : values.keySet()) {
            if (!copy.containsKey(bank)) {
                throw new IllegalArgumentException("Values given for bank " + bank + ", which is not in the selection "
                        + selection);
            }
        }
        return new PcrValues(selection, copy);
    }

    /** The PCRs these values belong to. */
    public PcrSelection selection() {
        return selection;
    }

    /**
     * The value of one selected PCR (a copy).
     *
     * @throws IllegalArgumentException if that PCR is not in the selection
     */
    public byte[] value(PcrBank bank, int index) {
        Map<Integer, byte[]> bankValues = valuesByBank.get(bank);
        byte[] value = bankValues == null ? null : bankValues.get(index);
        if (value == null) {
            throw new IllegalArgumentException("PCR " + bank + ":" + index + " is not in the selection " + selection);
        }
        return value.clone();
    }

    /**
     * All values in selection order (banks in selection order, indices ascending): the order in
     * which a TPM concatenates them for a PCR digest. Copies.
     */
    public List<byte[]> valuesInSelectionOrder() {
        List<byte[]> ordered = new ArrayList<>(selection.size());
        for (Map<Integer, byte[]> bankValues : valuesByBank.values()) {
            for (byte[] value : bankValues.values()) {
                ordered.add(value.clone());
            }
        }
        return ordered;
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof PcrValues that) || !selection.equals(that.selection)) {
            return false;
        }
        List<byte[]> mine = valuesInSelectionOrder();
        List<byte[]> theirs = that.valuesInSelectionOrder();
        for (int i = 0; i < mine.size(); i++) {
            if (!Arrays.equals(mine.get(i), theirs.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = selection.hashCode();
        for (byte[] value : valuesInSelectionOrder()) {
            hash = 31 * hash + Arrays.hashCode(value);
        }
        return hash;
    }

    /** One line per PCR, such as {@code sha256:16=00ab...}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        HexFormat hex = HexFormat.of();
        valuesByBank.forEach((bank, bankValues) -> bankValues.forEach((index, value) -> {
            if (text.length() > 0) {
                text.append('\n');
            }
            text.append(bank.bankName()).append(':').append(index).append('=').append(hex.formatHex(value));
        }));
        return text.toString();
    }
}
