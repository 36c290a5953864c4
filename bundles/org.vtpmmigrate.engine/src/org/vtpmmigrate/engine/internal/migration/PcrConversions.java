package org.vtpmmigrate.engine.internal.migration;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.protocol.wire.Bytes;
import org.vtpmmigrate.protocol.wire.PcrSelection;
import org.vtpmmigrate.protocol.wire.PcrValue;
import org.vtpmmigrate.tpm.PcrBank;
import org.vtpmmigrate.tpm.PcrValues;

/**
 * Moves PCR selections and values between the three forms the engine meets: the protocol's wire
 * records, the tpm bundle's (what the TPM is asked) and the attest bundle's (what is verified).
 * Banks always go in ascending algorithm-id order, the wire's canonical order, so a quote's
 * TPML_PCR_SELECTION, the claimed values and a PolicyPCR digest all concatenate in the same order.
 */
final class PcrConversions {
    private PcrConversions() {
    }

    /**
     * @throws IllegalArgumentException naming a bank the tpm bundle does not support
     */
    static org.vtpmmigrate.tpm.PcrSelection toTpm(PcrSelection selection) {
        org.vtpmmigrate.tpm.PcrSelection.Builder builder = org.vtpmmigrate.tpm.PcrSelection.builder();
        for (PcrSelection.Bank bank : selection.banks()) {
            builder.add(PcrBank.fromAlgorithmId(bank.hashAlgorithm()), bank.pcrs());
        }
        return builder.build();
    }

    static PcrSelection toWire(org.vtpmmigrate.tpm.PcrSelection selection) {
        List<PcrSelection.Bank> banks = new ArrayList<>();
        for (PcrBank bank : selection.banks()) {
            banks.add(PcrSelection.Bank.of(bank.algorithmId(),
                    selection.indices(bank).stream().mapToInt(Integer::intValue).toArray()));
        }
        banks.sort(Comparator.comparingInt(PcrSelection.Bank::hashAlgorithm));
        return new PcrSelection(banks);
    }

    /**
     * @throws IllegalArgumentException naming a bank the attest bundle does not know
     */
    static org.vtpmmigrate.attest.tpm2.PcrSelection toAttest(PcrSelection selection) {
        org.vtpmmigrate.attest.tpm2.PcrSelection.Builder builder = org.vtpmmigrate.attest.tpm2.PcrSelection.builder();
        for (PcrSelection.Bank bank : selection.banks()) {
            builder.select(hash(bank.hashAlgorithm()), bank.pcrs());
        }
        return builder.build();
    }

    /** Values in the wire's canonical order (bank, then index). */
    static List<PcrValue> toWire(PcrValues values) {
        List<PcrValue> out = new ArrayList<>();
        org.vtpmmigrate.tpm.PcrSelection selection = values.selection();
        for (PcrBank bank : selection.banks()) {
            for (int index : selection.indices(bank)) {
                out.add(new PcrValue(bank.algorithmId(), index, Bytes.of(values.value(bank, index))));
            }
        }
        out.sort(null);
        return out;
    }

    /**
     * The values of exactly {@code selection}, for the TPM.
     *
     * @throws IllegalArgumentException naming a missing, unselected or wrong-sized value
     */
    static PcrValues toTpm(PcrSelection selection, List<PcrValue> values) {
        Map<PcrBank, Map<Integer, byte[]>> byBank = new EnumMap<>(PcrBank.class);
        for (PcrValue value : values) {
            byBank.computeIfAbsent(PcrBank.fromAlgorithmId(value.hashAlgorithm()), b -> new TreeMap<>())
                    .put(value.index(), value.digest().toByteArray());
        }
        return PcrValues.of(toTpm(selection), byBank);
    }

    /**
     * @throws IllegalArgumentException naming an unknown bank or a value of the wrong size
     */
    static org.vtpmmigrate.attest.PcrValues toAttest(List<PcrValue> values) {
        org.vtpmmigrate.attest.PcrValues.Builder builder = org.vtpmmigrate.attest.PcrValues.builder();
        for (PcrValue value : values) {
            builder.put(hash(value.hashAlgorithm()), value.index(), value.digest().toByteArray());
        }
        return builder.build();
    }

    static org.vtpmmigrate.attest.PcrValues toAttest(PcrValues values) {
        return toAttest(toWire(values));
    }

    /** The selection the values cover. */
    static PcrSelection selectionOf(List<PcrValue> values) {
        Map<Integer, List<Integer>> byBank = new TreeMap<>();
        for (PcrValue value : values) {
            byBank.computeIfAbsent(value.hashAlgorithm(), a -> new ArrayList<>()).add(value.index());
        }
        List<PcrSelection.Bank> banks = new ArrayList<>();
        byBank.forEach((alg, pcrs) -> banks.add(PcrSelection.Bank.of(alg, pcrs.stream().mapToInt(i -> i).toArray())));
        return new PcrSelection(banks);
    }

    /**
     * @throws IllegalArgumentException for an algorithm id the attest bundle does not know
     */
    static HashAlgorithm hash(int algorithmId) {
        return HashAlgorithm.fromTpmAlgId(algorithmId).orElseThrow(() -> new IllegalArgumentException(
                String.format("hash algorithm 0x%04x is not supported", algorithmId)));
    }
}
