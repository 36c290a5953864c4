package org.vtpmmigrate.management;

import java.time.Instant;
import org.vtpmmigrate.management.internal.Check;

/**
 * A stored policy with its text: {@code GET /v1/policies/{policyId}}.
 *
 * @param id the policy id
 * @param digest SHA-256 of {@code text} as UTF-8, lower-case hex
 * @param text the policy, JSON text exactly as stored
 * @param updatedAt when the text was last stored
 */
public record PolicyDocument(String id, String digest, String text, Instant updatedAt) {
    public PolicyDocument {
        Check.identifier("id", id);
        Check.sha256Hex("digest", digest);
        Check.text("text", text, PolicyUpload.MAX_TEXT_CHARACTERS);
        Check.required("updatedAt", updatedAt);
    }
}
