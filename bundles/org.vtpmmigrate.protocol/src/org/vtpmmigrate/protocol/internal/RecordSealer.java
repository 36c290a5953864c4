package org.vtpmmigrate.protocol.internal;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.GCMParameterSpec;
import org.vtpmmigrate.protocol.StreamSummary;
import org.vtpmmigrate.protocol.wire.Bytes;
import org.vtpmmigrate.protocol.wire.EndOfStream;
import org.vtpmmigrate.protocol.wire.FrameCodec;
import org.vtpmmigrate.protocol.wire.Limits;
import org.vtpmmigrate.protocol.wire.RecordType;

/** Seals one direction's records straight into frames: strictly increasing sequence from 0. */
final class RecordSealer extends RecordCrypto {
    /** Largest DATA_RECORD frame. */
    static final int MAX_FRAME = FrameCodec.HEADER_LENGTH + Limits.MAX_DATA_RECORD_BODY;

    private final SecretKey key;
    private final byte[] staging = new byte[Limits.MAX_RECORD_PAYLOAD];
    private StreamSummary summary;

    RecordSealer(SecretKey key, int direction, Bytes migrationId) {
        super(direction, migrationId);
        this.key = key;
    }

    /** Seals up to one record's payload from {@code plaintext} into a DATA_RECORD frame at {@code out}. */
    int seal(RecordType type, ByteBuffer plaintext, ByteBuffer out) {
        if (summary != null) {
            throw new IllegalStateException("the stream has ended");
        }
        if (records >= MAX_RECORDS) {
            throw new IllegalStateException("record limit of " + MAX_RECORDS + " reached for one session");
        }
        int n = Math.min(plaintext.remaining(), Limits.MAX_RECORD_PAYLOAD);
        int sealedLength = n + Limits.RECORD_TAG_LENGTH;
        int frameLength = FrameCodec.HEADER_LENGTH + Limits.DATA_RECORD_PREFIX + sealedLength;
        if (out.remaining() < frameLength) {
            throw new IllegalArgumentException("output buffer has " + out.remaining() + " bytes, the frame needs "
                    + frameLength);
        }
        long seq = records;
        FrameCodec.putDataRecordPrefix(out, seq, type, sealedLength);
        prepare(seq, type.code());
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(aad);
            byte[] outArray;
            int sealedAt;
            if (out.hasArray()) {
                outArray = out.array();
                sealedAt = out.arrayOffset() + out.position();
                // array-to-array is the JDK's fastest GCM path
                if (plaintext.hasArray()) {
                    cipher.doFinal(plaintext.array(), plaintext.arrayOffset() + plaintext.position(), n, outArray,
                            sealedAt);
                    plaintext.position(plaintext.position() + n);
                } else {
                    plaintext.get(staging, 0, n);
                    cipher.doFinal(staging, 0, n, outArray, sealedAt);
                }
                out.position(out.position() + sealedLength);
                chain(seq, type.code(), sealedLength, outArray, sealedAt + n);
            } else {
                ByteBuffer source = plaintext.slice();
                source.limit(n);
                int start = out.position();
                cipher.doFinal(source, out);
                plaintext.position(plaintext.position() + n);
                byte[] tag = new byte[Limits.RECORD_TAG_LENGTH];
                out.duplicate().position(start + n).get(tag);
                chain(seq, type.code(), sealedLength, tag, 0);
            }
        } catch (ShortBufferException e) {
            throw new IllegalArgumentException("output buffer too small", e);
        } catch (GeneralSecurityException e) {
            throw cipherFailure(e);
        }
        records++;
        payloadBytes += n;
        return frameLength;
    }

    /** Seals the end-of-stream record (sequence = number of data records) and closes the stream. */
    EndOfStream sealEnd() {
        if (summary != null) {
            throw new IllegalStateException("the stream has already ended");
        }
        Bytes digest = streamDigest();
        prepare(records, RecordType.END_OF_STREAM_CODE);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(aad);
            byte[] sealed = cipher.doFinal(summaryPlaintext(digest));
            summary = new StreamSummary(records, payloadBytes, digest);
            return new EndOfStream(records, Bytes.of(sealed));
        } catch (GeneralSecurityException e) {
            throw cipherFailure(e);
        }
    }

    /** Present once {@link #sealEnd()} ran. */
    StreamSummary summary() {
        return summary;
    }
}
