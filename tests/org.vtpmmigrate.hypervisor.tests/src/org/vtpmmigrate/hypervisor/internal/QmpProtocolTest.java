package org.vtpmmigrate.hypervisor.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.HypervisorTimeoutException;
import org.vtpmmigrate.hypervisor.QmpProtocolException;

/**
 * The QMP client facing a peer that breaks the protocol (as a compromised QEMU could). Real QEMU
 * cannot be made to misbehave, so a scripted peer on a unix socket plays its part.
 */
class QmpProtocolTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String GREETING = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, "
            + "\"major\": 7}, \"package\": \"\"}, \"capabilities\": [\"oob\"]}}\r\n";

    @TempDir
    Path temp;

    private ScriptedPeer peer;
    private QmpClient client;

    @AfterEach
    void close() throws Exception {
        if (client != null) {
            client.close();
        }
        if (peer != null) {
            peer.close();
        }
    }

    /** What the peer does after the greeting and capability negotiation. */
    @FunctionalInterface
    interface Script {
        void run(BufferedReader in, OutputStream out) throws Exception;
    }

    /** A fake QEMU on a unix socket: greeting, qmp_capabilities, then the script. */
    private static final class ScriptedPeer implements AutoCloseable {
        private final ServerSocketChannel server;
        private final Thread thread;
        private final CountDownLatch scriptDone = new CountDownLatch(1);

        ScriptedPeer(Path socket, String greeting, Script script) throws Exception {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            thread = new Thread(() -> {
                try (SocketChannel connection = server.accept()) {
                    BufferedReader in = new BufferedReader(new InputStreamReader(
                            Channels.newInputStream(connection), StandardCharsets.UTF_8));
                    OutputStream out = Channels.newOutputStream(connection);
                    out.write(greeting.getBytes(StandardCharsets.UTF_8));
                    String capabilities = in.readLine();
                    if (capabilities != null) {
                        reply(out, capabilities, "{}");
                        script.run(in, out);
                    }
                    scriptDone.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // the client hung up: expected in most scripts
                }
            }, "scripted-qmp-peer");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws java.io.IOException {
            scriptDone.countDown();
            server.close();
            try {
                thread.join(TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The protocol error of query-status when the peer answers the command with {@code answer}. */
    private QmpProtocolException errorForAnswer(byte[] answer) throws Exception {
        QmpClient qmp = connect(GREETING, (in, out) -> {
            in.readLine();
            out.write(answer);
        });
        return assertThrows(QmpProtocolException.class, () -> qmp.execute("query-status", TIMEOUT));
    }

    private static void reply(OutputStream out, String requestLine, String returnValue) throws Exception {
        JsonObject request = new Gson().fromJson(requestLine, JsonObject.class);
        String line = "{\"return\": " + returnValue + ", \"id\": " + request.get("id") + "}\r\n";
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private QmpClient connect(String greeting, Script script) throws Exception {
        Path socket = temp.resolve("qmp.sock");
        peer = new ScriptedPeer(socket, greeting, script);
        client = QmpClient.connect(socket, TIMEOUT, () -> true);
        return client;
    }

    @Test
    void repliesAreMatchedByIdAndEventsInterleave() throws Exception {
        QmpClient qmp = connect(GREETING, (in, out) -> {
            String request = in.readLine();
            out.write(("{\"event\": \"STOP\", \"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            reply(out, request, "{\"status\": \"paused\"}");
        });
        try (QmpClient.EventSubscription stops = qmp.subscribe(event -> "STOP".equals(event.name()))) {
            assertEquals("paused", qmp.execute("query-status", TIMEOUT).getAsJsonObject().get("status")
                    .getAsString());
            assertEquals(2000, stops.await("STOP", TIMEOUT).timestamp().getNano());
        }
    }

    @Test
    void anOversizedMessageClosesTheConnection() throws Exception {
        QmpClient qmp = connect(GREETING, (in, out) -> {
            in.readLine();
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) ' ');
            for (int i = 0; i <= QmpClient.MAX_MESSAGE_BYTES / chunk.length; i++) {
                out.write(chunk);
            }
        });
        QmpProtocolException error = assertThrows(QmpProtocolException.class,
                () -> qmp.execute("query-status", TIMEOUT));
        assertTrue(error.getMessage().contains("exceeds " + QmpClient.MAX_MESSAGE_BYTES), error.getMessage());
        assertEquals(2, error.messageIndex(), "greeting is #0, capabilities reply #1");
        assertFalse(qmp.isOpen());
    }

    @Test
    void malformedJsonIsAProtocolErrorNamingTheMessage() throws Exception {
        QmpProtocolException error = errorForAnswer(
                "{\"return\": {}, \"id\": 2,}\r\n".getBytes(StandardCharsets.UTF_8));
        assertTrue(error.getMessage().contains("#2") && error.getMessage().contains("malformed JSON"),
                error.getMessage());
    }

    @Test
    void deeplyNestedJsonIsRefusedWithoutExhaustingTheStack() throws Exception {
        QmpProtocolException error = errorForAnswer(("{\"event\": \"X\", \"data\": {\"a\": " + "[".repeat(200_000)
                + "\n").getBytes(StandardCharsets.UTF_8));
        assertTrue(error.getMessage().contains("malformed JSON"), error.getMessage());
    }

    @Test
    void invalidUtf8IsRefused() throws Exception {
        QmpProtocolException error = errorForAnswer(
                new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}', '\n'});
        assertTrue(error.getMessage().contains("UTF-8"), error.getMessage());
    }

    @Test
    void aReplyToAnIdNeverIssuedIsRefused() throws Exception {
        QmpProtocolException error = errorForAnswer(
                "{\"return\": {}, \"id\": 999}\r\n".getBytes(StandardCharsets.UTF_8));
        assertTrue(error.getMessage().contains("never issued"), error.getMessage());
    }

    @Test
    void aPeerThatNeverAnswersTimesOut() throws Exception {
        QmpClient qmp = connect(GREETING, (in, out) -> in.readLine());
        HypervisorTimeoutException timeout = assertThrows(HypervisorTimeoutException.class,
                () -> qmp.execute("query-status", Duration.ofMillis(300)));
        assertTrue(timeout.awaited().contains("query-status"), timeout.awaited());
        assertTrue(qmp.isOpen(), "a timeout alone does not close the connection");
    }

    @Test
    void anEventQueuedAheadOfTheGreetingIsDeliveredAndTheConnectSucceeds() throws Exception {
        String early = "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"RESUME\"}\r\n";
        QmpClient qmp = connect(early + GREETING, (in, out) -> {
            reply(out, in.readLine(), "{\"status\": \"running\", \"running\": true}");
        });
        assertEquals("running", qmp.execute("query-status", TIMEOUT).getAsJsonObject().get("status").getAsString());
    }

    @Test
    void aMissingGreetingFailsTheConnect() throws Exception {
        Path socket = temp.resolve("qmp.sock");
        peer = new ScriptedPeer(socket, "{\"return\": {}}\r\n", (in, out) -> { });
        QmpProtocolException error = assertThrows(QmpProtocolException.class,
                () -> QmpClient.connect(socket, TIMEOUT, () -> true));
        assertEquals(0, error.messageIndex());
    }

    @Test
    void aPeerThatHangsUpFailsPendingCommands() throws Exception {
        QmpClient qmp = connect(GREETING, (in, out) -> {
            in.readLine();
            throw new IllegalStateException("hang up");
        });
        HypervisorException error = assertThrows(HypervisorException.class,
                () -> qmp.execute("query-status", TIMEOUT));
        assertTrue(error.getMessage().contains("closed"), error.getMessage());
    }

    @Test
    void connectGivesUpWhenThePeerProcessIsGone() {
        HypervisorException error = assertThrows(HypervisorException.class,
                () -> QmpClient.connect(temp.resolve("nobody.sock"), TIMEOUT, () -> false));
        assertTrue(error.getMessage().contains("exited"), error.getMessage());
    }
}
