package org.vtpmmigrate.protocol.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * The PCRs a quote must cover: per hash bank (TPM_ALG_ID), a mask of PCR indices 0..23. Banks are
 * strictly ascending by algorithm id, so each selection has exactly one encoding.
 */
public record PcrSelection(List<Bank> banks) {

    /** One bank: hash algorithm id and a non-empty set of PCR indices as a bit mask. */
    public record Bank(int hashAlgorithm, int pcrMask) {
        public Bank {
            Require.algorithm("PCR bank", hashAlgorithm);
            if (pcrMask == 0 || (pcrMask >>> Limits.PCR_COUNT) != 0) {
                throw new IllegalArgumentException("PCR bank " + MessageType.hex(hashAlgorithm) + ": mask 0x"
                        + Integer.toHexString(pcrMask) + " must select at least one of PCRs 0.."
                        + (Limits.PCR_COUNT - 1) + " and nothing above");
            }
        }

        public static Bank of(int hashAlgorithm, int... pcrs) {
            int mask = 0;
            for (int pcr : pcrs) {
                if (pcr < 0 || pcr >= Limits.PCR_COUNT) {
                    throw new IllegalArgumentException("PCR index " + pcr + " outside 0.." + (Limits.PCR_COUNT - 1));
                }
                mask |= 1 << pcr;
            }
            return new Bank(hashAlgorithm, mask);
        }

        public boolean contains(int pcr) {
            return pcr >= 0 && pcr < Limits.PCR_COUNT && (pcrMask & (1 << pcr)) != 0;
        }

        /** The selected indices, ascending. */
        public List<Integer> pcrs() {
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < Limits.PCR_COUNT; i++) {
                if (contains(i)) {
                    out.add(i);
                }
            }
            return out;
        }
    }

    public PcrSelection {
        banks = Require.list("PCR selection", banks, 1, Limits.MAX_PCR_BANKS);
        for (int i = 1; i < banks.size(); i++) {
            if (banks.get(i).hashAlgorithm() <= banks.get(i - 1).hashAlgorithm()) {
                throw new IllegalArgumentException("PCR selection: banks must be in ascending algorithm order without"
                        + " repeats, found " + MessageType.hex(banks.get(i).hashAlgorithm()) + " after "
                        + MessageType.hex(banks.get(i - 1).hashAlgorithm()));
            }
        }
    }

    /** A selection of one bank. */
    public static PcrSelection of(int hashAlgorithm, int... pcrs) {
        return new PcrSelection(List.of(Bank.of(hashAlgorithm, pcrs)));
    }

    public boolean contains(int hashAlgorithm, int pcr) {
        for (Bank b : banks) {
            if (b.hashAlgorithm() == hashAlgorithm) {
                return b.contains(pcr);
            }
        }
        return false;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (Bank b : banks) {
            if (s.length() > 0) {
                s.append(' ');
            }
            s.append(MessageType.hex(b.hashAlgorithm())).append(':').append(b.pcrs());
        }
        return s.toString();
    }
}
