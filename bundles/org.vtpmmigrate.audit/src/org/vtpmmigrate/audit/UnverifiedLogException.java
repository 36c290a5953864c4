package org.vtpmmigrate.audit;

/** An existing log whose chain does not verify: the writer refuses to append to it. */
public final class UnverifiedLogException extends AuditLogException {
    private static final long serialVersionUID = 1L;

    private final transient VerificationReport report;

    public UnverifiedLogException(VerificationReport report) {
        super("refusing to append to a log that does not verify: " + report.summary());
        this.report = report;
    }

    /** Every problem found. */
    public VerificationReport report() {
        return report;
    }
}
