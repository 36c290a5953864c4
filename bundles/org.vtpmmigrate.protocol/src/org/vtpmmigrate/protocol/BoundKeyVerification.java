package org.vtpmmigrate.protocol;

import java.security.interfaces.ECPublicKey;
import java.util.Objects;
import java.util.Optional;

/** The verdict on a bound-key offer and, when accepted, the key's public point for ECDH. */
public final class BoundKeyVerification {
    private final Verdict verdict;
    private final ECPublicKey publicKey;

    private BoundKeyVerification(Verdict verdict, ECPublicKey publicKey) {
        this.verdict = verdict;
        this.publicKey = publicKey;
    }

    public static BoundKeyVerification accepted(ECPublicKey publicKey) {
        return new BoundKeyVerification(Verdict.ACCEPTED, Objects.requireNonNull(publicKey, "publicKey"));
    }

    public static BoundKeyVerification rejected(Verdict verdict) {
        if (verdict.accepted()) {
            throw new IllegalArgumentException("a rejection needs at least one failure");
        }
        return new BoundKeyVerification(verdict, null);
    }

    public Verdict verdict() {
        return verdict;
    }

    public Optional<ECPublicKey> publicKey() {
        return Optional.ofNullable(publicKey);
    }
}
