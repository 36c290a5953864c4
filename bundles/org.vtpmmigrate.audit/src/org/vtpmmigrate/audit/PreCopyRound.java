package org.vtpmmigrate.audit;

import org.vtpmmigrate.audit.internal.Fields;

/** One QEMU pre-copy round: bytes of VM state it moved and how long it took. */
public record PreCopyRound(int round, long bytes, long durationMillis) {
    public PreCopyRound {
        Fields.nonNegative("rounds.round", round);
        Fields.nonNegative("rounds[" + round + "].bytes", bytes);
        Fields.nonNegative("rounds[" + round + "].ms", durationMillis);
    }

    /** Bytes per second, or NaN for a round that took no measurable time. */
    public double bytesPerSecond() {
        return durationMillis == 0 ? Double.NaN : bytes * 1000.0 / durationMillis;
    }
}
