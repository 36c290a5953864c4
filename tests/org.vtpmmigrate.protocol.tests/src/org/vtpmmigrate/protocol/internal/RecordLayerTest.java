package org.vtpmmigrate.protocol.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.protocol.FailureReason;
import org.vtpmmigrate.protocol.StreamSummary;
import org.vtpmmigrate.protocol.fixtures.Scenario;
import org.vtpmmigrate.protocol.wire.Bytes;
import org.vtpmmigrate.protocol.wire.DataRecord;
import org.vtpmmigrate.protocol.wire.FrameCodec;
import org.vtpmmigrate.protocol.wire.Limits;
import org.vtpmmigrate.protocol.wire.RecordType;

/** The sealer and opener on their own: sizes, buffer kinds, sequence and key separation, summaries. */
class RecordLayerTest {
    private static final Bytes ID = Bytes.of(new byte[16]);
    private final SecretKey key = new SecretKeySpec(Scenario.stream(32, 1), "AES");
    private final RecordSealer sealer = new RecordSealer(key, RecordCrypto.SOURCE_TO_DESTINATION, ID);
    private final RecordOpener opener = new RecordOpener(key, RecordCrypto.SOURCE_TO_DESTINATION, ID);

    private DataRecord seal(RecordSealer s, RecordType type, ByteBuffer plaintext) throws Exception {
        ByteBuffer frame = ByteBuffer.allocate(RecordSealer.MAX_FRAME);
        int n = s.seal(type, plaintext, frame);
        assertEquals(n, frame.position());
        return (DataRecord) FrameCodec.decode(ByteBuffer.wrap(frame.array(), 0, n));
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void recordsOfEverySizeRoundTripFromHeapAndDirectBuffers() throws Exception {
        for (int size : new int[] {0, 1, 15, 16, 17, 4096, Limits.MAX_RECORD_PAYLOAD}) {
            byte[] data = Scenario.stream(size, size);
            ByteBuffer direct = ByteBuffer.allocateDirect(size);
            direct.put(data).flip();
            for (ByteBuffer in : new ByteBuffer[] {ByteBuffer.wrap(data), direct}) {
                DataRecord r = seal(sealer, RecordType.MIGRATION_STREAM, in);
                assertFalse(in.hasRemaining());
                assertEquals(size + Limits.RECORD_TAG_LENGTH, r.sealed().remaining());
                assertArrayEquals(data, bytes(opener.open(r)), "size " + size);
            }
        }
    }

    @Test
    void sealingIntoADirectFrameBufferGivesTheSameFrame() throws Exception {
        RecordSealer other = new RecordSealer(key, RecordCrypto.SOURCE_TO_DESTINATION, ID);
        byte[] data = Scenario.stream(5000, 3);
        ByteBuffer heap = ByteBuffer.allocate(RecordSealer.MAX_FRAME);
        ByteBuffer direct = ByteBuffer.allocateDirect(RecordSealer.MAX_FRAME);
        int a = sealer.seal(RecordType.MIGRATION_STREAM, ByteBuffer.wrap(data), heap);
        int b = other.seal(RecordType.MIGRATION_STREAM, ByteBuffer.wrap(data), direct);
        assertEquals(a, b);
        byte[] fromDirect = new byte[b];
        direct.flip().get(fromDirect);
        assertArrayEquals(Arrays.copyOf(heap.array(), a), fromDirect);
        assertEquals(sealer.streamDigest(), other.streamDigest(), "same tags chained");
    }

    @Test
    void aLargeBufferIsSealedOneRecordAtATime() throws Exception {
        ByteBuffer in = ByteBuffer.wrap(new byte[Limits.MAX_RECORD_PAYLOAD * 2 + 5]);
        assertEquals(Limits.MAX_RECORD_PAYLOAD, seal(sealer, RecordType.MIGRATION_STREAM, in).payloadLength());
        assertEquals(Limits.MAX_RECORD_PAYLOAD + 5, in.remaining());
    }

    @Test
    void equalPlaintextsGiveDifferentCiphertexts() throws Exception {
        byte[] data = new byte[64];
        DataRecord a = seal(sealer, RecordType.MIGRATION_STREAM, ByteBuffer.wrap(data));
        DataRecord b = seal(sealer, RecordType.MIGRATION_STREAM, ByteBuffer.wrap(data));
        assertFalse(Arrays.equals(bytes(a.sealed()), bytes(b.sealed())));
    }

    @Test
    void aRecordOpensOnlyWithItsDirectionAndMigration() throws Exception {
        DataRecord r = seal(sealer, RecordType.MIGRATION_STREAM, ByteBuffer.wrap(new byte[100]));
        RecordOpener otherDirection = new RecordOpener(key, RecordCrypto.DESTINATION_TO_SOURCE, ID);
        assertEquals(FailureReason.RECORD_AUTHENTICATION_FAILED,
                assertThrows(RecordLayerException.class, () -> otherDirection.open(r)).reason());
        byte[] id = new byte[16];
        id[0] = 1;
        RecordOpener otherMigration = new RecordOpener(key, RecordCrypto.SOURCE_TO_DESTINATION, Bytes.of(id));
        assertEquals(FailureReason.RECORD_AUTHENTICATION_FAILED,
                assertThrows(RecordLayerException.class, () -> otherMigration.open(r)).reason());
    }

    @Test
    void endOfStreamSummaryMatchesOnBothSides() throws Exception {
        for (int i = 0; i < 3; i++) {
            opener.open(seal(sealer, RecordType.MIGRATION_STREAM, ByteBuffer.wrap(new byte[1000 + i])));
        }
        assertEquals(null, sealer.summary(), "no summary before the end");
        StreamSummary received = opener.finish(sealer.sealEnd());
        assertEquals(sealer.summary(), received);
        assertEquals(new StreamSummary(3, 3003, received.digest()), received);
        assertThrows(IllegalStateException.class, sealer::sealEnd);
        assertThrows(IllegalStateException.class,
                () -> sealer.seal(RecordType.MIGRATION_STREAM, ByteBuffer.allocate(1), ByteBuffer.allocate(100)));
    }

    @Test
    void anEndOfStreamFromASenderThatSentOtherRecordsIsAMismatch() throws Exception {
        // only a holder of the key can do this; the check still names what differs
        RecordSealer liar = new RecordSealer(key, RecordCrypto.SOURCE_TO_DESTINATION, ID);
        for (int i = 0; i < 2; i++) {
            opener.open(seal(sealer, RecordType.MIGRATION_STREAM, ByteBuffer.wrap(new byte[10])));
            seal(liar, RecordType.MIGRATION_STREAM, ByteBuffer.wrap(new byte[11]));
        }
        RecordLayerException e = assertThrows(RecordLayerException.class, () -> opener.finish(liar.sealEnd()));
        assertEquals(FailureReason.STREAM_MISMATCH, e.reason());
        assertTrue(e.getMessage().contains("sender reports 2 records, 22 bytes"), e.getMessage());
    }

    @Test
    void aTooSmallFrameBufferIsRefusedBeforeAnythingIsWritten() {
        ByteBuffer small = ByteBuffer.allocate(100);
        assertThrows(IllegalArgumentException.class,
                () -> sealer.seal(RecordType.MIGRATION_STREAM, ByteBuffer.allocate(200), small));
        assertEquals(0, small.position());
    }
}
