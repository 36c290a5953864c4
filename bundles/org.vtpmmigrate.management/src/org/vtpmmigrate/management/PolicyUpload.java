package org.vtpmmigrate.management;

import org.vtpmmigrate.management.internal.Check;
import org.vtpmmigrate.management.internal.InvalidFieldException;
import org.vtpmmigrate.management.internal.Json;
import org.vtpmmigrate.management.internal.JsonBindingException;

/**
 * Stores a policy: {@code PUT /v1/policies/{policyId}}. The text must be a JSON object; whether it is a
 * valid policy is for the engine to decide ({@link ErrorCode#INVALID_ARGUMENT} with the reason).
 *
 * @param text the policy, JSON text; stored exactly as given
 * @param expectedDigest null to create or replace unconditionally; otherwise the digest of the policy the
 *        caller edited, and the put fails with {@link ErrorCode#CONFLICT} if the stored policy has another
 *        digest (someone else changed it) or none exists
 */
public record PolicyUpload(String text, String expectedDigest) {
    /** Policies are small documents; this bounds what an agent stores and sends on. */
    public static final int MAX_TEXT_CHARACTERS = 256 * 1024;

    public PolicyUpload {
        Check.text("text", text, MAX_TEXT_CHARACTERS);
        try {
            if (!Json.parse(text).isJsonObject()) {
                throw new InvalidFieldException("text", "must be a JSON object");
            }
        } catch (JsonBindingException e) {
            throw new InvalidFieldException("text", "is not JSON: " + e.getMessage());
        }
        if (expectedDigest != null) {
            Check.sha256Hex("expectedDigest", expectedDigest);
        }
    }
}
