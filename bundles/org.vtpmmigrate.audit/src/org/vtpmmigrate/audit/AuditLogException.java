package org.vtpmmigrate.audit;

/**
 * An audit log that cannot be read or written at all: missing or unreadable file, beyond the
 * size limits, held by another writer, signing or disk failure. The message names the file and
 * what went wrong. Problems with individual records are not exceptions: they are in the
 * {@link VerificationReport}.
 */
public class AuditLogException extends Exception {
    private static final long serialVersionUID = 1L;

    public AuditLogException(String message) {
        super(message);
    }

    public AuditLogException(String message, Throwable cause) {
        super(message, cause);
    }
}
