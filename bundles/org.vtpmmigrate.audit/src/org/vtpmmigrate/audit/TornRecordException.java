package org.vtpmmigrate.audit;

/**
 * The log ends in an incomplete line, as a crash during a write leaves it. The writer does not
 * append after it, cut it off or repair it on its own: see
 * {@link AuditLogWriter#openRecovering(java.nio.file.Path, String, RecordSigner, byte[], java.time.Clock)}.
 */
public final class TornRecordException extends AuditLogException {
    private static final long serialVersionUID = 1L;

    private final long offset;
    private final int length;
    private final int line;

    public TornRecordException(String file, int line, long offset, int length) {
        super(file + ": line " + line + " at byte offset " + offset + " is incomplete (" + length
                + " bytes without a terminating newline): a write was interrupted");
        this.line = line;
        this.offset = offset;
        this.length = length;
    }

    /** Byte offset where the incomplete line starts. */
    public long offset() {
        return offset;
    }

    /** Bytes in the incomplete line. */
    public int length() {
        return length;
    }

    /** Its 1-based line number. */
    public int line() {
        return line;
    }
}
