package org.vtpmmigrate.engine.migration;

import java.time.Duration;
import java.util.Objects;

/**
 * One pass of QEMU's pre-copy (from one {@code MIGRATION_PASS} event to the next, the last one
 * ending with the stream): how many migration-stream bytes the record layer carried meanwhile and
 * how long it took. Approximate by the socket buffers between QEMU and the record layer.
 *
 * @param round 1 for QEMU's first pass
 * @param streamBytes stream bytes carried during the pass
 * @param duration the pass's wall time on the source
 */
public record PreCopyRound(int round, long streamBytes, Duration duration) {
    public PreCopyRound {
        if (round < 1 || streamBytes < 0) {
            throw new IllegalArgumentException("round " + round + " with " + streamBytes + " bytes");
        }
        Objects.requireNonNull(duration, "duration");
    }
}
