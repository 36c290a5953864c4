package org.vtpmmigrate.protocol.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.protocol.CipherSuite;
import org.vtpmmigrate.protocol.Outcome;
import org.vtpmmigrate.protocol.SessionState;
import org.vtpmmigrate.protocol.fixtures.Scenario;
import org.vtpmmigrate.protocol.memory.InMemoryLink;
import org.vtpmmigrate.protocol.wire.MessageType;
import org.vtpmmigrate.protocol.wire.RecordType;

class HandshakeTest {

    @Test
    void fullMigrationCommitsWithEqualKeysTranscriptsAndStream() {
        Scenario s = new Scenario();
        InMemoryLink link = s.link(InMemoryLink.FaultInjector.NONE).start();
        SourceStateMachine source = (SourceStateMachine) link.source();
        DestinationStateMachine destination = (DestinationStateMachine) link.destination();

        assertEquals(SessionState.TRANSFERRING, source.state());
        assertEquals(SessionState.RECEIVING, destination.state());
        SessionKeys a = source.keys();
        SessionKeys b = destination.keys();
        assertArrayEquals(a.sourceToDestination.getEncoded(), b.sourceToDestination.getEncoded());
        assertArrayEquals(a.destinationToSource.getEncoded(), b.destinationToSource.getEncoded());
        assertArrayEquals(a.sourceConfirmKey, b.sourceConfirmKey);
        assertArrayEquals(a.destinationConfirmKey, b.destinationConfirmKey);
        assertEquals(32, a.sourceToDestination.getEncoded().length, "AES-256 record key");
        assertFalse(java.util.Arrays.equals(a.sourceToDestination.getEncoded(), a.destinationToSource.getEncoded()),
                "directional keys differ");
        assertEquals(source.handshakeHash(), destination.handshakeHash());
        assertEquals(10, source.transcript.frames(), "ten handshake frames");
        assertEquals(10, destination.transcript.frames());

        // progress and verdict are separate: both verdicts are in, the run is not yet a success
        assertTrue(source.peerVerdict().orElseThrow().accepted());
        assertTrue(destination.peerVerdict().orElseThrow().accepted());
        assertFalse(source.committed());
        assertEquals(0, s.destinationHost.loadedBoundKeys(), "the bound key is flushed right after ZGen");

        byte[] stream = Scenario.stream(1_000_003, 1);
        link.transfer(RecordType.MIGRATION_STREAM, stream).endTransfer();
        assertEquals(SessionState.AWAIT_COMMIT, source.state());
        assertEquals(SessionState.STREAM_RECEIVED, destination.state());
        link.commit();

        assertTrue(source.committed());
        assertTrue(destination.committed());
        assertFalse(destination.commitInDoubt());
        assertArrayEquals(stream, link.received(RecordType.MIGRATION_STREAM));
        assertEquals(source.streamSummary().orElseThrow(), destination.streamSummary().orElseThrow());
        assertEquals(16, source.streamSummary().orElseThrow().records(), "1,000,003 bytes in 64 KiB records");
        assertTrue(source.deadline().isEmpty() && destination.deadline().isEmpty(), "no deadline after the run");
    }

    @Test
    void handshakeTakesTwoRoundTrips() {
        InMemoryLink link = new Scenario().link(InMemoryLink.FaultInjector.NONE).start();
        List<List<MessageType>> sourceFlights = flights(link.sourceOutcomes());
        List<List<MessageType>> destinationFlights = flights(link.destinationOutcomes());
        assertEquals(List.of(List.of(MessageType.MIGRATION_REQUEST, MessageType.ATTESTATION_CHALLENGE),
                List.of(MessageType.ATTESTATION_EVIDENCE, MessageType.KEY_EXCHANGE, MessageType.KEY_CONFIRM)),
                sourceFlights);
        assertEquals(List.of(List.of(MessageType.MIGRATION_ACCEPT, MessageType.ATTESTATION_EVIDENCE,
                MessageType.ATTESTATION_CHALLENGE, MessageType.BOUND_KEY_OFFER), List.of(MessageType.KEY_CONFIRM)),
                destinationFlights);
    }

    private static List<List<MessageType>> flights(List<Outcome> outcomes) {
        return outcomes.stream().filter(o -> !o.messages().isEmpty())
                .map(o -> o.messages().stream().map(m -> m.type()).toList()).toList();
    }

    @Test
    void everyRunHasFreshKeysAndTranscript() {
        Scenario s = new Scenario();
        InMemoryLink first = s.link(InMemoryLink.FaultInjector.NONE).start();
        InMemoryLink second = s.link(InMemoryLink.FaultInjector.NONE).start();
        SourceStateMachine a = (SourceStateMachine) first.source();
        SourceStateMachine b = (SourceStateMachine) second.source();
        assertNotEquals(a.handshakeHash(), b.handshakeHash());
        assertFalse(java.util.Arrays.equals(a.keys().sourceToDestination.getEncoded(),
                b.keys().sourceToDestination.getEncoded()));
    }

    @Test
    void destinationPicksTheSourcesPreferredSuiteAmongThoseItAllows() {
        Scenario s = new Scenario();
        s.offeredSuites = List.of(CipherSuite.ECDH_P256_HKDF_SHA256_AES_128_GCM,
                CipherSuite.ECDH_P256_HKDF_SHA256_AES_256_GCM);
        s.allowedSuites = List.of(CipherSuite.ECDH_P256_HKDF_SHA256_AES_256_GCM,
                CipherSuite.ECDH_P256_HKDF_SHA256_AES_128_GCM);
        InMemoryLink link = s.link(InMemoryLink.FaultInjector.NONE);
        byte[] stream = Scenario.stream(70_000, 2);
        link.migrate(stream);
        SourceStateMachine source = (SourceStateMachine) link.source();
        assertEquals(CipherSuite.ECDH_P256_HKDF_SHA256_AES_128_GCM, source.suite().orElseThrow());
        assertEquals(16, source.keys().sourceToDestination.getEncoded().length);
        assertTrue(link.destination().committed());
        assertArrayEquals(stream, link.received(RecordType.MIGRATION_STREAM));
    }

    @Test
    void vtpmStateRecordsAreKeptApartFromTheMigrationStream() {
        InMemoryLink link = new Scenario().link(InMemoryLink.FaultInjector.NONE).start();
        byte[] vm = Scenario.stream(100_000, 3);
        byte[] vtpm = Scenario.stream(3000, 4);
        link.transfer(RecordType.MIGRATION_STREAM, vm).transfer(RecordType.VTPM_STATE, vtpm)
                .transfer(RecordType.MIGRATION_STREAM, new byte[0]).endTransfer().commit();
        assertTrue(link.source().committed());
        assertArrayEquals(vm, link.received(RecordType.MIGRATION_STREAM));
        assertArrayEquals(vtpm, link.received(RecordType.VTPM_STATE));
    }

    @Test
    void anEmptyStreamStillCommits() {
        InMemoryLink link = new Scenario().link(InMemoryLink.FaultInjector.NONE).start().endTransfer().commit();
        assertTrue(link.destination().committed());
        assertEquals(0, link.destination().streamSummary().orElseThrow().records());
    }
}
