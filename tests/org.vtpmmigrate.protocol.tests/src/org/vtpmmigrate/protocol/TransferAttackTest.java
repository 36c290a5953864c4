package org.vtpmmigrate.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.protocol.fixtures.Expect;
import org.vtpmmigrate.protocol.fixtures.Faults;
import org.vtpmmigrate.protocol.fixtures.Frames;
import org.vtpmmigrate.protocol.fixtures.Scenario;
import org.vtpmmigrate.protocol.memory.InMemoryLink;
import org.vtpmmigrate.protocol.memory.InMemoryLink.Direction;
import org.vtpmmigrate.protocol.wire.Commit;
import org.vtpmmigrate.protocol.wire.FrameCodec;
import org.vtpmmigrate.protocol.wire.Limits;
import org.vtpmmigrate.protocol.wire.MessageType;
import org.vtpmmigrate.protocol.wire.RecordType;

/**
 * Attacks on the record stream and the commit: tampered, reordered, replayed, dropped, truncated,
 * oversized records; forged, replayed and unacknowledged commits.
 */
class TransferAttackTest {
    private static final Direction TO_DESTINATION = Direction.SOURCE_TO_DESTINATION;
    private static final Direction TO_SOURCE = Direction.DESTINATION_TO_SOURCE;
    private static final int RECORD = Limits.MAX_RECORD_PAYLOAD;
    /** Offset of the ciphertext in a DATA_RECORD frame. */
    private static final int SEALED_AT = FrameCodec.HEADER_LENGTH + Limits.DATA_RECORD_PREFIX;

    private final Scenario s = new Scenario();
    private final byte[] stream = Scenario.stream(6 * RECORD + 100, 7);

    private InMemoryLink run(InMemoryLink.FaultInjector faults) {
        return s.link(faults).migrate(stream);
    }

    /** The destination delivered exactly the first {@code records} records and nothing after them. */
    private void deliveredOnly(InMemoryLink link, int records) {
        assertArrayEquals(Arrays.copyOf(stream, records * RECORD), link.received(RecordType.MIGRATION_STREAM));
    }

    private static InMemoryLink.FaultInjector onRecord(int nth, java.util.function.Function<byte[], List<byte[]>> a) {
        return Faults.onNth(TO_DESTINATION, MessageType.DATA_RECORD, nth, a);
    }

    @Test
    void aTamperedRecordEndsTheRunAndTheSourceStops() {
        InMemoryLink link = run(onRecord(3, f -> List.of(Frames.flip(f, SEALED_AT + 1000))));
        Expect.failed(link.destination(), FailureReason.RECORD_AUTHENTICATION_FAILED, "record 3");
        Expect.abortedByPeer(link.source(), FailureReason.RECORD_AUTHENTICATION_FAILED);
        deliveredOnly(link, 3);
        assertTrue(link.source().streamSummary().isEmpty(), "the source stopped streaming");
    }

    @Test
    void aTamperedTagOrRecordTypeFailsAuthentication() {
        InMemoryLink tag = run(onRecord(0, f -> List.of(Frames.flip(f, f.length - 1))));
        Expect.failed(tag.destination(), FailureReason.RECORD_AUTHENTICATION_FAILED, "record 0");
        // the record type is in the associated data: relabelling VM memory as vTPM state is caught
        InMemoryLink type = run(onRecord(1, f -> {
            byte[] g = f.clone();
            g[FrameCodec.HEADER_LENGTH + 8] = (byte) RecordType.VTPM_STATE.code();
            return List.of(g);
        }));
        Expect.failed(type.destination(), FailureReason.RECORD_AUTHENTICATION_FAILED, "VTPM_STATE");
        deliveredOnly(type, 1);
    }

    @Test
    void reorderedRecordsAreRefused() {
        InMemoryLink link = run(Faults.swapWithNext(TO_DESTINATION, MessageType.DATA_RECORD, 2));
        Expect.failed(link.destination(), FailureReason.RECORD_OUT_OF_SEQUENCE, "expected record 2, received record 3");
        deliveredOnly(link, 2);
    }

    @Test
    void aReplayedRecordIsRefused() {
        InMemoryLink link = run(onRecord(2, f -> List.of(f, f)));
        Expect.failed(link.destination(), FailureReason.RECORD_REPLAYED, "sequence number 2 arrived again");
        deliveredOnly(link, 3);
    }

    @Test
    void aDroppedRecordIsRefused() {
        InMemoryLink link = run(onRecord(4, f -> List.of()));
        Expect.failed(link.destination(), FailureReason.RECORD_OUT_OF_SEQUENCE, "1 record dropped or reordered");
        deliveredOnly(link, 4);
    }

    @Test
    void droppedTailRecordsAreCaughtByTheEndOfStreamRecord() {
        InMemoryLink link = s.link(Faults.onNth(TO_DESTINATION, MessageType.DATA_RECORD, 6, f -> List.of()));
        link.migrate(stream);
        Expect.failed(link.destination(), FailureReason.RECORD_OUT_OF_SEQUENCE,
                "expected record 6, received end-of-stream record 7");
    }

    @Test
    void aStreamCutBeforeItsEndIsTruncated() {
        InMemoryLink link = s.link(Faults.onNth(TO_DESTINATION, MessageType.END_OF_STREAM, 0, f -> List.of()));
        link.migrate(stream);
        assertEquals(SessionState.RECEIVING, link.destination().state(), "no end, no commit");
        link.closeConnection();
        Expect.failed(link.destination(), FailureReason.STREAM_TRUNCATED, "after 7 records");
        Expect.failed(link.source(), FailureReason.CONNECTION_LOST, "AWAIT_COMMIT");
    }

    @Test
    void aRecordShortenedConsistentlyFailsAuthenticationAndACutFrameIsTruncated() {
        InMemoryLink shortened = run(onRecord(1, f -> {
            byte[] g = Arrays.copyOf(f, f.length - 100);
            ByteBuffer.wrap(g).putInt(8, g.length - FrameCodec.HEADER_LENGTH)
                    .putInt(FrameCodec.HEADER_LENGTH + 9, g.length - SEALED_AT);
            return List.of(g);
        }));
        Expect.failed(shortened.destination(), FailureReason.RECORD_AUTHENTICATION_FAILED, "record 1");

        InMemoryLink cut = run(onRecord(1, f -> List.of(Arrays.copyOf(f, f.length / 2))));
        Expect.failed(cut.destination(), FailureReason.RECORD_TRUNCATED, "DATA_RECORD frame ends after");
    }

    @Test
    void anOversizedRecordIsRefusedFromItsHeader() {
        InMemoryLink link = run(onRecord(0, f -> List.of(Frames.withLength(f, Limits.MAX_DATA_RECORD_BODY + 1))));
        Expect.failed(link.destination(), FailureReason.RECORD_OVERSIZED, "exceeds the limit of "
                + Limits.MAX_DATA_RECORD_BODY);
    }

    @Test
    void recordsReplayedFromAnotherRunDoNotOpen() {
        List<Faults.Captured> captured = new ArrayList<>();
        s.link(Faults.recording(captured)).migrate(stream);
        byte[] oldRecord = Faults.first(captured, TO_DESTINATION, MessageType.DATA_RECORD);
        InMemoryLink link = run(onRecord(0, f -> List.of(oldRecord)));
        Expect.failed(link.destination(), FailureReason.RECORD_AUTHENTICATION_FAILED, "another session's key");
        deliveredOnly(link, 0);
    }

    @Test
    void aTamperedEndOfStreamRecordIsRefused() {
        InMemoryLink link = run(Faults.replaceFirst(TO_DESTINATION, MessageType.END_OF_STREAM,
                f -> Frames.flip(f, f.length - 20)));
        Expect.failed(link.destination(), FailureReason.RECORD_AUTHENTICATION_FAILED, "end-of-stream record");
        assertFalse(link.source().committed());
    }

    @Test
    void aCommitWithAForgedSignatureIsRejectedAndTheSourceKeepsItsVm() {
        InMemoryLink link = run(Faults.replaceFirst(TO_SOURCE, MessageType.COMMIT, f -> Frames.flip(f, f.length - 3)));
        Expect.failed(link.source(), FailureReason.COMMIT_REJECTED, "[SIGNATURE]");
        Failure d = Expect.abortedByPeer(link.destination(), FailureReason.COMMIT_REJECTED);
        assertEquals(SessionState.AWAIT_COMMIT_ACK, d.state());
        assertFalse(link.destination().commitInDoubt(), "the source said no: the destination discards");
    }

    @Test
    void aCommitClaimingAnotherStreamIsRejected() {
        InMemoryLink link = run(Faults.replaceFirst(TO_SOURCE, MessageType.COMMIT, f -> Frames.<Commit>rewrite(f,
                c -> new Commit(c.recordCount() - 1, c.payloadBytes(), c.streamDigest(), c.signature()))));
        Expect.failed(link.source(), FailureReason.COMMIT_REJECTED, "commits to 6 records", "source sent 7 records");
    }

    @Test
    void aCommitReplayedFromAnotherRunIsRejected() {
        List<Faults.Captured> captured = new ArrayList<>();
        s.link(Faults.recording(captured)).migrate(stream);
        byte[] oldCommit = Faults.first(captured, TO_SOURCE, MessageType.COMMIT);
        InMemoryLink link = run(Faults.replaceFirst(TO_SOURCE, MessageType.COMMIT, f -> oldCommit));
        // same stream content, other session keys: the digest differs already
        Expect.failed(link.source(), FailureReason.COMMIT_REJECTED);
    }

    @Test
    void aForgedAcknowledgementLeavesTheDestinationInDoubtNotDiscarding() {
        InMemoryLink link = run(Faults.replaceFirst(TO_DESTINATION, MessageType.COMMIT_ACK,
                f -> Frames.flip(f, f.length - 1)));
        assertTrue(link.source().committed(), "the source accepted a valid commit");
        Expect.failed(link.destination(), FailureReason.COMMIT_ACK_INVALID);
        assertTrue(link.destination().commitInDoubt(), "the destination must keep the state: the source may be gone");
    }

    @Test
    void aForgedAbortCannotHideALostAcknowledgement() {
        // the attacker drops the acknowledgement and tells the destination "the source said no"
        InMemoryLink link = run(Faults.onNth(TO_DESTINATION, MessageType.COMMIT_ACK, 0, f -> List.of(
                FrameCodec.encode(new org.vtpmmigrate.protocol.wire.Abort(FailureReason.COMMIT_REJECTED.code(),
                        "commit signature rejected")))));
        assertTrue(link.source().committed());
        Expect.failed(link.destination(), FailureReason.PEER_ABORTED, "(unauthenticated)");
        assertTrue(link.destination().commitInDoubt(), "an unauthenticated no is not a definite answer");
    }

    @Test
    void abortsAfterKeyConfirmationCarryAMacAndBeforeItNone() {
        InMemoryLink early = s.link(InMemoryLink.FaultInjector.NONE);
        early.source().start();
        Outcome before = early.source().fail(FailureReason.CANCELLED, "operator");
        assertTrue(((org.vtpmmigrate.protocol.wire.Abort) before.messages().get(0)).mac().isEmpty());

        InMemoryLink late = s.link(InMemoryLink.FaultInjector.NONE).start();
        Outcome after = late.source().fail(FailureReason.CANCELLED, "operator");
        assertEquals(32, ((org.vtpmmigrate.protocol.wire.Abort) after.messages().get(0)).mac().length());
    }

    @Test
    void recordsAreOnlySealedAfterTheHandshake() {
        SourceSession source = s.newSource();
        ByteBuffer frame = ByteBuffer.allocate(70_000);
        assertThrows(IllegalStateException.class,
                () -> source.sealRecord(RecordType.MIGRATION_STREAM, ByteBuffer.allocate(10), frame));
        source.start();
        source.fail(FailureReason.CANCELLED, "operator cancelled");
        ProtocolFailureException e = assertThrows(ProtocolFailureException.class,
                () -> source.sealRecord(RecordType.MIGRATION_STREAM, ByteBuffer.allocate(10), frame));
        assertEquals(FailureReason.CANCELLED, e.failure().reason());
    }
}
