package org.vtpmmigrate.tpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vtpmmigrate.testsupport.SwtpmProcess;
import org.vtpmmigrate.tpm.internal.DefaultTpmConnector;

/** Connectors, timeouts and size bounds: every transport failure is typed and says where. */
class TransportTest {

    private static final TpmTransportOptions QUICK =
            new TpmTransportOptions(Duration.ofMillis(500), Duration.ofMillis(300), 4096);
    private static final PcrSelection PCR0 = PcrSelection.of(PcrBank.SHA256, 0);

    @Test
    void closedPortIsATransportFailureNamingTheEndpoint() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = probe.getLocalPort();
        }
        TpmEndpoint endpoint = TpmEndpoint.swtpm("127.0.0.1", port);
        TpmException failure = assertThrows(TpmException.class, () -> TpmConnector.of(endpoint, QUICK).connect());
        assertEquals(TpmException.Kind.TRANSPORT, failure.kind());
        assertTrue(failure.getMessage().startsWith("connecting to " + endpoint), failure.getMessage());
        // The failed attempt gave the connection permit back.
        TpmException again = assertThrows(TpmException.class, () -> TpmConnector.of(endpoint, QUICK).connect());
        assertTrue(again.getMessage().contains("Connection refused"), again.getMessage());
    }

    @Test
    void silentPeerTimesOutAndTheConnectionIsThenUnusable() throws Exception {
        try (ScriptedTpmPeer peer = new ScriptedTpmPeer(ScriptedTpmPeer.staysSilent());
                TpmConnection tpm = TpmConnector.of(peer.endpoint(), QUICK).connect()) {
            TpmException timeout = assertThrows(TpmException.class, () -> tpm.readPcrs(PCR0));
            assertEquals(TpmException.Kind.TRANSPORT, timeout.kind());
            assertTrue(timeout.getMessage().contains("no response from swtpm at " + peer.endpoint().host()),
                    timeout.getMessage());
            assertTrue(timeout.getMessage().contains("within 300 ms"), timeout.getMessage());
            assertTrue(timeout.getMessage().startsWith("PCR_Read of sha256:0"), timeout.getMessage());

            TpmException afterwards = assertThrows(TpmException.class, () -> tpm.readPcrs(PCR0));
            assertTrue(afterwards.getMessage().contains("unusable after an earlier failure"), afterwards.getMessage());
        }
    }

    @Test
    void oversizedResponseIsRefusedBeforeReadingIt() throws Exception {
        byte[] header = {(byte) 0x80, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}; // 1 MiB announced
        try (ScriptedTpmPeer peer = new ScriptedTpmPeer(ScriptedTpmPeer.sends(header));
                TpmConnection tpm = TpmConnector.of(peer.endpoint(), QUICK).connect()) {
            TpmException failure = assertThrows(TpmException.class, () -> tpm.readPcrs(PCR0));
            assertEquals(TpmException.Kind.MALFORMED_RESPONSE, failure.kind());
            assertTrue(failure.getMessage().contains("announced a response of 1048576 bytes"), failure.getMessage());
            assertTrue(failure.getMessage().contains("accepted are 10 to 4096"), failure.getMessage());
        }
    }

    @Test
    void responseShorterThanItsHeaderIsRefused() throws Exception {
        byte[] header = {(byte) 0x80, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00};
        try (ScriptedTpmPeer peer = new ScriptedTpmPeer(ScriptedTpmPeer.sends(header));
                TpmConnection tpm = TpmConnector.of(peer.endpoint(), QUICK).connect()) {
            TpmException failure = assertThrows(TpmException.class, () -> tpm.readPcrs(PCR0));
            assertEquals(TpmException.Kind.MALFORMED_RESPONSE, failure.kind());
            assertTrue(failure.getMessage().contains("announced a response of 4 bytes"), failure.getMessage());
        }
    }

    @Test
    void hangUpMidResponseIsATransportFailure() throws Exception {
        byte[] partial = {(byte) 0x80, 0x01, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02};
        ScriptedTpmPeer.Script hangUp = out -> {
            out.write(partial);
            out.flush();
            out.close();
        };
        try (ScriptedTpmPeer peer = new ScriptedTpmPeer(hangUp);
                TpmConnection tpm = TpmConnector.of(peer.endpoint(), QUICK).connect()) {
            TpmException failure = assertThrows(TpmException.class, () -> tpm.readPcrs(PCR0));
            assertEquals(TpmException.Kind.TRANSPORT, failure.kind());
            assertTrue(failure.getMessage().contains("closed the connection after 12 of 64 response bytes"),
                    failure.getMessage());
        }
    }

    @Test
    void truncatedResponseBodyIsMalformed() throws Exception {
        // A well-framed success answer to PCR_Read that ends inside its parameters.
        byte[] truncated = {(byte) 0x80, 0x01, 0x00, 0x00, 0x00, 0x0E, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01};
        try (ScriptedTpmPeer peer = new ScriptedTpmPeer(ScriptedTpmPeer.sends(truncated));
                TpmConnection tpm = TpmConnector.of(peer.endpoint(), QUICK).connect()) {
            TpmException failure = assertThrows(TpmException.class, () -> tpm.readPcrs(PCR0));
            assertEquals(TpmException.Kind.MALFORMED_RESPONSE, failure.kind(), failure.getMessage());
            assertTrue(failure.getMessage().startsWith("PCR_Read of sha256:0"), failure.getMessage());
            assertTrue(failure.getMessage().contains("pcrSelectionOut.count needs 4 bytes at offset 14"),
                    failure.getMessage());
        }
    }

    @Test
    void pcrValueCountDisagreeingWithTheSelectionIsMalformed() throws Exception {
        // PCR_Read success: counter 1, bank sha256 with PCRs 0 and 1 selected, but one digest only.
        byte[] answer = new byte[10 + 4 + 10 + 4 + 34];
        byte[] fixed = {(byte) 0x80, 0x01, 0x00, 0x00, 0x00, (byte) answer.length, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x01,
            0x00, 0x00, 0x00, 0x01, 0x00, 0x0B, 0x03, 0x03, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x01, 0x00, 0x20};
        System.arraycopy(fixed, 0, answer, 0, fixed.length);
        try (ScriptedTpmPeer peer = new ScriptedTpmPeer(ScriptedTpmPeer.sends(answer));
                TpmConnection tpm = TpmConnector.of(peer.endpoint(), QUICK).connect()) {
            TpmException failure = assertThrows(TpmException.class,
                    () -> tpm.readPcrs(PcrSelection.of(PcrBank.SHA256, 0, 1)));
            assertEquals(TpmException.Kind.MALFORMED_RESPONSE, failure.kind(), failure.getMessage());
            assertTrue(failure.getMessage().contains("1 values for 2 selected PCRs"), failure.getMessage());
        }
    }

    @Test
    void secondConnectionToOneSwtpmWaitsForTheFirstToClose() throws Exception {
        try (SwtpmProcess swtpm = SwtpmProcess.start()) {
            TpmConnector connector = TpmConnector.of(TpmEndpoint.parse(swtpm.endpointSpec()), QUICK);
            try (TpmConnection first = connector.connect()) {
                TpmException failure = assertThrows(TpmException.class, connector::connect);
                assertEquals(TpmException.Kind.TRANSPORT, failure.kind());
                assertTrue(failure.getMessage().contains("one connection at a time"), failure.getMessage());
                assertEquals(1, first.readPcrs(PCR0).valuesInSelectionOrder().size());
            }
            try (TpmConnection second = connector.connect()) {
                assertEquals(1, second.readPcrs(PCR0).valuesInSelectionOrder().size());
            }
        }
    }

    @Test
    void closedConnectionRefusesUse() throws Exception {
        try (SwtpmProcess swtpm = SwtpmProcess.start()) {
            TpmConnection tpm = TpmConnector.of(TpmEndpoint.parse(swtpm.endpointSpec())).connect();
            tpm.close();
            tpm.close();
            IllegalStateException failure = assertThrows(IllegalStateException.class, () -> tpm.readPcrs(PCR0));
            assertTrue(failure.getMessage().contains("closed"), failure.getMessage());
        }
    }

    @Test
    void missingDeviceAndNonDeviceFileAreTransportFailures(@TempDir Path dir) throws Exception {
        TpmEndpoint missing = TpmEndpoint.device(dir.resolve("tpmrm9"));
        TpmException absent = assertThrows(TpmException.class, () -> TpmConnector.of(missing).connect());
        assertEquals(TpmException.Kind.TRANSPORT, absent.kind());
        assertTrue(absent.getMessage().contains("does not exist"), absent.getMessage());

        Path regularFile = Files.writeString(dir.resolve("not-a-tpm"), "x");
        TpmException notDevice = assertThrows(TpmException.class,
                () -> TpmConnector.of(TpmEndpoint.device(regularFile)).connect());
        assertTrue(notDevice.getMessage().contains("is not a character device"), notDevice.getMessage());
    }

    @Test
    void connectorTakesItsConfigurationFromProperties() {
        DefaultTpmConnector connector = new DefaultTpmConnector();
        assertEquals(TpmEndpoint.parse("device:/dev/tpmrm0"), connector.endpoint());

        connector.configure(Map.of("endpoint", "swtpm:127.0.0.1:2321", "responseTimeoutMillis", "2500",
                "maxResponseBytes", 8192, "component.id", 7L));
        assertEquals(TpmEndpoint.swtpm("127.0.0.1", 2321), connector.endpoint());
        assertEquals(Duration.ofMillis(2500), connector.options().responseTimeout());
        assertEquals(8192, connector.options().maxResponseBytes());
        assertEquals(TpmTransportOptions.DEFAULTS.connectTimeout(), connector.options().connectTimeout());
    }

    @Test
    void badConnectorPropertiesNameTheProperty() {
        DefaultTpmConnector connector = new DefaultTpmConnector();
        IllegalArgumentException endpoint = assertThrows(IllegalArgumentException.class,
                () -> connector.configure(Map.of("endpoint", "swtpm:localhost")));
        assertTrue(endpoint.getMessage().startsWith("Property 'endpoint'"), endpoint.getMessage());
        IllegalArgumentException number = assertThrows(IllegalArgumentException.class,
                () -> connector.configure(Map.of("connectTimeoutMillis", "soon")));
        assertTrue(number.getMessage().contains("'connectTimeoutMillis'"), number.getMessage());
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> connector.configure(Map.of("maxResponseBytes", 10)));
        assertTrue(range.getMessage().contains("outside 64.."), range.getMessage());
        assertEquals(TpmEndpoint.parse("device"), connector.endpoint(), "a refused configuration changes nothing");
    }
}
