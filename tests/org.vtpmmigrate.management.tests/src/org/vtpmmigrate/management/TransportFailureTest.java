package org.vtpmmigrate.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.management.internal.SslContexts;
import org.vtpmmigrate.testsupport.Await;

/**
 * What a client reports when no answer of the agent's service comes back: the handshake refused in
 * either direction (untrusted), nobody listening (unreachable), a silent peer (timeout), and a server
 * that stops while a request is in progress.
 */
class TransportFailureTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final TestPki pki = TestPki.create("Transport Test CA", "alice");
    private final TestPki otherPki = TestPki.create("Transport Test CA", "mallory");
    private final InMemoryManagementService service = new InMemoryManagementService(null);
    private ManagementServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static ServerSettings settings(Duration stopGrace) {
        return new ServerSettings(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4, 16,
                ServerSettings.DEFAULT_MAX_REQUEST_BODY_BYTES, 64, stopGrace);
    }

    private ManagementServer start(SSLContext serverContext) throws IOException {
        server = ManagementServer.start(settings(Duration.ofSeconds(5)), serverContext, service::as);
        return server;
    }

    private static ManagementClient clientOf(int port, SSLContext context, ClientSettings settings) {
        return new ManagementClient(URI.create("https://127.0.0.1:" + port), context, settings);
    }

    private static ManagementClient clientOf(ManagementServer server, SSLContext context) {
        return clientOf(server.address().getPort(), context, TestPki.PATIENT);
    }

    private static void assertClientSide(ManagementException e, ErrorCode code) {
        assertEquals(code, e.code(), () -> "code of " + e);
        assertFalse(e.reachedServer(), () -> "no answer expected: " + e);
        assertTrue(e.httpStatus().isEmpty());
    }

    @Test
    void aClientWithoutCertificateIsRefusedInTheHandshake() throws Exception {
        start(TestPki.checked(pki.server));
        ManagementClient anonymous = clientOf(server, SslContexts.trustOnly(pki.caCertificate()));
        ManagementException e = assertThrows(ManagementException.class, anonymous::hostInfo);
        assertClientSide(e, ErrorCode.TLS_FAILED);
        assertTrue(e.getMessage().contains("Received fatal alert"), e::getMessage);
        assertTrue(service.calls.isEmpty(), "the service must not be reached");
    }

    @Test
    void aClientCertificateOfAnotherCaIsRefusedEvenWithTheSameCaName() throws Exception {
        start(TestPki.checked(pki.server));
        // mallory's CA has the same name as ours but its own key: only the signature tells them apart.
        SSLContext mallory = SslContexts.mutual(otherPki.administrator.privateKey(),
                List.of(otherPki.administrator.certificate(), otherPki.caCertificate()), pki.caCertificate());
        ManagementException e = assertThrows(ManagementException.class, clientOf(server, mallory)::hostInfo);
        assertClientSide(e, ErrorCode.TLS_FAILED);
        assertTrue(e.getMessage().contains("Received fatal alert"), e::getMessage);
        assertTrue(service.calls.isEmpty());
    }

    @Test
    void anExpiredClientCertificateIsRefused() throws Exception {
        start(TestPki.checked(pki.server));
        IssuedCredentials expired = pki.expiredAdministrator();
        assertTrue(expired.certificate().getNotAfter().toInstant().isBefore(Instant.now()));
        ManagementException e = assertThrows(ManagementException.class,
                clientOf(server, TestPki.unchecked(expired))::hostInfo);
        assertClientSide(e, ErrorCode.TLS_FAILED);
        assertTrue(e.getMessage().contains("Received fatal alert"), e::getMessage);
        assertTrue(service.calls.isEmpty());
    }

    @Test
    void aRefusedClientThatKeepsSendingIsCutOff() throws Exception {
        start(TestPki.checked(pki.server));
        SSLContext anonymous = SslContexts.trustOnly(pki.caCertificate());
        try (SSLSocket socket = (SSLSocket) anonymous.getSocketFactory().createSocket(
                InetAddress.getLoopbackAddress(), server.address().getPort())) {
            socket.setSoTimeout((int) WAIT.toMillis());
            socket.startHandshake();
            byte[] chunk = new byte[16 * 1024];
            // The server reads and discards at most 64 KiB after its alert, then closes; without that
            // bound a refused client could hold a worker thread by sending forever.
            IOException cut = assertThrows(IOException.class, () -> {
                for (int i = 0; i < 1024; i++) {
                    socket.getOutputStream().write(chunk);
                }
                socket.getInputStream().read();
            });
            assertFalse(cut instanceof java.net.SocketTimeoutException, cut::toString);
        }
        assertTrue(service.calls.isEmpty());
    }

    @Test
    void aServerOfAnotherCaIsNotTrusted() throws Exception {
        start(TestPki.checked(otherPki.server));
        ManagementException e = assertThrows(ManagementException.class,
                clientOf(server, TestPki.checked(pki.administrator))::hostInfo);
        assertClientSide(e, ErrorCode.TLS_FAILED);
        assertTrue(e.getMessage().contains("TLS handshake failed"), e::getMessage);
        assertTrue(service.calls.isEmpty());
    }

    @Test
    void aServerPresentingAnAdministratorCertificateIsNotTrusted() throws Exception {
        // An administrator certificate lacks serverAuth: a stolen console key cannot impersonate an agent.
        start(TestPki.unchecked(pki.administrator));
        ManagementException e = assertThrows(ManagementException.class,
                clientOf(server, TestPki.checked(pki.peerAgent))::hostInfo);
        assertClientSide(e, ErrorCode.TLS_FAILED);
    }

    @Test
    void aServerCertificateForAnotherAddressIsNotTrusted() throws Exception {
        IssuedCredentials elsewhere = pki.ca.issueAgent("agent-x", List.of("agent-x.example"), List.of("10.1.2.3"),
                Validity.fromNow(Duration.ofDays(1)));
        start(TestPki.checked(elsewhere));
        ManagementException e = assertThrows(ManagementException.class,
                clientOf(server, TestPki.checked(pki.administrator))::hostInfo);
        assertClientSide(e, ErrorCode.TLS_FAILED);
    }

    @Test
    void nothingListeningIsUnreachable() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        ManagementException e = assertThrows(ManagementException.class,
                clientOf(port, TestPki.checked(pki.administrator), TestPki.PATIENT)::hostInfo);
        assertClientSide(e, ErrorCode.UNREACHABLE);
    }

    @Test
    void aStoppedServerIsUnreachableAndItsWorkersEnd() throws Exception {
        start(TestPki.checked(pki.server));
        ManagementClient client = clientOf(server, TestPki.checked(pki.administrator));
        assertEquals(service.hostInfo, client.hostInfo());

        server.close();

        ManagementException e = assertThrows(ManagementException.class, client::hostInfo);
        assertClientSide(e, ErrorCode.UNREACHABLE);
        Await.until(server::workersTerminated, WAIT, "worker threads of the stopped server to end");
    }

    @Test
    void aPeerThatAcceptsTcpButNeverSpeaksTlsIsUnreachable() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            ExecutorService acceptor = Executors.newSingleThreadExecutor();
            try {
                // Accepts the connection and then says nothing, not even a TLS ServerHello.
                Future<Socket> accepted = acceptor.submit(silent::accept);
                ManagementClient client = clientOf(silent.getLocalPort(), TestPki.checked(pki.administrator),
                        new ClientSettings(Duration.ofSeconds(5), Duration.ofMillis(800), 1 << 20));
                ManagementException e = assertThrows(ManagementException.class, client::hostInfo);
                assertClientSide(e, ErrorCode.UNREACHABLE);
                assertTrue(e.getMessage().contains("TLS handshake"), e::getMessage);
                accepted.get(5, TimeUnit.SECONDS).close();
            } finally {
                acceptor.shutdownNow();
            }
        }
    }

    @Test
    void anAgentThatDoesNotAnswerInTimeIsATimeout() throws Exception {
        start(TestPki.checked(pki.server));
        ManagementClient impatient = clientOf(server.address().getPort(), TestPki.checked(pki.administrator),
                new ClientSettings(Duration.ofSeconds(30), Duration.ofSeconds(2), 1 << 20));
        // Connected first (a cold JVM's first handshake may take longer than the timeout under test).
        Await.value(() -> {
            try {
                return Optional.of(impatient.vms());
            } catch (ManagementException e) {
                return Optional.empty();
            }
        }, WAIT, "a first call that connects");
        service.calls.clear();
        service.hostInfoRelease = new CountDownLatch(1);
        try {
            ManagementException e = assertThrows(ManagementException.class, impatient::hostInfo);
            assertClientSide(e, ErrorCode.TIMEOUT);
            assertEquals(List.of("hostInfo"), service.calls, "the request reached the service");
        } finally {
            service.hostInfoRelease.countDown();
        }
    }

    @Test
    void stoppingLetsARequestInProgressFinishAndRefusesNewOnes() throws Exception {
        server = ManagementServer.start(settings(Duration.ofSeconds(30)), TestPki.checked(pki.server), service::as);
        ManagementClient client = clientOf(server, TestPki.checked(pki.administrator));
        service.hostInfoRelease = new CountDownLatch(1);
        ExecutorService background = Executors.newFixedThreadPool(2);
        try {
            Future<HostInfo> inProgress = background.submit(client::hostInfo);
            assertTrue(service.hostInfoEntered.await(WAIT.toSeconds(), TimeUnit.SECONDS), "hostInfo was not entered");
            Future<?> stopping = background.submit(server::close);

            ManagementException refused = Await.value(() -> {
                try {
                    client.vms();
                    return Optional.empty();
                } catch (ManagementException e) {
                    return Optional.of(e);
                }
            }, WAIT, "a new request to be refused while the server stops");
            assertEquals(ErrorCode.UNAVAILABLE, refused.code(), refused::toString);
            assertEquals(503, refused.httpStatus().orElse(-1));
            assertFalse(stopping.isDone(), "close() must wait for the request in progress");

            service.hostInfoRelease.countDown();
            assertEquals(service.hostInfo, inProgress.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            stopping.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertTrue(server.workersTerminated());
        } finally {
            service.hostInfoRelease.countDown();
            background.shutdownNow();
        }
    }

    @Test
    void anOverloadedServerClosesTheConnectionOfAnExtraRequest() throws Exception {
        ServerSettings tiny = new ServerSettings(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1, 1,
                ServerSettings.DEFAULT_MAX_REQUEST_BODY_BYTES, 64, Duration.ofSeconds(5));
        server = ManagementServer.start(tiny, TestPki.checked(pki.server), service::as);
        service.hostInfoRelease = new CountDownLatch(1);
        ExecutorService background = Executors.newFixedThreadPool(2);
        try {
            // Each client opens its own connection, so each first request is a new exchange for the pool.
            Future<HostInfo> busy = background.submit(clientOf(server, TestPki.checked(pki.administrator))::hostInfo);
            assertTrue(service.hostInfoEntered.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the worker is busy");
            Future<VmList> queued = background.submit(clientOf(server, TestPki.checked(pki.administrator))::vms);
            Await.until(() -> server.queuedRequests() == 1, WAIT, "the second request to wait in the queue");

            ManagementException e = assertThrows(ManagementException.class,
                    clientOf(server, TestPki.checked(pki.administrator))::policies);
            assertClientSide(e, ErrorCode.CONNECTION_LOST);

            service.hostInfoRelease.countDown();
            assertEquals(service.hostInfo, busy.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(2, queued.get(WAIT.toSeconds(), TimeUnit.SECONDS).vms().size());
        } finally {
            service.hostInfoRelease.countDown();
            background.shutdownNow();
        }
    }

    @Test
    void aServerNeedsAgentCredentials() throws Exception {
        TlsCredentials administrator = pki.administrator.toTlsCredentials();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ManagementServer.start(settings(Duration.ZERO), administrator, service::as));
        assertTrue(e.getMessage().contains("needs agent credentials"), e::getMessage);
    }
}
