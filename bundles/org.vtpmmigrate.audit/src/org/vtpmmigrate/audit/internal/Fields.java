package org.vtpmmigrate.audit.internal;

import java.time.Instant;

/**
 * Validation shared by the record model: every value that ends up in a signed record is bounded
 * here, and a refusal names the field. Identifiers are printable ASCII without spaces so they can
 * be shown anywhere without escaping.
 */
public final class Fields {
    /** Longest host, migration or VM identifier. */
    public static final int MAX_IDENTIFIER = 128;
    /** Longest free text (reason message, detail value). */
    public static final int MAX_TEXT = 1024;
    /** Latest time a record may carry (9999-12-31T23:59:59.999Z), so every time prints in the log's format. */
    public static final long MAX_EPOCH_MILLI = 253_402_300_799_999L;

    private Fields() {
    }

    /** 1 to {@value #MAX_IDENTIFIER} printable ASCII characters, no space. */
    public static String identifier(String field, String value) {
        if (value == null) {
            throw new InvalidFieldException(field, "is missing");
        }
        if (value.isEmpty() || value.length() > MAX_IDENTIFIER) {
            throw new InvalidFieldException(field, "must have 1 to " + MAX_IDENTIFIER + " characters, has "
                    + value.length());
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new InvalidFieldException(field, "has character " + String.format("U+%04X", (int) c)
                        + " at index " + i + "; identifiers are printable ASCII without spaces");
            }
        }
        return value;
    }

    /** At most {@code max} characters of well-formed Unicode (no lone surrogates, which UTF-8 cannot carry). */
    public static String text(String field, String value, int max) {
        if (value == null) {
            throw new InvalidFieldException(field, "is missing");
        }
        if (value.length() > max) {
            throw new InvalidFieldException(field, "has " + value.length() + " characters, at most " + max
                    + " are allowed");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new InvalidFieldException(field, "has a lone surrogate at index " + i);
            }
        }
        return value;
    }

    public static long nonNegative(String field, long value) {
        if (value < 0) {
            throw new InvalidFieldException(field, "must not be negative, is " + value);
        }
        return value;
    }

    /** A time the log can represent: millisecond precision, 1970 to 9999. */
    public static Instant time(String field, Instant value) {
        if (value == null) {
            throw new InvalidFieldException(field, "is missing");
        }
        if (value.isBefore(Instant.EPOCH) || value.isAfter(Instant.ofEpochMilli(MAX_EPOCH_MILLI))
                || value.getNano() % 1_000_000 != 0) {
            throw new InvalidFieldException(field, value + " is not a whole millisecond between 1970 and 9999");
        }
        return value;
    }
}
