package org.vtpmmigrate.tpm;

import java.util.Objects;

/**
 * A decoded TPM 2.0 response code (TPM_RC): its name, and for format-one codes which handle,
 * parameter or session the TPM blamed.
 */
public final class TpmResponseCode {

    /** What a format-one response code refers to. */
    public enum Subject {
        /** The code does not point at a handle, parameter or session. */
        NONE,
        /** A command handle, numbered from 1 (0 if the TPM did not say which). */
        HANDLE,
        /** A command parameter, numbered from 1. */
        PARAMETER,
        /** An authorization session, numbered from 1. */
        SESSION
    }

    private final int raw;
    private final int baseCode;
    private final String name;
    private final Subject subject;
    private final int subjectNumber;
    private final String description;

    /**
     * @param raw the response code as the TPM sent it
     * @param baseCode the code without handle, parameter or session number
     * @param name for example {@code TPM_RC_VALUE}
     * @param subject what the number refers to
     * @param subjectNumber the handle, parameter or session number, 0 for {@link Subject#NONE}
     * @param description a short explanation, may be empty
     */
    public TpmResponseCode(int raw, int baseCode, String name, Subject subject, int subjectNumber,
            String description) {
        this.raw = raw;
        this.baseCode = baseCode;
        this.name = Objects.requireNonNull(name, "name");
        this.subject = Objects.requireNonNull(subject, "subject");
        this.subjectNumber = subjectNumber;
        this.description = Objects.requireNonNull(description, "description");
    }

    /** The response code as received. */
    public int raw() {
        return raw;
    }

    /** The code without handle, parameter or session number, for example 0x084 for TPM_RC_VALUE. */
    public int baseCode() {
        return baseCode;
    }

    /** The specification name, for example {@code TPM_RC_VALUE} or {@code TPM_RC_POLICY_FAIL}. */
    public String name() {
        return name;
    }

    /** What {@link #subjectNumber()} refers to. */
    public Subject subject() {
        return subject;
    }

    /** The number of the blamed handle, parameter or session (from 1), or 0. */
    public int subjectNumber() {
        return subjectNumber;
    }

    /** Whether this is a warning (format zero, TPM_RC_WARN range): the command may succeed if repeated. */
    public boolean isWarning() {
        return (raw & 0xFFFF0000) == 0 && (raw & 0x980) == 0x900;
    }

    /** A short explanation of the code; empty if none is known. */
    public String description() {
        return description;
    }

    /** For example {@code TPM_RC_VALUE (parameter 1, 0x000001c4): value is out of range ...}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(name).append(" (");
        if (subject != Subject.NONE) {
            text.append(subject.name().toLowerCase(java.util.Locale.ROOT)).append(' ').append(subjectNumber)
                    .append(", ");
        }
        text.append(String.format("0x%08x", raw)).append(')');
        if (!description.isEmpty()) {
            text.append(": ").append(description);
        }
        return text.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TpmResponseCode that && raw == that.raw;
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(raw);
    }
}
