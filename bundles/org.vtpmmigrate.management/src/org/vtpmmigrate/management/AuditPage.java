package org.vtpmmigrate.management;

import java.util.List;
import org.vtpmmigrate.management.internal.Check;
import org.vtpmmigrate.management.internal.InvalidFieldException;

/**
 * A slice of the attestation log: {@code GET /v1/audit?from=S&limit=N}, records with sequence numbers
 * {@code from}, {@code from+1}, ... in order.
 *
 * @param from the first sequence number asked for
 * @param records at most {@code limit} records with sequence numbers at or after {@code from}, in
 *        increasing order (consecutive unless the log was pruned)
 * @param nextSequence the {@code from} of the next page (the sequence after the last record returned)
 * @param hasMore whether the log holds records at or after {@code nextSequence}
 */
public record AuditPage(long from, List<AuditRecord> records, long nextSequence, boolean hasMore) {
    /** The page size used when the request names none. */
    public static final int DEFAULT_LIMIT = 100;
    /** The largest page an agent returns. */
    public static final int MAX_LIMIT = 1000;

    public AuditPage {
        Check.nonNegative("from", from);
        records = Check.list("records", records, 0, MAX_LIMIT);
        Check.nonNegative("nextSequence", nextSequence);
        long previous = from - 1;
        for (int i = 0; i < records.size(); i++) {
            long sequence = records.get(i).sequence();
            if (sequence <= previous) {
                throw new InvalidFieldException("records", "entry " + i + " has sequence " + sequence
                        + ", expected more than " + previous);
            }
            previous = sequence;
        }
        if (nextSequence <= previous) {
            throw new InvalidFieldException("nextSequence", nextSequence + " is not after sequence " + previous);
        }
    }
}
