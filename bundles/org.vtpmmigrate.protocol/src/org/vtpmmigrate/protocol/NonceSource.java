package org.vtpmmigrate.protocol;

import java.security.SecureRandom;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Objects;
import org.vtpmmigrate.protocol.wire.Bytes;
import org.vtpmmigrate.protocol.wire.Limits;

/**
 * Issues the 32-byte challenge nonces of one host. It remembers the nonces it issued (the most
 * recent {@value #REMEMBERED}) so that it never hands out one twice, even from a broken random
 * source, and so a session can tell when a peer reflects one of this host's nonces back at it.
 * One instance per host, shared by all runs; thread-safe.
 */
public final class NonceSource {
    /** How many issued nonces are remembered. */
    public static final int REMEMBERED = 65536;

    private final SecureRandom random;
    private final LinkedHashSet<Bytes> issued = new LinkedHashSet<>();

    public NonceSource(SecureRandom random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * A fresh nonce.
     *
     * @throws IllegalStateException when the random source repeats a nonce this host issued
     */
    public synchronized Bytes next() {
        byte[] b = new byte[Limits.NONCE_LENGTH];
        random.nextBytes(b);
        Bytes nonce = Bytes.of(b);
        if (issued.contains(nonce)) {
            throw new IllegalStateException("the random source produced nonce " + nonce
                    + " a second time; refusing to reuse it");
        }
        issued.add(nonce);
        if (issued.size() > REMEMBERED) {
            Iterator<Bytes> oldest = issued.iterator();
            oldest.next();
            oldest.remove();
        }
        return nonce;
    }

    /** Whether this host issued {@code nonce} (among the remembered ones). */
    public synchronized boolean issued(Bytes nonce) {
        return issued.contains(nonce);
    }
}
