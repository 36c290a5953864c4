package org.vtpmmigrate.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.protocol.wire.MalformedFrameException.Problem;

class FrameCodecTest {

    @Test
    void everyMessageTypeRoundTripsToEqualMessageAndIdenticalBytes() throws Exception {
        Set<MessageType> covered = EnumSet.noneOf(MessageType.class);
        for (Message m : Messages.all()) {
            byte[] frame = FrameCodec.encode(m);
            Message decoded = FrameCodec.decode(frame);
            assertEquals(m.type(), decoded.type());
            if (!(m instanceof DataRecord)) {
                assertEquals(m, decoded, "round trip of " + m.type());
            } else {
                DataRecord a = (DataRecord) m;
                DataRecord b = (DataRecord) decoded;
                assertEquals(a.sequence(), b.sequence());
                assertEquals(a.recordType(), b.recordType());
                assertEquals(a.sealed(), b.sealed());
            }
            assertArrayEquals(frame, FrameCodec.encode(decoded), "re-encoding " + m.type());
            assertTrue(frame.length - FrameCodec.HEADER_LENGTH <= m.type().maxBodyLength(), m.type() + " within bound");
            covered.add(m.type());
        }
        assertEquals(EnumSet.allOf(MessageType.class), covered, "every message type has a round-trip case");
    }

    @Test
    void dataRecordPrefixWrittenByTheSealerMatchesTheEncoder() throws Exception {
        DataRecord r = new DataRecord(9, RecordType.MIGRATION_STREAM, ByteBuffer.wrap(new byte[40]));
        ByteBuffer direct = ByteBuffer.allocate(FrameCodec.HEADER_LENGTH + Limits.DATA_RECORD_PREFIX + 40);
        FrameCodec.putDataRecordPrefix(direct, 9, RecordType.MIGRATION_STREAM, 40);
        direct.put(new byte[40]);
        assertArrayEquals(FrameCodec.encode(r), direct.array());
    }

    @Test
    void decodedRecordCiphertextIsAViewNotACopy() throws Exception {
        byte[] frame = FrameCodec.encode(new DataRecord(0, RecordType.MIGRATION_STREAM, ByteBuffer.wrap(new byte[32])));
        DataRecord r = (DataRecord) FrameCodec.decode(frame);
        frame[frame.length - 1] = 42;
        assertEquals(42, r.sealed().get(31));
    }

    private static MalformedFrameException rejected(byte[] frame) {
        return assertThrows(MalformedFrameException.class, () -> FrameCodec.decode(frame));
    }

    private static byte[] keyConfirmFrame() {
        return FrameCodec.encode(new KeyConfirm(Messages.filled(32, 1)));
    }

    @Test
    void unsupportedVersionIsNamed() {
        byte[] f = keyConfirmFrame();
        ByteBuffer.wrap(f).putShort(4, (short) 3);
        MalformedFrameException e = rejected(f);
        assertEquals(Problem.UNSUPPORTED_VERSION, e.problem());
        assertEquals("unsupported protocol version 3 (supported: 1)", e.detail());
        assertEquals(4, e.offset());
    }

    @Test
    void unknownTypeIsNamedInHex() {
        byte[] f = keyConfirmFrame();
        ByteBuffer.wrap(f).putShort(6, (short) 0x42);
        MalformedFrameException e = rejected(f);
        assertEquals(Problem.UNKNOWN_TYPE, e.problem());
        assertEquals("unknown message type 0x0042", e.detail());
    }

    @Test
    void badMagicIsRejected() {
        byte[] f = keyConfirmFrame();
        f[0] = 'X';
        MalformedFrameException e = rejected(f);
        assertEquals(Problem.BAD_MAGIC, e.problem());
        assertTrue(e.detail().contains("not a vTPM Migrate frame"), e.detail());
    }

    @Test
    void lengthAboveTheTypeBoundIsRejectedFromTheHeaderAlone() throws Exception {
        byte[] header = java.util.Arrays.copyOf(keyConfirmFrame(), FrameCodec.HEADER_LENGTH);
        ByteBuffer.wrap(header).putInt(8, 0xFFFFFFF0);
        MalformedFrameException e = assertThrows(MalformedFrameException.class,
                () -> FrameCodec.decodeHeader(ByteBuffer.wrap(header)));
        assertEquals(Problem.OVERSIZED, e.problem());
        assertEquals("KEY_CONFIRM body of 4294967280 bytes exceeds the limit of 64", e.detail());
        assertEquals(MessageType.KEY_CONFIRM, e.messageType().orElseThrow());
    }

    @Test
    void truncatedHeaderAndBodyAreNamed() {
        byte[] f = keyConfirmFrame();
        MalformedFrameException header = rejected(java.util.Arrays.copyOf(f, 7));
        assertEquals(Problem.TRUNCATED, header.problem());
        assertEquals("frame ends after 7 of 12 header bytes", header.detail());
        MalformedFrameException body = rejected(java.util.Arrays.copyOf(f, f.length - 5));
        assertEquals(Problem.TRUNCATED, body.problem());
        assertEquals("KEY_CONFIRM frame ends after 31 of 36 body bytes", body.detail());
    }

    @Test
    void bytesAfterTheFrameAreRejected() {
        byte[] f = keyConfirmFrame();
        MalformedFrameException e = rejected(java.util.Arrays.copyOf(f, f.length + 3));
        assertEquals(Problem.TRAILING_BYTES, e.problem());
    }

    @Test
    void fieldErrorsNameTypeFieldAndOffset() {
        // nonce of 31 bytes: the u32 length prefix says 31, the limit is 32, the constructor wants exactly 32
        WireWriter w = new WireWriter();
        w.bytes(Messages.filled(31, 1));
        w.u8(1);
        w.u16(0x000B);
        w.u32(0xFF);
        MalformedFrameException e = rejected(frame(MessageType.ATTESTATION_CHALLENGE, w));
        assertEquals(Problem.INVALID_FIELD, e.problem());
        assertTrue(e.getMessage().startsWith("ATTESTATION_CHALLENGE.body at offset 12: nonce: expected 32 bytes, got 31"),
                e.getMessage());

        // a length prefix larger than what is left
        WireWriter big = new WireWriter();
        big.u32(1000);
        big.u8(0);
        MalformedFrameException e2 = rejected(frame(MessageType.KEY_EXCHANGE, big));
        assertEquals("KEY_EXCHANGE.ephemeralPublicKey at offset 12: length 1000 exceeds the limit of 133",
                e2.getMessage());
    }

    @Test
    void pcrIndexOutsideTheBankIsRejectedWithItsPosition() {
        WireWriter w = new WireWriter();
        w.bytes(Messages.filled(1, 1));
        w.bytes(Messages.filled(1, 1));
        w.u16(1);
        w.u16(0x000B);
        w.u8(24);
        w.bytes(Messages.filled(32, 0));
        w.bytes(Bytes.EMPTY);
        w.bytes(Bytes.EMPTY);
        w.u16(0);
        MalformedFrameException e = rejected(frame(MessageType.ATTESTATION_EVIDENCE, w));
        assertEquals("pcrValues[0]", e.field().orElseThrow());
        assertEquals(12 + 5 + 5 + 2, e.offset());
        assertTrue(e.detail().contains("index 24 outside 0..23"), e.detail());
    }

    @Test
    void unorderedOrRepeatedPcrValuesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new AttestationEvidence(Messages.filled(1, 1),
                Messages.filled(1, 1), List.of(new PcrValue(0x000B, 3, Messages.filled(32, 0)),
                        new PcrValue(0x000B, 3, Messages.filled(32, 1))),
                Bytes.EMPTY, Bytes.EMPTY, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new PcrSelection(
                List.of(PcrSelection.Bank.of(0x000B, 1), PcrSelection.Bank.of(0x0004, 1))));
    }

    @Test
    void invalidUtf8AndControlCharactersAreRejected() {
        WireWriter w = new WireWriter();
        w.u16(0x0023);
        w.u16(2);
        w.u8(0xC3);
        w.u8(0x28); // not a continuation byte
        MalformedFrameException e = rejected(frame(MessageType.ABORT, w));
        assertEquals("ABORT.detail at offset 16: is not valid UTF-8", e.getMessage());

        assertThrows(IllegalArgumentException.class, () -> new Abort(1, "line\nforged log line"));
        assertThrows(IllegalArgumentException.class, () -> new Abort(1, "x", Messages.filled(31, 0)));
        assertEquals("line?forged log line", Abort.of(1, "line\nforged log line").detail());
        assertThrows(IllegalArgumentException.class, () -> new MigrationRequest(Messages.filled(16, 0), "vm 1", "p",
                Messages.filled(32, 0), 0, List.of(1)));
    }

    @Test
    void listCountsAreBounded() {
        WireWriter w = new WireWriter();
        w.u16(1);
        w.u16(Limits.MAX_OFFERED_SUITES + 1);
        MalformedFrameException e = rejected(frame(MessageType.MIGRATION_ACCEPT, w));
        assertEquals("MIGRATION_ACCEPT.offerAsReceived at offset 14: count 17 exceeds the limit of 16", e.getMessage());
    }

    @Test
    void abortDetailsAreCutToTheLimitOnACharacterBoundary() throws Exception {
        Abort a = Abort.of(1, "é".repeat(2000));
        assertTrue(a.detail().getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= Limits.MAX_ABORT_DETAIL_LENGTH);
        assertTrue(a.detail().endsWith("..."));
        assertEquals(a, FrameCodec.decode(FrameCodec.encode(a)));
    }

    static byte[] frame(MessageType type, WireWriter body) {
        ByteBuffer f = ByteBuffer.allocate(FrameCodec.HEADER_LENGTH + body.size());
        f.putInt(FrameCodec.MAGIC).putShort((short) 1).putShort((short) type.code()).putInt(body.size());
        f.put(body.array(), 0, body.size());
        return f.array();
    }
}
