package org.vtpmmigrate.management;

import java.time.Instant;
import org.vtpmmigrate.management.internal.Check;

/**
 * A stored policy without its text; the answer to a put and an entry of {@link PolicyList}.
 *
 * @param id the policy id
 * @param digest SHA-256 of the policy text's UTF-8 bytes, lower-case hex; migrations name a policy by
 *        id and digest so that both hosts apply the same text
 * @param sizeBytes size of the policy text in UTF-8 bytes
 * @param updatedAt when the text was last stored
 */
public record PolicySummary(String id, String digest, long sizeBytes, Instant updatedAt) {
    public PolicySummary {
        Check.identifier("id", id);
        Check.sha256Hex("digest", digest);
        Check.nonNegative("sizeBytes", sizeBytes);
        Check.required("updatedAt", updatedAt);
    }
}
