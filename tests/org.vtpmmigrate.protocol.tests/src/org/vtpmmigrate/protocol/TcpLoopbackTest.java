package org.vtpmmigrate.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.protocol.fixtures.Scenario;

/**
 * The same sessions over a real TCP connection on 127.0.0.1: {@link ConnectionDriver} for the
 * handshake and commit, {@link RecordWriter}/{@link RecordReader} for the stream.
 */
class TcpLoopbackTest {
    private final ExecutorService threads = Executors.newFixedThreadPool(2);

    @AfterEach
    void stopThreads() throws Exception {
        threads.shutdownNow();
        assertTrue(threads.awaitTermination(10, TimeUnit.SECONDS), "test threads did not stop");
    }

    @Test
    void aWholeMigrationOverTcp() throws Exception {
        Scenario s = new Scenario();
        SourceSession source = s.newSource();
        DestinationSession destination = s.newDestination();
        byte[] vm = Scenario.stream(16 * 1024 * 1024 + 5, 21);
        ByteArrayOutputStream vmReceived = new ByteArrayOutputStream();

        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Future<StreamSummary> destinationSide = threads.submit(() -> {
                try (Socket socket = server.accept()) {
                    ConnectionDriver d = new ConnectionDriver(destination,
                            new BufferedInputStream(socket.getInputStream()),
                            new BufferedOutputStream(socket.getOutputStream()));
                    d.runUntil(SessionState.RECEIVING);
                    StreamSummary got = new RecordReader(destination, d.input())
                            .transferTo(RecordSink.migrationStreamTo(vmReceived));
                    d.send(destination.commit());
                    d.runUntil(SessionState.COMMITTED);
                    return got;
                }
            });
            Future<StreamSummary> sourceSide = threads.submit(() -> {
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                    ConnectionDriver d = new ConnectionDriver(source, new BufferedInputStream(socket.getInputStream()),
                            new BufferedOutputStream(socket.getOutputStream()));
                    d.send(source.start());
                    d.runUntil(SessionState.TRANSFERRING);
                    RecordWriter w = new RecordWriter(source, socket.getOutputStream());
                    w.transferFrom(new ByteArrayInputStream(vm));
                    StreamSummary sent = w.finish();
                    d.runUntil(SessionState.COMMITTED);
                    return sent;
                }
            });
            StreamSummary sent = sourceSide.get(60, TimeUnit.SECONDS);
            StreamSummary received = destinationSide.get(60, TimeUnit.SECONDS);
            assertEquals(sent, received);
        }
        assertTrue(source.committed());
        assertTrue(destination.committed());
        assertArrayEquals(vm, vmReceived.toByteArray());
    }

    @Test
    void aPeerThatHangsUpMidHandshakeFailsTheRun() throws Exception {
        Scenario s = new Scenario();
        SourceSession source = s.newSource();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Future<?> hangUp = threads.submit(() -> {
                try (Socket socket = server.accept()) {
                    // read the whole first flight, so the close is a clean FIN and not a reset
                    org.vtpmmigrate.protocol.wire.FrameInput in =
                            new org.vtpmmigrate.protocol.wire.FrameInput(socket.getInputStream());
                    in.read();
                    in.read();
                }
                return null;
            });
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                ConnectionDriver d = new ConnectionDriver(source, socket.getInputStream(), socket.getOutputStream());
                d.send(source.start());
                ProtocolFailureException e = org.junit.jupiter.api.Assertions.assertThrows(
                        ProtocolFailureException.class, () -> d.runUntil(SessionState.TRANSFERRING));
                assertEquals(FailureReason.CONNECTION_LOST, e.failure().reason(), e.failure().toString());
            }
            hangUp.get(10, TimeUnit.SECONDS);
        }
    }
}
