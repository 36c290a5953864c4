package org.vtpmmigrate.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.protocol.fixtures.Expect;
import org.vtpmmigrate.protocol.fixtures.Faults;
import org.vtpmmigrate.protocol.fixtures.Frames;
import org.vtpmmigrate.protocol.fixtures.Scenario;
import org.vtpmmigrate.protocol.memory.InMemoryLink;
import org.vtpmmigrate.protocol.memory.InMemoryLink.Direction;
import org.vtpmmigrate.protocol.wire.Abort;
import org.vtpmmigrate.protocol.wire.MessageType;

/** Malformed, truncated, oversized, unknown-version and unknown-type frames from a peer. */
class FramingAttackTest {
    private final Scenario s = new Scenario();

    private InMemoryLink requestReplacedBy(java.util.function.Function<byte[], byte[]> change) {
        return s.link(Faults.replaceFirst(Direction.SOURCE_TO_DESTINATION, MessageType.MIGRATION_REQUEST, change))
                .start();
    }

    @Test
    void anUnknownVersionIsRefusedByNameAndTheSourceLearnsWhy() {
        InMemoryLink link = requestReplacedBy(f -> Frames.withU16(f, 4, 3));
        Expect.failed(link.destination(), FailureReason.UNSUPPORTED_VERSION,
                "unsupported protocol version 3 (supported: 1)");
        Failure f = Expect.abortedByPeer(link.source(), FailureReason.UNSUPPORTED_VERSION);
        assertTrue(f.detail().contains("unsupported protocol version 3"), f.detail());
        assertEquals(0, s.destinationHost.quotes());
    }

    @Test
    void anUnknownTypeIsRefusedByCode() {
        InMemoryLink link = requestReplacedBy(f -> Frames.withU16(f, 6, 0x0042));
        Expect.failed(link.destination(), FailureReason.UNKNOWN_MESSAGE_TYPE, "unknown message type 0x0042");
    }

    @Test
    void anOversizedFrameIsRefusedFromItsHeader() {
        InMemoryLink link = requestReplacedBy(f -> Frames.withLength(Arrays.copyOf(f, 12), 2L << 20));
        Expect.failed(link.destination(), FailureReason.OVERSIZED_MESSAGE,
                "MIGRATION_REQUEST body of 2097152 bytes exceeds the limit of 4096");
    }

    @Test
    void aTruncatedFrameIsRefused() {
        InMemoryLink link = s.link(Faults.replaceFirst(Direction.DESTINATION_TO_SOURCE,
                MessageType.ATTESTATION_EVIDENCE, f -> Arrays.copyOf(f, f.length / 2))).start();
        Expect.failed(link.source(), FailureReason.TRUNCATED_MESSAGE, "ATTESTATION_EVIDENCE frame ends after");
    }

    @Test
    void aMalformedFieldIsRefusedWithFieldAndOffset() {
        // the vmId length prefix claims more than the body holds
        InMemoryLink link = requestReplacedBy(f -> {
            byte[] g = f.clone();
            g[12 + 4 + 16] = (byte) 0x7F;
            return g;
        });
        Expect.failed(link.destination(), FailureReason.MALFORMED_MESSAGE, "MIGRATION_REQUEST.vmId at offset 32");
    }

    @Test
    void garbageInsteadOfAFrameIsRefused() {
        InMemoryLink link = requestReplacedBy(f -> "GET / HTTP/1.1\r\n\r\n".getBytes());
        Expect.failed(link.destination(), FailureReason.MALFORMED_MESSAGE, "not a vTPM Migrate frame");
    }

    @Test
    void anAbortWithAnUnknownReasonStillEndsTheRun() {
        InMemoryLink link = s.link(Faults.dropAll(Direction.DESTINATION_TO_SOURCE)).start();
        link.inject(Direction.DESTINATION_TO_SOURCE, org.vtpmmigrate.protocol.wire.FrameCodec.encode(
                new Abort(0x7777, "from a newer peer")));
        Failure f = Expect.failed(link.source(), FailureReason.PEER_ABORTED, "unknown reason 0x7777",
                "from a newer peer");
        assertTrue(f.peerReason().isEmpty());
    }
}
