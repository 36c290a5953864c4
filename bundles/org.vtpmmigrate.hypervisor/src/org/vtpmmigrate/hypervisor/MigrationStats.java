package org.vtpmmigrate.hypervisor;

/**
 * A snapshot of {@code query-migrate}. Counters QEMU does not report in the current status (the
 * downtime before completion, say) are {@code -1}.
 *
 * @param status the migration status
 * @param totalTimeMillis time since the migration started (final value once completed)
 * @param downtimeMillis how long the guest was stopped for the final copy (completed only)
 * @param expectedDowntimeMillis QEMU's estimate while active
 * @param setupTimeMillis time spent in the setup phase
 * @param transferredBytes bytes of RAM stream sent so far
 * @param ramTotalBytes guest RAM size
 * @param ramRemainingBytes RAM still to send
 * @param dirtySyncCount dirty-bitmap synchronisations, i.e. pre-copy rounds; QEMU counts one at setup
 *     and one in the final stop-and-copy, so an idle guest shows 2
 * @param throughputMbps QEMU's throughput estimate, megabits per second ({@code -1} if unknown)
 * @param errorDescription QEMU's reason when the status is failed, else {@code null}
 */
public record MigrationStats(MigrationStatus status, long totalTimeMillis, long downtimeMillis,
        long expectedDowntimeMillis, long setupTimeMillis, long transferredBytes, long ramTotalBytes,
        long ramRemainingBytes, long dirtySyncCount, double throughputMbps, String errorDescription) {
}
