package org.vtpmmigrate.engine.internal.migration;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * The peer port: accepts connections and hands each to the engine on a thread of the engine's pool,
 * at most a configured number at a time (further ones are closed at once). The handler owns the
 * socket it is given and closes it.
 */
final class PeerListener implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PeerListener.class.getName());

    private final ServerSocket server;
    private final Semaphore slots;
    private final Thread acceptor;

    PeerListener(InetAddress bindAddress, int port, int maxConnections, ExecutorService executor,
            Consumer<Socket> handler, String hostId) throws IOException {
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.setReceiveBufferSize(4 * 1024 * 1024); // inherited by accepted sockets; the stream is bulk
        server.bind(new InetSocketAddress(bindAddress, port), 64);
        this.slots = new Semaphore(maxConnections);
        this.acceptor = new Thread(() -> acceptLoop(executor, handler), "vtpm-peer-listener-" + hostId);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    InetAddress address() {
        return server.getInetAddress();
    }

    private void acceptLoop(ExecutorService executor, Consumer<Socket> handler) {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    LOG.log(System.Logger.Level.WARNING, "accepting a peer connection failed: {0}", e.getMessage());
                }
                continue;
            }
            if (!slots.tryAcquire()) {
                LOG.log(System.Logger.Level.WARNING, "refusing peer connection from {0}: too many at once",
                        socket.getRemoteSocketAddress());
                closeQuietly(socket);
                continue;
            }
            try {
                executor.execute(() -> {
                    try {
                        handler.accept(socket);
                    } finally {
                        slots.release();
                    }
                });
            } catch (RejectedExecutionException e) {
                closeQuietly(socket);
                slots.release();
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closed anyway
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closed anyway
        }
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
