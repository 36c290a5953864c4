package org.vtpmmigrate.attest.ima;

import org.vtpmmigrate.attest.HashAlgorithm;

/**
 * A PCR bank that cannot be replayed from the list: an entry lacks what the bank needs (the
 * template data of an unknown template read from the ASCII list, or a 20-byte template hash for
 * the SHA-1 bank). Names the entry and the bank.
 */
public final class ImaReplayException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int entryIndex;
    private final HashAlgorithm bank;

    public ImaReplayException(int entryIndex, HashAlgorithm bank, String problem) {
        super("entry " + entryIndex + ", " + bank.bankName() + " bank: " + problem);
        this.entryIndex = entryIndex;
        this.bank = bank;
    }

    public int entryIndex() {
        return entryIndex;
    }

    public HashAlgorithm bank() {
        return bank;
    }
}
