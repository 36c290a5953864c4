package org.vtpmmigrate.audit;

/**
 * The verdict on one line of a log. A line with several problems gets the status that comes
 * last in this list (MALFORMED weighs most); all its problems are kept.
 */
public enum RecordStatus {
    /** Well-formed, in sequence, linked to its predecessor, hash and AK signature valid. */
    OK,
    /** The content is intact but the signature is missing, malformed or not by the AK (or the AK itself is unusable). */
    BAD_SIGNATURE,
    /**
     * The record does not hash to the value the chain links to: a field was changed after signing
     * (the problem names it), the stored hash was changed, or its previous-record hash does not match
     * its predecessor.
     */
    BROKEN_CHAIN,
    /** The record appears out of order: after a record with a higher sequence number, or a second time (replay). */
    REORDERED,
    /** Records before this one are missing from the file. */
    GAP,
    /** Not a record: torn last line, too long, not UTF-8, not JSON, not in canonical form, or a field out of bounds. */
    MALFORMED
}
