package org.vtpmmigrate.protocol.wire;

/** One PCR value as claimed in evidence: bank (TPM_ALG_ID), index, digest. */
public record PcrValue(int hashAlgorithm, int index, Bytes digest) implements Comparable<PcrValue> {
    public PcrValue {
        Require.algorithm("PCR value bank", hashAlgorithm);
        if (index < 0 || index >= Limits.PCR_COUNT) {
            throw new IllegalArgumentException("PCR value: index " + index + " outside 0.." + (Limits.PCR_COUNT - 1));
        }
        Require.length("PCR " + index + " digest", digest, Limits.MIN_DIGEST_LENGTH, Limits.MAX_DIGEST_LENGTH);
    }

    /** Bank first, then index: the canonical order of values in evidence. */
    @Override
    public int compareTo(PcrValue o) {
        int c = Integer.compare(hashAlgorithm, o.hashAlgorithm);
        return c != 0 ? c : Integer.compare(index, o.index);
    }
}
