package org.vtpmmigrate.audit;

import java.util.Objects;

import org.vtpmmigrate.audit.internal.Fields;

/**
 * One reason behind a verdict or an abort, e.g. {@code ERROR, "pcr", "sha256:7", "a3f0…", "91c2…",
 * "PCR 7 differs from the policy's reference value"}.
 *
 * @param category what kind of check, an identifier such as {@code pcr}, {@code event}, {@code nonce}
 * @param subject what was checked (a PCR, an event index, a key); empty if not applicable
 * @param expected the reference value; empty if not applicable
 * @param actual the value found; empty if not applicable
 * @param message a sentence for people
 */
public record Reason(Severity severity, String category, String subject, String expected, String actual,
        String message) {
    /** Longest subject, expected or actual value. */
    public static final int MAX_VALUE = 512;

    public Reason {
        Objects.requireNonNull(severity, "reasons.severity");
        Fields.identifier("reasons.category", category);
        Fields.text("reasons.subject", subject, MAX_VALUE);
        Fields.text("reasons.expected", expected, MAX_VALUE);
        Fields.text("reasons.actual", actual, MAX_VALUE);
        Fields.text("reasons.message", message, Fields.MAX_TEXT);
    }
}
