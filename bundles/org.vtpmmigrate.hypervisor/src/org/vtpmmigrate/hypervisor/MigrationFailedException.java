package org.vtpmmigrate.hypervisor;

/**
 * A live migration ended without completing: QEMU reported it failed or cancelled, or the QEMU
 * process on either side went away.
 */
public final class MigrationFailedException extends HypervisorException {
    private static final long serialVersionUID = 1L;

    private final MigrationStatus status;
    private final String reason;

    /**
     * @param status the last migration status QEMU reported, or {@code null} when QEMU could not be
     *     asked (the process exited)
     */
    public MigrationFailedException(MigrationStatus status, String reason) {
        super("migration " + (status == null ? "aborted" : status.qmpName()) + ": " + reason);
        this.status = status;
        this.reason = reason;
    }

    /** Why, without the status prefix of the message. */
    public String reason() {
        return reason;
    }

    /** The last status QEMU reported, or {@code null} when the process was gone. */
    public MigrationStatus status() {
        return status;
    }
}
