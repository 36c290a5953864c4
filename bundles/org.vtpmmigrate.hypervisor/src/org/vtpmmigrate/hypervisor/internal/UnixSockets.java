package org.vtpmmigrate.hypervisor.internal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.vtpmmigrate.hypervisor.HypervisorException;

/** Unix-domain socket paths handed to QEMU and swtpm, and the Java ends of those sockets. */
final class UnixSockets {
    /** sun_path is 108 bytes on Linux, including the terminating NUL. */
    static final int MAX_PATH_BYTES = 107;

    /**
     * Characters allowed in any path placed on a QEMU or swtpm command line: QEMU splits option
     * values at ',' and URIs at ':', so those (and anything stranger) are refused rather than
     * escaped.
     */
    private static final Pattern SAFE_PATH = Pattern.compile("/[A-Za-z0-9/._+-]*");

    private UnixSockets() {
    }

    /** Checks a path that will be written into a QEMU or swtpm option value. */
    public static Path requireSafeOptionPath(Path path, String role) throws HypervisorException {
        Path absolute = path.toAbsolutePath().normalize();
        String text = absolute.toString();
        if (!SAFE_PATH.matcher(text).matches()) {
            throw new HypervisorException(role + " path '" + text
                    + "' contains characters QEMU/swtpm options cannot carry (allowed: A-Z a-z 0-9 / . _ + -)");
        }
        return absolute;
    }

    /** Checks a path that will be bound or connected as a unix socket. */
    public static Path requireSocketPath(Path path, String role) throws HypervisorException {
        Path absolute = requireSafeOptionPath(path, role);
        int length = absolute.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_PATH_BYTES) {
            throw new HypervisorException(role + " socket path is " + length + " bytes, over the limit of "
                    + MAX_PATH_BYTES + ": " + absolute + " (use a shorter run directory)");
        }
        return absolute;
    }

    /**
     * Connects to a socket that a child process is about to create, until {@code deadline}; fails
     * early when {@code peerAlive} turns false.
     */
    public static SocketChannel connect(Path socket, Deadline deadline, BooleanSupplier peerAlive, String peer)
            throws HypervisorException {
        SocketChannel[] connected = new SocketChannel[1];
        deadline.await(peer + " to accept connections on " + socket, () -> {
            try {
                connected[0] = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                return true;
            } catch (IOException notYet) {
                if (!peerAlive.getAsBoolean()) {
                    throw new HypervisorException(peer + " exited before accepting connections on " + socket);
                }
                return false;
            }
        });
        return connected[0];
    }

    /** Binds a one-shot listening socket at {@code socket}, replacing a stale socket file. */
    public static ServerSocketChannel listen(Path socket) throws HypervisorException {
        try {
            Files.deleteIfExists(socket);
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket), 1);
            return server;
        } catch (IOException e) {
            throw new HypervisorException("cannot listen on unix socket " + socket + ": " + e.getMessage(), e);
        }
    }

    /** Accepts one connection on {@code server} before the deadline; the returned channel is blocking. */
    public static SocketChannel acceptOne(ServerSocketChannel server, Deadline deadline, String peer)
            throws HypervisorException {
        try (Selector selector = Selector.open()) {
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            while (true) {
                SocketChannel accepted = server.accept();
                if (accepted != null) {
                    accepted.configureBlocking(true);
                    return accepted;
                }
                long waitMillis = deadline.remaining().toMillis();
                if (waitMillis <= 0) {
                    throw deadline.timeoutFor(peer + " to connect to " + server.getLocalAddress());
                }
                selector.select(waitMillis);
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            throw new HypervisorException("accepting a connection from " + peer + " failed: " + e.getMessage(), e);
        }
    }
}
