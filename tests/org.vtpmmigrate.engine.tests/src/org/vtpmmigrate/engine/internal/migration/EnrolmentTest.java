package org.vtpmmigrate.engine.internal.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vtpmmigrate.engine.migration.EnrolledPeer;
import org.vtpmmigrate.engine.migration.EnrolmentException;
import org.vtpmmigrate.engine.migration.PeerAddress;
import org.vtpmmigrate.protocol.PlatformException;
import org.vtpmmigrate.testsupport.SwtpmProcess;
import org.vtpmmigrate.tpm.TpmConnector;
import org.vtpmmigrate.tpm.TpmEndpoint;

/**
 * Enrolment between real engines: the EK certificate must chain to a trusted CA and the AK must be
 * activated by the TPM that owns the certified EK; an impostor presenting a genuine EK certificate
 * with its own AK, or a peer speaking garbage, is refused with the step that failed.
 */
class EnrolmentTest {
    @TempDir
    Path temp;
    private final List<AutoCloseable> open = new java.util.ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void closeAll() throws Exception {
        threads.shutdownNow();
        java.util.Collections.reverse(open);
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        open.add(resource);
        return resource;
    }

    @Test
    void aPeerWithACertifiedEkAndAnActivatedAkIsEnrolledWithThatAk() throws Exception {
        TwoHosts hosts = track(TwoHosts.start(temp));
        EnrolledPeer b = hosts.a.engine.peers().get(0);
        assertEquals("host-b", b.hostId());
        assertEquals(hosts.b.engine.identity().attestationKeyName(), b.attestationKeyName());
        assertEquals(hosts.b.engine.identity().ekCertificateIssuer().orElseThrow(), b.ekCertificateIssuer());
        assertEquals(hosts.b.engine.identity().peerAddress(), b.address());
        // enrolling again replaces the record instead of adding one
        hosts.a.engine.enrol(hosts.b.engine.identity().peerAddress());
        assertEquals(1, hosts.a.engine.peers().size());
    }

    @Test
    void anEkCertificateFromAnUntrustedCaIsRefused() throws Exception {
        SwtpmProcess tpmA = TestHost.platformTpm();
        SwtpmProcess tpmB = TestHost.platformTpm();
        SwtpmProcess stranger = track(TestHost.platformTpm());
        // A trusts only the stranger's CA, not B's
        TestHost a = track(TestHost.start("host-a", temp.resolve("a"), tpmA, List.of(stranger), s -> { }));
        TestHost b = track(TestHost.start("host-b", temp.resolve("b"), tpmB, List.of(tpmA), s -> { }));

        EnrolmentException e = assertThrows(EnrolmentException.class,
                () -> a.engine.enrol(b.engine.identity().peerAddress()));
        assertEquals(EnrolmentException.Reason.EK_CERTIFICATE, e.reason(), e.getMessage());
        // every swtpm's private CA has the same names, so the chain is found by name and fails its signature check
        assertTrue(e.getMessage().contains("INVALID_PATH") || e.getMessage().contains("NO_PATH"), e.getMessage());
        assertTrue(a.engine.peers().isEmpty());
    }

    @Test
    void anImpostorPresentingAGenuineEkCertificateWithItsOwnAkIsRefused() throws Exception {
        TwoHosts hosts = track(TwoHosts.start(temp));
        SwtpmProcess impostorTpm = track(TestHost.platformTpm());
        HostPlatform impostor = track(HostPlatform.open(TpmConnector.of(TpmEndpoint.parse(impostorTpm.endpointSpec())),
                HostPlatform.Settings.defaults()));
        HostPlatform genuine = hosts.b.engine.platform();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Future<String> served = threads.submit(() -> {
                try (Socket socket = server.accept()) {
                    InputStream in = new BufferedInputStream(socket.getInputStream());
                    OutputStream out = socket.getOutputStream();
                    PeerWire.readPreface(in);
                    // B's EK and certificate, the impostor's AK
                    PeerWire.writeIdentity(out, new PeerWire.Identity("host-b", genuine.ekType(),
                            genuine.ekPublic().tpm2bPublic(), genuine.ekCertificate().orElseThrow(),
                            impostor.attestationKeyPublic().tpm2bPublic()));
                    PeerWire.CredentialChallenge challenge = PeerWire.readChallenge(
                            PeerWire.expect(in, PeerWire.MessageType.CREDENTIAL_CHALLENGE));
                    try {
                        PeerWire.writeResponse(out, impostor.activateCredential(challenge.credentialBlob(),
                                challenge.encryptedSecret()));
                        return "activated";
                    } catch (PlatformException e) {
                        PeerWire.writeError(out, e.getMessage());
                        return e.getMessage();
                    }
                }
            });
            EnrolmentException e = assertThrows(EnrolmentException.class,
                    () -> hosts.a.engine.enrol(new PeerAddress("127.0.0.1", server.getLocalPort())));
            assertEquals(EnrolmentException.Reason.CREDENTIAL_ACTIVATION, e.reason(), e.getMessage());
            String impostorSaw = served.get(30, TimeUnit.SECONDS);
            assertTrue(impostorSaw.contains("TPM_RC"), "the impostor's TPM should refuse: " + impostorSaw);
        }
        // A still trusts the genuine B only, with B's own AK
        assertEquals(List.of(HexFormat.of().formatHex(genuine.attestationKeyPublic().name())),
                hosts.a.engine.peers().stream().map(EnrolledPeer::attestationKeyName).toList());
    }

    @Test
    void aPeerThatIsNotAnEngineIsRefusedAsMalformed() throws Exception {
        TwoHosts hosts = track(TwoHosts.start(temp));
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            threads.submit(() -> {
                try (Socket socket = server.accept()) {
                    socket.getOutputStream()
                            .write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    socket.getInputStream().readAllBytes();
                }
                return null;
            });
            EnrolmentException e = assertThrows(EnrolmentException.class,
                    () -> hosts.a.engine.enrol(new PeerAddress("127.0.0.1", server.getLocalPort())));
            assertEquals(EnrolmentException.Reason.MALFORMED_MESSAGE, e.reason(), e.getMessage());
        }
    }
}
