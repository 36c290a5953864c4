package org.vtpmmigrate.management;

import java.util.List;
import org.vtpmmigrate.management.internal.Check;

/**
 * Asks an agent for fresh evidence: {@code POST /v1/host/evidence}.
 *
 * @param nonce the caller's fresh random value, standard base64 of 16..64 bytes; it becomes the quote's
 *        qualifyingData, so the caller must check it there
 * @param pcrSelection the PCRs to quote, one entry per bank (1..4 entries)
 * @param includeEventLog whether to return the TCG boot event log
 * @param includeImaLog whether to return the IMA runtime measurement list
 */
public record EvidenceRequest(String nonce, List<PcrSelection> pcrSelection, boolean includeEventLog,
        boolean includeImaLog) {

    public EvidenceRequest {
        Check.base64("nonce", nonce, 16, 64);
        pcrSelection = Check.list("pcrSelection", pcrSelection, 1, 4);
        List<String> banks = pcrSelection.stream().map(PcrSelection::bank).toList();
        Check.distinct("pcrSelection", banks, 1, 4);
    }

    /**
     * @param bank {@code sha1}, {@code sha256}, {@code sha384}, {@code sha512} or {@code sm3_256}
     * @param indices PCR indices 0..23, each once
     */
    public record PcrSelection(String bank, List<Integer> indices) {
        public PcrSelection {
            Check.digestSize("bank", bank);
            indices = Check.distinct("indices", indices, 1, 24);
            for (int index : indices) {
                Check.range("indices", index, 0, 23);
            }
        }
    }
}
