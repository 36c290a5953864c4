package org.vtpmmigrate.management;

import java.time.Instant;
import org.vtpmmigrate.management.internal.Check;

/**
 * How a finished migration ended.
 *
 * @param outcome one of {@link Outcome}, as its name
 * @param failureCode null when committed; otherwise the reason code (e.g. {@code POLICY_REJECTED},
 *        {@code PEER_TIMEOUT}, {@code RECORD_AUTHENTICATION})
 * @param message a readable account of the end: what happened, and where the VM runs now
 * @param finishedAt when the run ended
 * @param downtimeMs how long the VM was paused during stop-and-copy, or -1 if it never paused
 */
public record MigrationResult(String outcome, String failureCode, String message, Instant finishedAt,
        long downtimeMs) {
    public MigrationResult {
        Check.token("outcome", outcome);
        if (failureCode != null) {
            Check.token("failureCode", failureCode);
        }
        Check.text("message", message, Check.MAX_TEXT);
        Check.required("finishedAt", finishedAt);
        Check.nonNegativeOrUnknown("downtimeMs", downtimeMs);
    }

    /** The end states. */
    public enum Outcome {
        /** The destination committed; the VM runs there and the source state is deleted. */
        COMMITTED,
        /** The run failed before commit; the VM runs on the source as before. */
        FAILED
    }
}
