package org.vtpmmigrate.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.protocol.fixtures.Scenario;
import org.vtpmmigrate.protocol.memory.InMemoryLink;
import org.vtpmmigrate.protocol.wire.Abort;
import org.vtpmmigrate.protocol.wire.FrameCodec;
import org.vtpmmigrate.protocol.wire.Limits;
import org.vtpmmigrate.protocol.wire.RecordType;

/** {@link RecordWriter} and {@link RecordReader} over byte streams, after an in-memory handshake. */
class RecordStreamTest {
    private final InMemoryLink link = new Scenario().link(InMemoryLink.FaultInjector.NONE).start();
    private final byte[] vm = Scenario.stream(5 * 1024 * 1024 + 777, 11);

    /** The bytes the source puts on the wire for {@code vm}, end-of-stream record included. */
    private byte[] wire() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RecordWriter w = new RecordWriter(link.source(), out);
        assertEquals(vm.length, w.transferFrom(new ByteArrayInputStream(vm)));
        StreamSummary sent = w.finish();
        assertEquals(81, sent.records());
        assertEquals(SessionState.AWAIT_COMMIT, link.source().state());
        return out.toByteArray();
    }

    @Test
    void aStreamPassesThroughWriterAndReaderUnchanged() throws Exception {
        byte[] wire = wire();
        ByteArrayOutputStream vmOut = new ByteArrayOutputStream();
        StreamSummary received = new RecordReader(link.destination(), new ByteArrayInputStream(wire))
                .transferTo(RecordSink.migrationStreamTo(vmOut));
        assertArrayEquals(vm, vmOut.toByteArray());
        assertEquals(link.source().streamSummary().orElseThrow(), received);
        assertEquals(SessionState.STREAM_RECEIVED, link.destination().state());
        int perRecord = FrameCodec.HEADER_LENGTH + Limits.DATA_RECORD_PREFIX + Limits.RECORD_TAG_LENGTH;
        int endFrame = FrameCodec.HEADER_LENGTH + 8 + 4 + org.vtpmmigrate.protocol.wire.EndOfStream.SEALED_LENGTH;
        assertEquals(41, perRecord);
        assertEquals(vm.length + 81L * perRecord + endFrame, wire.length, "no bytes beyond the framing");
        link.commit();
        assertTrue(link.source().committed());
    }

    @Test
    void channelsWorkAsWellAsStreams() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RecordWriter w = new RecordWriter(link.source(), Channels.newChannel(out));
        w.transferFrom(Channels.newChannel(new ByteArrayInputStream(vm)));
        w.write(RecordType.VTPM_STATE, ByteBuffer.wrap(new byte[] {1, 2, 3}));
        w.finish();
        ByteArrayOutputStream vmOut = new ByteArrayOutputStream();
        ByteArrayOutputStream vtpmOut = new ByteArrayOutputStream();
        new RecordReader(link.destination(), Channels.newChannel(new ByteArrayInputStream(out.toByteArray())))
                .transferTo((type, payload) -> {
                    ByteArrayOutputStream sink = type == RecordType.VTPM_STATE ? vtpmOut : vmOut;
                    Channels.newChannel(sink).write(payload);
                });
        assertArrayEquals(vm, vmOut.toByteArray());
        assertArrayEquals(new byte[] {1, 2, 3}, vtpmOut.toByteArray());
    }

    private ProtocolFailureException readFails(byte[] wire) {
        return assertThrows(ProtocolFailureException.class, () -> new RecordReader(link.destination(),
                new ByteArrayInputStream(wire)).transferTo(RecordSink.migrationStreamTo(new ByteArrayOutputStream())));
    }

    @Test
    void aFlippedByteAnywhereInTheStreamEndsTheRun() throws Exception {
        byte[] wire = wire();
        wire[wire.length / 2] ^= 0x10;
        ProtocolFailureException e = readFails(wire);
        assertEquals(FailureReason.RECORD_AUTHENTICATION_FAILED, e.failure().reason());
        Abort abort = (Abort) e.messagesForPeer().get(0);
        assertEquals(FailureReason.RECORD_AUTHENTICATION_FAILED.code(), abort.reasonCode());
    }

    @Test
    void aConnectionCutMidFrameOrBetweenFramesIsTruncation() throws Exception {
        byte[] wire = wire();
        assertEquals(FailureReason.RECORD_TRUNCATED, readFails(Arrays.copyOf(wire, 100_000)).failure().reason());
    }

    @Test
    void aConnectionCutBetweenFramesIsATruncatedStream() throws Exception {
        byte[] wire = wire();
        int tenRecords = 10 * (FrameCodec.HEADER_LENGTH + Limits.DATA_RECORD_PREFIX + Limits.MAX_SEALED_RECORD);
        ProtocolFailureException e = readFails(Arrays.copyOf(wire, tenRecords));
        assertEquals(FailureReason.STREAM_TRUNCATED, e.failure().reason());
        assertTrue(e.failure().detail().contains("after 10 records"), e.failure().detail());
    }

    @Test
    void aSinkThatCannotWriteEndsTheRunAsALocalError() throws Exception {
        byte[] wire = wire();
        ProtocolFailureException e = assertThrows(ProtocolFailureException.class,
                () -> new RecordReader(link.destination(), new ByteArrayInputStream(wire)).transferTo((t, p) -> {
                    throw new java.io.IOException("disk full");
                }));
        assertEquals(FailureReason.LOCAL_ERROR, e.failure().reason());
        assertTrue(e.failure().detail().contains("disk full"));
    }
}
