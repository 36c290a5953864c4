package org.vtpmmigrate.attest.tpm2;

/**
 * TPMS_CLOCK_INFO from an attestation: milliseconds the TPM has been powered ({@code clock}),
 * TPM Resets ({@code resetCount}, i.e. reboots) and TPM Restarts/Resumes ({@code restartCount})
 * since the last TPM2_Clear, and whether the clock value is known not to have gone backwards.
 * A verifier that remembers an earlier value can tell a reboot (resetCount grew) or a
 * hibernate/resume (restartCount grew) apart from a continuous run.
 */
public record ClockInfo(long clock, long resetCount, long restartCount, boolean safe) {

    /** Same TPM Reset and Restart counts: no reboot or resume between the two attestations. */
    public boolean sameBootCycleAs(ClockInfo other) {
        return resetCount == other.resetCount && restartCount == other.restartCount;
    }

    /**
     * Whether this value can follow {@code earlier} without a reboot or resume in between and
     * without the clock running backwards.
     */
    public boolean continuesFrom(ClockInfo earlier) {
        return sameBootCycleAs(earlier) && Long.compareUnsigned(clock, earlier.clock) >= 0;
    }
}
