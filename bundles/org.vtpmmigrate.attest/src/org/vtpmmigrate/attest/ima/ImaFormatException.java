package org.vtpmmigrate.attest.ima;

/**
 * An IMA measurement list that cannot be parsed. The only exception the {@link ImaLog} parsers
 * throw. Names the entry, the line (ASCII lists) and the byte offset where parsing stopped.
 */
public final class ImaFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int entryIndex;
    private final int lineNumber;
    private final long offset;
    private final String problem;

    public ImaFormatException(int entryIndex, int lineNumber, long offset, String problem) {
        super(location(entryIndex, lineNumber, offset) + ": " + problem);
        this.entryIndex = entryIndex;
        this.lineNumber = lineNumber;
        this.offset = offset;
        this.problem = problem;
    }

    private static String location(int entryIndex, int lineNumber, long offset) {
        if (lineNumber > 0) {
            return "line " + lineNumber + " (offset " + offset + ")";
        }
        return entryIndex >= 0 ? "entry " + entryIndex + " at offset " + offset : "offset " + offset;
    }

    /** Zero-based entry being parsed; -1 when the problem is the input as a whole. */
    public int entryIndex() {
        return entryIndex;
    }

    /** One-based line of an ASCII list; 0 for a binary list or the input as a whole. */
    public int lineNumber() {
        return lineNumber;
    }

    /** Byte offset from the start of the input. */
    public long offset() {
        return offset;
    }

    /** What was wrong, without the location prefix. */
    public String problem() {
        return problem;
    }
}
