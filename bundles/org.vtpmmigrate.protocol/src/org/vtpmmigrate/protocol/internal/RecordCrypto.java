package org.vtpmmigrate.protocol.internal;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import org.vtpmmigrate.protocol.wire.Bytes;
import org.vtpmmigrate.protocol.wire.Limits;

/**
 * What sealing and opening share: nonce = 4-byte direction | 8-byte sequence number, associated
 * data = migration id | record type | sequence number, and the stream digest chained over
 * sequence, type, length and tag of every data record. One Cipher per direction, re-initialised per
 * record with a fresh GCMParameterSpec.
 */
abstract class RecordCrypto {
    static final int SOURCE_TO_DESTINATION = 0x53324400; // "S2D\0"
    static final int DESTINATION_TO_SOURCE = 0x44325300; // "D2S\0"
    static final int TAG_BITS = Limits.RECORD_TAG_LENGTH * 8;
    /** Far below GCM's limits for one key with deterministic nonces; a migration never gets near it. */
    static final long MAX_RECORDS = 1L << 40;

    final Cipher cipher;
    final byte[] iv = new byte[12];
    final byte[] aad = new byte[Limits.MIGRATION_ID_LENGTH + 1 + 8];
    private final MessageDigest chain;
    private final byte[] chainEntry = new byte[8 + 1 + 4 + Limits.RECORD_TAG_LENGTH];
    long records;
    long payloadBytes;

    RecordCrypto(int direction, Bytes migrationId) {
        try {
            cipher = Cipher.getInstance("AES/GCM/NoPadding");
            chain = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
            throw new IllegalStateException("the JDK lacks AES-GCM or SHA-256", e);
        }
        putInt(iv, 0, direction);
        byte[] id = migrationId.toByteArray();
        System.arraycopy(id, 0, aad, 0, id.length);
    }

    /** Sets nonce and associated data for record {@code sequence} of type code {@code typeCode}. */
    final void prepare(long sequence, int typeCode) {
        putLong(iv, 4, sequence);
        aad[Limits.MIGRATION_ID_LENGTH] = (byte) typeCode;
        putLong(aad, Limits.MIGRATION_ID_LENGTH + 1, sequence);
    }

    /** Adds one data record to the stream digest; {@code tag} is at {@code tagOffset} of {@code array}. */
    final void chain(long sequence, int typeCode, int sealedLength, byte[] array, int tagOffset) {
        putLong(chainEntry, 0, sequence);
        chainEntry[8] = (byte) typeCode;
        putInt(chainEntry, 9, sealedLength);
        System.arraycopy(array, tagOffset, chainEntry, 13, Limits.RECORD_TAG_LENGTH);
        chain.update(chainEntry);
    }

    /** The stream digest over the records so far (the chain itself continues). */
    final Bytes streamDigest() {
        try {
            return Bytes.of(((MessageDigest) chain.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The end-of-stream plaintext: record count, payload bytes, stream digest. */
    final byte[] summaryPlaintext(Bytes digest) {
        byte[] p = new byte[16 + Limits.DIGEST_LENGTH];
        putLong(p, 0, records);
        putLong(p, 8, payloadBytes);
        System.arraycopy(digest.toByteArray(), 0, p, 16, Limits.DIGEST_LENGTH);
        return p;
    }

    static void putInt(byte[] b, int off, int v) {
        for (int i = 0; i < 4; i++) {
            b[off + i] = (byte) (v >>> (24 - 8 * i));
        }
    }

    static void putLong(byte[] b, int off, long v) {
        for (int i = 0; i < 8; i++) {
            b[off + i] = (byte) (v >>> (56 - 8 * i));
        }
    }

    static long getLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    static IllegalStateException cipherFailure(GeneralSecurityException e) {
        return new IllegalStateException("AES-GCM failed unexpectedly: " + e.getMessage(), e);
    }
}
