package org.vtpmmigrate.protocol.internal;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.vtpmmigrate.protocol.FailureReason;
import org.vtpmmigrate.protocol.StreamSummary;
import org.vtpmmigrate.protocol.wire.Bytes;
import org.vtpmmigrate.protocol.wire.DataRecord;
import org.vtpmmigrate.protocol.wire.EndOfStream;
import org.vtpmmigrate.protocol.wire.Limits;
import org.vtpmmigrate.protocol.wire.RecordType;

/**
 * Opens one direction's records in strict sequence. The sequence number on the wire is only
 * compared (to name a drop, reorder or replay); the nonce is always built from the expected number,
 * so a record can only open in its own position.
 */
final class RecordOpener extends RecordCrypto {
    private final SecretKey key;
    private final byte[] plaintext = new byte[Limits.MAX_RECORD_PAYLOAD];
    private final byte[] sealedCopy = new byte[Limits.MAX_SEALED_RECORD];
    private StreamSummary summary;

    RecordOpener(SecretKey key, int direction, Bytes migrationId) {
        super(direction, migrationId);
        this.key = key;
    }

    /** Opens a data record; the result is a view of this opener's buffer, valid until the next call. */
    ByteBuffer open(DataRecord record) throws RecordLayerException {
        checkSequence(record.sequence(), "record");
        ByteBuffer sealed = record.sealed();
        int sealedLength = sealed.remaining();
        int n = sealedLength - Limits.RECORD_TAG_LENGTH;
        byte[] in;
        int inOffset;
        if (sealed.hasArray()) {
            in = sealed.array();
            inOffset = sealed.arrayOffset() + sealed.position();
        } else {
            sealed.duplicate().get(sealedCopy, 0, sealedLength);
            in = sealedCopy;
            inOffset = 0;
        }
        long seq = records;
        prepare(seq, record.recordType().code());
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(aad);
            cipher.doFinal(in, inOffset, sealedLength, plaintext, 0);
        } catch (AEADBadTagException e) {
            throw new RecordLayerException(FailureReason.RECORD_AUTHENTICATION_FAILED, "record " + seq + " ("
                    + record.recordType() + ", " + n + " payload bytes) failed authentication: altered in transit,"
                    + " or sealed under another session's key");
        } catch (GeneralSecurityException e) {
            throw cipherFailure(e);
        }
        chain(seq, record.recordType().code(), sealedLength, in, inOffset + n);
        records++;
        payloadBytes += n;
        return ByteBuffer.wrap(plaintext, 0, n);
    }

    /** Opens the end-of-stream record and checks its counts and digest against what was received. */
    StreamSummary finish(EndOfStream end) throws RecordLayerException {
        checkSequence(end.sequence(), "end-of-stream record");
        Bytes digest = streamDigest();
        prepare(records, RecordType.END_OF_STREAM_CODE);
        byte[] claimed;
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(aad);
            claimed = cipher.doFinal(end.sealed().toByteArray());
        } catch (AEADBadTagException e) {
            throw new RecordLayerException(FailureReason.RECORD_AUTHENTICATION_FAILED, "end-of-stream record "
                    + records + " failed authentication: altered in transit, or sealed under another session's key");
        } catch (GeneralSecurityException e) {
            throw cipherFailure(e);
        }
        long claimedRecords = getLong(claimed, 0);
        long claimedBytes = getLong(claimed, 8);
        Bytes claimedDigest = Bytes.of(claimed, 16, Limits.DIGEST_LENGTH);
        if (claimedRecords != records || claimedBytes != payloadBytes || !claimedDigest.constantTimeEquals(digest)) {
            throw new RecordLayerException(FailureReason.STREAM_MISMATCH, "sender reports " + claimedRecords
                    + " records, " + claimedBytes + " bytes, digest " + claimedDigest + "; received " + records
                    + " records, " + payloadBytes + " bytes, digest " + digest);
        }
        summary = new StreamSummary(records, payloadBytes, digest);
        return summary;
    }

    private void checkSequence(long received, String what) throws RecordLayerException {
        if (received < records) {
            throw new RecordLayerException(FailureReason.RECORD_REPLAYED, what + " with sequence number " + received
                    + " arrived again (expected " + records + "): replayed");
        }
        if (received > records) {
            long missing = received - records;
            throw new RecordLayerException(FailureReason.RECORD_OUT_OF_SEQUENCE, "expected record " + records
                    + ", received " + what + " " + received + ": " + missing + " record" + (missing == 1 ? "" : "s")
                    + " dropped or reordered");
        }
    }

    StreamSummary summary() {
        return summary;
    }
}
