package org.vtpmmigrate.protocol.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.vtpmmigrate.protocol.CipherSuite;
import org.vtpmmigrate.protocol.wire.Bytes;

/**
 * The key schedule: PRK = HKDF-Extract(salt = transcript hash through KEY_EXCHANGE, IKM = Z), then
 * four keys expanded with distinct labels: AES-GCM record keys per direction and HMAC key-confirmation
 * keys per direction. Distinct directional keys mean a record reflected back to its sender never opens.
 */
final class SessionKeys {
    private static final String LABEL = "vtpm-migrate v1 ";

    final SecretKey sourceToDestination;
    final SecretKey destinationToSource;
    final byte[] sourceConfirmKey;
    final byte[] destinationConfirmKey;

    private SessionKeys(SecretKey s2d, SecretKey d2s, byte[] sourceConfirm, byte[] destinationConfirm) {
        this.sourceToDestination = s2d;
        this.destinationToSource = d2s;
        this.sourceConfirmKey = sourceConfirm;
        this.destinationConfirmKey = destinationConfirm;
    }

    static SessionKeys derive(byte[] sharedSecret, Bytes transcriptHash, CipherSuite suite) {
        byte[] prk = Hkdf.extract(transcriptHash.toByteArray(), sharedSecret);
        try {
            int n = suite.aesKeyLength();
            byte[] s2d = Hkdf.expand(prk, info("source-to-destination record key"), n);
            byte[] d2s = Hkdf.expand(prk, info("destination-to-source record key"), n);
            SessionKeys keys = new SessionKeys(new SecretKeySpec(s2d, "AES"), new SecretKeySpec(d2s, "AES"),
                    Hkdf.expand(prk, info("source key confirmation"), Hkdf.HASH_LENGTH),
                    Hkdf.expand(prk, info("destination key confirmation"), Hkdf.HASH_LENGTH));
            Arrays.fill(s2d, (byte) 0);
            Arrays.fill(d2s, (byte) 0);
            return keys;
        } finally {
            Arrays.fill(prk, (byte) 0);
        }
    }

    private static byte[] info(String purpose) {
        return (LABEL + purpose).getBytes(StandardCharsets.US_ASCII);
    }

    /** The source's key-confirmation MAC over the transcript hash through KEY_EXCHANGE. */
    Bytes sourceConfirmation(Bytes transcriptHash) {
        return Bytes.of(Hkdf.hmac(sourceConfirmKey, label("source finished"), transcriptHash.toByteArray()));
    }

    /** The destination's key-confirmation MAC over the transcript hash through the source's KEY_CONFIRM. */
    Bytes destinationConfirmation(Bytes transcriptHash) {
        return Bytes.of(Hkdf.hmac(destinationConfirmKey, label("destination finished"), transcriptHash.toByteArray()));
    }

    /** The source's MAC acknowledging a commit payload. */
    Bytes commitAcknowledgement(Bytes commitPayload) {
        return Bytes.of(Hkdf.hmac(sourceConfirmKey, label("commit acknowledged"), commitPayload.toByteArray()));
    }

    /** MAC of an Abort sent after key confirmation, with the sender's confirmation key. */
    static Bytes abortMac(byte[] senderConfirmKey, Bytes handshakeHash, int reasonCode, String detail) {
        byte[] code = {(byte) (reasonCode >>> 8), (byte) reasonCode};
        return Bytes.of(Hkdf.hmac(senderConfirmKey, label("abort"), handshakeHash.toByteArray(), code,
                detail.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static byte[] label(String s) {
        return (LABEL + s + "\0").getBytes(StandardCharsets.US_ASCII);
    }
}
