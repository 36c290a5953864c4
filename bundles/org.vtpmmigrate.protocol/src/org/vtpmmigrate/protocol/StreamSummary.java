package org.vtpmmigrate.protocol;

import java.util.Objects;
import org.vtpmmigrate.protocol.wire.Bytes;
import org.vtpmmigrate.protocol.wire.Limits;

/**
 * What a record stream carried: data records, payload bytes, and the stream digest (SHA-256 chained
 * over every record's sequence number, type, length and GCM tag; under the session key the tags
 * commit to the exact plaintext, so the digest names the exact stream without hashing every byte).
 */
public record StreamSummary(long records, long payloadBytes, Bytes digest) {
    public StreamSummary {
        if (records < 0 || payloadBytes < 0) {
            throw new IllegalArgumentException("negative count");
        }
        Objects.requireNonNull(digest, "digest");
        if (digest.length() != Limits.DIGEST_LENGTH) {
            throw new IllegalArgumentException("digest must be " + Limits.DIGEST_LENGTH + " bytes");
        }
    }
}
