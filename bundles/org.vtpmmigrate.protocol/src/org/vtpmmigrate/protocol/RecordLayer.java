package org.vtpmmigrate.protocol;

import java.nio.ByteBuffer;
import java.security.SecureRandom;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import org.vtpmmigrate.protocol.internal.RecordLayerWarmUp;

/** The record layer as a whole, for what concerns it outside a session. */
public final class RecordLayer {
    private RecordLayer() {
    }

    /**
     * Seals and opens enough small records under a throwaway key that the JIT compiles the record
     * layer and the JDK's AES-GCM intrinsics. Until then the first migration's records run through
     * the interpreter and the first compilation tiers, several times slower. Takes a fraction of a
     * second; engines call it once, in the background, when they start.
     */
    public static void warmUp() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        SecretKey throwaway = new SecretKeySpec(key, "AES");
        RecordLayerWarmUp.run(throwaway, ByteBuffer.allocate(RecordLayerWarmUp.PAYLOAD));
    }
}
