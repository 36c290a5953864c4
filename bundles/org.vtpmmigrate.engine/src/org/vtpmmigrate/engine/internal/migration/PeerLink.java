package org.vtpmmigrate.engine.internal.migration;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.vtpmmigrate.engine.migration.PeerAddress;
import org.vtpmmigrate.protocol.Outcome;
import org.vtpmmigrate.protocol.wire.FrameCodec;
import org.vtpmmigrate.protocol.wire.Message;

/**
 * One TCP connection between two engines. Writes are serialised (a run's writer thread seals records
 * while its reader thread may answer the peer), each frame goes out in one write, and the link can be
 * cut after a number of bytes for fault injection. Closing, from any thread, unblocks a reader.
 */
final class PeerLink implements AutoCloseable {
    private static final int SOCKET_BUFFER = 4 * 1024 * 1024;

    private final Socket socket;
    private final CountingInput counted;
    private final InputStream in;
    private final LinkOutput out;

    private PeerLink(Socket socket, long cutAfterBytes) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        socket.setKeepAlive(true);
        this.counted = new CountingInput(socket.getInputStream());
        this.in = new BufferedInputStream(counted, 256 * 1024);
        this.out = new LinkOutput(socket, cutAfterBytes);
    }

    /** Bytes sent and received so far. */
    long bytesTransferred() {
        return out.written() + counted.read.get();
    }

    static PeerLink connect(PeerAddress address, Duration timeout, long cutAfterBytes) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setSendBufferSize(SOCKET_BUFFER);
            socket.setReceiveBufferSize(SOCKET_BUFFER);
            socket.connect(new InetSocketAddress(address.host(), address.port()), (int) timeout.toMillis());
            return new PeerLink(socket, cutAfterBytes);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    static PeerLink accepted(Socket socket, long cutAfterBytes) throws IOException {
        socket.setSendBufferSize(SOCKET_BUFFER);
        return new PeerLink(socket, cutAfterBytes);
    }

    InputStream input() {
        return in;
    }

    OutputStream output() {
        return out;
    }

    /** Limits how long a read may block (0: no limit; the run's watchdog enforces deadlines). */
    void readTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
    }

    /** Sends the messages of an outcome, ignoring a connection that is already gone. */
    void sendQuietly(Outcome outcome) {
        sendQuietly(outcome.messages());
    }

    void sendQuietly(List<Message> messages) {
        if (messages.isEmpty() || socket.isClosed()) {
            return;
        }
        try {
            ByteArrayOutputStream flight = new ByteArrayOutputStream();
            for (Message m : messages) {
                flight.writeBytes(FrameCodec.encode(m));
            }
            out.write(flight.toByteArray());
        } catch (IOException e) {
            // the peer is gone; it learns of the end from the closed connection
        }
    }

    boolean isClosed() {
        return socket.isClosed();
    }

    /** Closes the connection at once, from any thread. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closed anyway
        }
    }

    @Override
    public String toString() {
        return "link " + socket.getLocalSocketAddress() + " -> " + socket.getRemoteSocketAddress();
    }

    /** Counts what the socket delivers (read by one thread at a time, counted for any). */
    private static final class CountingInput extends FilterInputStream {
        final AtomicLong read = new AtomicLong();

        CountingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                read.incrementAndGet();
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                read.addAndGet(n);
            }
            return n;
        }
    }

    /** Serialised, counted writes; cut after a bound for fault injection. */
    private static final class LinkOutput extends OutputStream {
        private final Socket socket;
        private final OutputStream raw;
        private final long cutAfterBytes;
        private long written;

        LinkOutput(Socket socket, long cutAfterBytes) throws IOException {
            this.socket = socket;
            this.raw = socket.getOutputStream();
            this.cutAfterBytes = cutAfterBytes;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            long allowed = cutAfterBytes - written;
            if (len > allowed) {
                if (allowed > 0) {
                    raw.write(b, off, (int) allowed);
                    written += allowed;
                }
                socket.close();
                throw new IOException("link cut after " + written + " bytes (fault injection)");
            }
            raw.write(b, off, len);
            written += len;
        }

        @Override
        public synchronized void flush() throws IOException {
            raw.flush();
        }

        synchronized long written() {
            return written;
        }
    }
}
