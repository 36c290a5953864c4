package org.vtpmmigrate.attest.eventlog;

/**
 * An event log that cannot be parsed: truncated, oversized, inconsistent with its own Spec ID
 * event, or not an event log at all. The only exception {@link EventLog#parse(byte[])} throws.
 * Names the event (its position in the log, or -1 for the input as a whole) and the byte offset
 * where decoding stopped.
 */
public final class EventLogFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int eventIndex;
    private final long offset;
    private final String problem;

    public EventLogFormatException(int eventIndex, long offset, String problem) {
        super((eventIndex >= 0 ? "event " + eventIndex + " at offset " : "offset ") + offset + ": " + problem);
        this.eventIndex = eventIndex;
        this.offset = offset;
        this.problem = problem;
    }

    /** Zero-based position of the event in the log; -1 when the problem is the input as a whole. */
    public int eventIndex() {
        return eventIndex;
    }

    /** Byte offset from the start of the log where the problem was found. */
    public long offset() {
        return offset;
    }

    /** What was wrong, without the location prefix. */
    public String problem() {
        return problem;
    }
}
