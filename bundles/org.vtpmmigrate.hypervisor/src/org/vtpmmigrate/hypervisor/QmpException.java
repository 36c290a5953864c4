package org.vtpmmigrate.hypervisor;

/** QEMU answered a QMP command with an error object ({@code {"error": {"class": ..., "desc": ...}}}). */
public final class QmpException extends HypervisorException {
    private static final long serialVersionUID = 1L;

    private final String command;
    private final String errorClass;
    private final String description;

    public QmpException(String command, String errorClass, String description) {
        super("QMP command '" + command + "' failed: " + errorClass + ": " + description);
        this.command = command;
        this.errorClass = errorClass;
        this.description = description;
    }

    /** The command that failed, e.g. {@code migrate}. */
    public String command() {
        return command;
    }

    /** QMP's error class, e.g. {@code CommandNotFound} or {@code GenericError}. */
    public String errorClass() {
        return errorClass;
    }

    /** QEMU's human-readable description. */
    public String description() {
        return description;
    }
}
