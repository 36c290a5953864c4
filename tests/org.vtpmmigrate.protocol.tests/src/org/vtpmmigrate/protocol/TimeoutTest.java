package org.vtpmmigrate.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.protocol.fixtures.Expect;
import org.vtpmmigrate.protocol.fixtures.Faults;
import org.vtpmmigrate.protocol.fixtures.Scenario;
import org.vtpmmigrate.protocol.memory.InMemoryLink;
import org.vtpmmigrate.protocol.memory.InMemoryLink.Direction;
import org.vtpmmigrate.protocol.wire.MessageType;
import org.vtpmmigrate.protocol.wire.RecordType;

/** Stalled peers, detected through the injected clock; nothing here sleeps. */
class TimeoutTest {
    private final Scenario s = new Scenario();

    @Test
    void aStalledDestinationTimesOutTheHandshakeOnlyAfterTheDeadline() {
        InMemoryLink link = s.link(Faults.dropAll(Direction.DESTINATION_TO_SOURCE)).start();
        assertEquals(SessionState.AWAIT_ACCEPT, link.source().state());
        assertEquals(s.clock.instant().plus(Timeouts.DEFAULT.attestation()), link.source().deadline().orElseThrow());

        s.clock.advance(Duration.ofSeconds(29));
        link.expireDeadlines();
        assertEquals(SessionState.AWAIT_ACCEPT, link.source().state(), "not yet");

        s.clock.advance(Duration.ofSeconds(1));
        link.expireDeadlines();
        Expect.failed(link.source(), FailureReason.TIMEOUT, "within 30 s in state AWAIT_ACCEPT",
                "waiting for MIGRATION_ACCEPT");
        Expect.failed(link.destination(), FailureReason.TIMEOUT, "AWAIT_PEER_EVIDENCE");
    }

    @Test
    void aTimerForAnotherPhaseIsIgnored() {
        InMemoryLink link = s.link(Faults.dropAll(Direction.DESTINATION_TO_SOURCE)).start();
        s.clock.advance(Duration.ofMinutes(5));
        Outcome stale = link.source().onTimeout(Phase.TRANSFER);
        assertEquals(SessionState.AWAIT_ACCEPT, stale.state());
        assertTrue(stale.messages().isEmpty() && stale.failure().isEmpty());
        assertEquals(FailureReason.TIMEOUT,
                link.source().onTimeout(Phase.REQUEST).failure().orElseThrow().reason());
    }

    @Test
    void recordsKeepTheTransferAliveAndSilenceEndsIt() {
        s.timeouts = new Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(60));
        InMemoryLink link = s.link(InMemoryLink.FaultInjector.NONE).start();
        for (int i = 0; i < 5; i++) {
            s.clock.advance(Duration.ofSeconds(9));
            link.transfer(RecordType.MIGRATION_STREAM, new byte[1000]).expireDeadlines();
        }
        assertEquals(SessionState.RECEIVING, link.destination().state(), "45 s of transfer, never 10 s idle");

        s.clock.advance(Duration.ofSeconds(10));
        link.expireDeadlines();
        Expect.failed(link.destination(), FailureReason.TIMEOUT, "RECEIVING");
        Expect.failed(link.source(), FailureReason.TIMEOUT, "TRANSFERRING");
        assertEquals(5000, link.received(RecordType.MIGRATION_STREAM).length);
    }

    @Test
    void aDestinationThatNeverCommitsLetsTheSourceResume() {
        InMemoryLink link = s.link(InMemoryLink.FaultInjector.NONE).start().endTransfer();
        assertEquals(SessionState.AWAIT_COMMIT, link.source().state());
        s.clock.advance(Duration.ofSeconds(60));
        link.expireDeadlines();
        Expect.failed(link.source(), FailureReason.TIMEOUT, "AWAIT_COMMIT");
        Expect.failed(link.destination(), FailureReason.TIMEOUT, "STREAM_RECEIVED");
        assertFalse(link.destination().commitInDoubt(), "no commit was sent");
    }

    @Test
    void aLostAcknowledgementLeavesTheDestinationInDoubt() {
        InMemoryLink link = s.link(
                Faults.onNth(Direction.SOURCE_TO_DESTINATION, MessageType.COMMIT_ACK, 0, f -> java.util.List.of()));
        link.migrate(new byte[100]);
        assertTrue(link.source().committed());
        assertEquals(SessionState.AWAIT_COMMIT_ACK, link.destination().state());
        s.clock.advance(Duration.ofSeconds(61));
        link.expireDeadlines();
        Expect.failed(link.destination(), FailureReason.TIMEOUT, "AWAIT_COMMIT_ACK");
        assertTrue(link.destination().commitInDoubt());
        assertTrue(link.source().committed(), "a committed source ignores later input");
    }
}
