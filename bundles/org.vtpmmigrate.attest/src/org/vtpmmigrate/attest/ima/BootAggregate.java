package org.vtpmmigrate.attest.ima;

import java.security.MessageDigest;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;

/**
 * The digest of the first IMA entry, {@code boot_aggregate} (ima_calc_boot_aggregate): the
 * bank's hash over PCRs 0-7 read when IMA starts, and since Linux 5.8 over PCRs 0-9 for banks
 * other than SHA-1. It ties the IMA list to the boot event log: the boot log's replay must give
 * the same digest.
 */
public final class BootAggregate {
    private BootAggregate() {
    }

    /**
     * The boot aggregate over {@code pcrs} of {@code bank}; PCRs absent from {@code pcrs} count
     * as their reset value (zero), as they read on a TPM where nothing extended them.
     *
     * @param includePcr8And9 true for a non-SHA-1 bank on Linux 5.8 or later
     */
    public static byte[] compute(PcrValues pcrs, HashAlgorithm bank, boolean includePcr8And9) {
        MessageDigest md = bank.newDigest();
        int last = includePcr8And9 ? 9 : 7;
        for (int i = 0; i <= last; i++) {
            md.update(pcrs.get(bank, i).orElse(bank.zeroDigest()));
        }
        return md.digest();
    }
}
