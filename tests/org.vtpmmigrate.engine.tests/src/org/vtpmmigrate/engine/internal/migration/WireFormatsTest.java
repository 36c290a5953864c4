package org.vtpmmigrate.engine.internal.migration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.protocol.FailureReason;
import org.vtpmmigrate.protocol.Verdict;
import org.vtpmmigrate.protocol.VerificationCheck;
import org.vtpmmigrate.protocol.VerificationFailure;
import org.vtpmmigrate.tpm.EkType;

/**
 * The engine's own encodings, strictly bounded: the connection preface and enrolment messages, and
 * the peer's verdict read back from an Abort.
 */
class WireFormatsTest {
    private static PeerWire.Message message(byte[] bytes) throws Exception {
        return PeerWire.read(new ByteArrayInputStream(bytes));
    }

    @Test
    void aPrefaceRoundTripsAndEveryBadFieldIsNamed() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PeerWire.writePreface(out, new PeerWire.Preface(PeerWire.Purpose.MIGRATION, "host-a"));
        byte[] good = out.toByteArray();
        assertEquals(new PeerWire.Preface(PeerWire.Purpose.MIGRATION, "host-a"),
                PeerWire.readPreface(new ByteArrayInputStream(good)));

        byte[] magic = good.clone();
        magic[0] = 'X';
        assertTrue(assertThrows(PeerWire.MalformedPeerMessageException.class,
                () -> PeerWire.readPreface(new ByteArrayInputStream(magic))).getMessage().contains("offset 0: magic"));
        byte[] purpose = good.clone();
        purpose[5] = 9;
        assertTrue(assertThrows(PeerWire.MalformedPeerMessageException.class,
                () -> PeerWire.readPreface(new ByteArrayInputStream(purpose))).getMessage().contains("purpose 9"));
        byte[] hostId = good.clone();
        hostId[7] = ' ';
        assertTrue(assertThrows(PeerWire.MalformedPeerMessageException.class,
                () -> PeerWire.readPreface(new ByteArrayInputStream(hostId))).getMessage().contains("host id"));
        assertThrows(EOFException.class, () -> PeerWire.readPreface(new ByteArrayInputStream(new byte[] {0x56, 0x54})));
    }

    @Test
    void enrolmentMessagesRoundTripAndRefuseOversizedOrTrailingBytes() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PeerWire.Identity identity = new PeerWire.Identity("host-b", EkType.RSA_2048, new byte[] {1, 2},
                new byte[0], new byte[] {3});
        PeerWire.writeIdentity(out, identity);
        PeerWire.Identity back = PeerWire.readIdentity(message(out.toByteArray()));
        assertEquals("host-b", back.hostId());
        assertEquals(EkType.RSA_2048, back.ekType());
        assertArrayEquals(new byte[] {1, 2}, back.ekPublic());
        assertArrayEquals(new byte[] {3}, back.akPublic());

        byte[] oversized = ByteBuffer.allocate(5).put((byte) 1).putInt(PeerWire.MAX_BODY + 1).array();
        assertTrue(assertThrows(PeerWire.MalformedPeerMessageException.class, () -> message(oversized)).getMessage()
                .contains("exceeds"));

        byte[] trailing = out.toByteArray();
        byte[] withTrailing = ByteBuffer.allocate(trailing.length + 1).put((byte) 1).putInt(trailing.length - 5 + 1)
                .put(trailing, 5, trailing.length - 5).put((byte) 0).array();
        assertTrue(assertThrows(PeerWire.MalformedPeerMessageException.class,
                () -> PeerWire.readIdentity(message(withTrailing))).getMessage().contains("unexpected bytes"));

        byte[] secret = ByteBuffer.allocate(5 + 2 + 65).put((byte) 3).putInt(67).putShort((short) 65).put(new byte[65])
                .array();
        assertTrue(assertThrows(PeerWire.MalformedPeerMessageException.class,
                () -> PeerWire.readResponse(message(secret))).getMessage().contains("secret of 65 bytes"));
    }

    @Test
    void aPeersVerdictIsReadBackFromItsAbortDetail() {
        Verdict verdict = new Verdict(List.of(
                new VerificationFailure(VerificationCheck.POLICY, "PCR sha256:4 is ab; x"),
                new VerificationFailure(VerificationCheck.LAUNCH_MEASUREMENT, "measurement configuration=sha256:cd")));
        String abortDetail = "peer aborted with PEER_ATTESTATION_REJECTED: source evidence rejected: "
                + verdict.describe();
        assertEquals(verdict.failures(), RunOutcomes.parse(abortDetail, FailureReason.PEER_ATTESTATION_REJECTED));
        assertEquals(List.of(new VerificationFailure(VerificationCheck.NONCE, "no checks named")),
                RunOutcomes.parse("no checks named", FailureReason.STALE_EVIDENCE));
    }
}
