package org.vtpmmigrate.management;

import java.time.Instant;
import org.vtpmmigrate.management.internal.Check;

/**
 * One entry of a host's attestation log. The typed fields are for display; {@code encoded} is the
 * exact record that was hash-chained and signed, so a console verifies the chain and the AK signature
 * from {@code encoded} and {@code signature} alone and never trusts the typed fields over them.
 *
 * @param sequence the record's position in the log, from 0, without gaps
 * @param recordedAt when the record was appended
 * @param type what happened, e.g. {@code MIGRATION_REQUESTED}, {@code VERDICT}, {@code COMMITTED},
 *        {@code POLICY_STORED}
 * @param migrationId the run it belongs to, or null
 * @param actor the certificate subject of whoever caused it, or null for the engine itself
 * @param summary a one-line description
 * @param encoded the canonical signed record bytes (base64)
 * @param signature the AK signature over {@code encoded} (base64)
 */
public record AuditRecord(long sequence, Instant recordedAt, String type, String migrationId, String actor,
        String summary, String encoded, String signature) {
    public AuditRecord {
        Check.nonNegative("sequence", sequence);
        Check.required("recordedAt", recordedAt);
        Check.token("type", type);
        Check.optionalIdentifier("migrationId", migrationId);
        Check.optionalText("actor", actor, Check.MAX_TEXT);
        Check.text("summary", summary, Check.MAX_TEXT);
        Check.base64("encoded", encoded);
        Check.base64("signature", signature);
    }
}
