package org.vtpmmigrate.tpm;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A TCP peer on 127.0.0.1 that misbehaves in ways a real swtpm cannot be made to (stalls, lies
 * about sizes, hangs up mid-response), to test the transport's bounds. It reads one command frame
 * and then runs its script.
 */
final class ScriptedTpmPeer implements AutoCloseable {

    /** What the peer does after reading a command. */
    @FunctionalInterface
    interface Script {
        void respond(OutputStream out) throws IOException;
    }

    private final ServerSocket server;
    private final CompletableFuture<Void> done;
    private volatile Socket client;

    ScriptedTpmPeer(Script script) throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        done = CompletableFuture.runAsync(() -> serve(script));
    }

    TpmEndpoint endpoint() {
        return TpmEndpoint.swtpm("127.0.0.1", server.getLocalPort());
    }

    private void serve(Script script) {
        try (Socket socket = server.accept()) {
            client = socket;
            InputStream in = socket.getInputStream();
            byte[] header = in.readNBytes(10);
            if (header.length == 10) {
                int size = ((header[2] & 0xFF) << 24) | ((header[3] & 0xFF) << 16) | ((header[4] & 0xFF) << 8)
                        | (header[5] & 0xFF);
                in.readNBytes(size - 10);
                script.respond(socket.getOutputStream());
                socket.getOutputStream().flush();
                // Stay connected until the client hangs up or the test closes the peer.
                in.read();
            }
        } catch (IOException e) {
            // The test closed the peer.
        }
    }

    /** A script that sends these bytes. */
    static Script sends(byte[] bytes) {
        return out -> out.write(bytes);
    }

    /** A script that sends nothing at all. */
    static Script staysSilent() {
        return out -> { };
    }

    @Override
    public void close() throws Exception {
        server.close();
        Socket socket = client;
        if (socket != null) {
            socket.close();
        }
        done.get(10, TimeUnit.SECONDS);
    }
}
