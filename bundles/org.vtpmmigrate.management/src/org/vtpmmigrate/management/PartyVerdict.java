package org.vtpmmigrate.management;

import java.util.List;
import org.vtpmmigrate.management.internal.Check;

/**
 * The integrity verdict on one participant of a migration, kept apart from the run's progress: a
 * party is {@code PENDING} until its evidence was checked, whatever the phase.
 *
 * @param party one of {@link Party}, as its name
 * @param status one of {@link Status}, as its name
 * @param reasons every failed check when {@code REJECTED} (empty otherwise)
 */
public record PartyVerdict(String party, String status, List<Reason> reasons) {
    public PartyVerdict {
        Check.token("party", party);
        Check.token("status", status);
        reasons = Check.list("reasons", reasons, 0, 256);
    }

    /** Who was verified. */
    public enum Party {
        /** The source host, verified by the destination. */
        SOURCE,
        /** The destination host, verified by the source. */
        DESTINATION,
        /** The VM's launch measurements, verified by the source. */
        VM
    }

    /** The verdict values. */
    public enum Status {
        /** Not verified yet. */
        PENDING,
        /** Every check passed. */
        ACCEPTED,
        /** At least one check failed; the run ends without moving anything. */
        REJECTED
    }

    /**
     * One failed check.
     *
     * @param check the check's name, e.g. {@code QUOTE_SIGNATURE}, {@code NONCE}, {@code PCR_POLICY}
     * @param detail what was wrong and where (PCR, event index, value)
     */
    public record Reason(String check, String detail) {
        public Reason {
            Check.token("check", check);
            Check.text("detail", detail, Check.MAX_TEXT);
        }
    }
}
