package org.vtpmmigrate.audit;

import java.time.Instant;
import java.util.Objects;

import org.vtpmmigrate.audit.internal.Fields;

/**
 * When one protocol phase started on this host and how long it took, in milliseconds.
 *
 * @param start whole milliseconds, UTC
 */
public record PhaseTiming(MigrationPhase phase, Instant start, long durationMillis) {
    public PhaseTiming {
        Objects.requireNonNull(phase, "phase");
        Fields.time("phases." + phase + ".start", start);
        Fields.nonNegative("phases." + phase + ".ms", durationMillis);
    }

    public Instant end() {
        return start.plusMillis(durationMillis);
    }
}
