package org.vtpmmigrate.protocol.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.vtpmmigrate.protocol.wire.Bytes;

/**
 * SHA-256 over every handshake frame in order, as encoded on the wire. Both ends add the same
 * frames in the same order (sent and received), so equal hashes mean both saw the same handshake.
 */
final class Transcript {
    private final MessageDigest digest;
    private int frames;

    Transcript() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    void add(byte[] frame) {
        digest.update(frame);
        frames++;
    }

    int frames() {
        return frames;
    }

    /** The hash of the frames so far; adding more frames afterwards continues from the same state. */
    Bytes hash() {
        try {
            return Bytes.of(((MessageDigest) digest.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digest cannot be cloned", e);
        }
    }
}
