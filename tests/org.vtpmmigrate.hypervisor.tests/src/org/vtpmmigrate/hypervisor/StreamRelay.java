package org.vtpmmigrate.hypervisor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Copies a migration stream from the source's channel to the destination's, in a thread, the way the
 * engine's encrypted channel will (minus the encryption). Optionally cuts the link after a number of
 * bytes, by closing both ends, to simulate a broken network.
 */
final class StreamRelay {
    private final OutgoingMigration source;
    private final IncomingMigration destination;
    private final long cutAfterBytes;
    private final AtomicLong copied = new AtomicLong();
    private final CompletableFuture<Long> finished = new CompletableFuture<>();

    private StreamRelay(OutgoingMigration source, IncomingMigration destination, long cutAfterBytes) {
        this.source = source;
        this.destination = destination;
        this.cutAfterBytes = cutAfterBytes;
    }

    /** Relays the whole stream and signals end of stream to the destination. */
    static StreamRelay start(OutgoingMigration source, IncomingMigration destination) {
        return start(source, destination, Long.MAX_VALUE);
    }

    /** Relays at most {@code cutAfterBytes}, then closes both connections. */
    static StreamRelay start(OutgoingMigration source, IncomingMigration destination, long cutAfterBytes) {
        StreamRelay relay = new StreamRelay(source, destination, cutAfterBytes);
        Thread thread = new Thread(relay::copy, "migration-relay");
        thread.setDaemon(true);
        thread.start();
        return relay;
    }

    /** Completes with the number of bytes copied once the relay has stopped. */
    CompletableFuture<Long> finished() {
        return finished;
    }

    private void copy() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
        try {
            while (copied.get() < cutAfterBytes) {
                buffer.clear();
                buffer.limit((int) Math.min(buffer.capacity(), cutAfterBytes - copied.get()));
                int read = source.data().read(buffer);
                if (read < 0) {
                    destination.endOfStream();
                    finished.complete(copied.get());
                    return;
                }
                buffer.flip();
                while (buffer.hasRemaining()) {
                    destination.data().write(buffer);
                }
                copied.addAndGet(read);
            }
            // the cut: both hosts see their connection drop mid-stream
            source.data().close();
            destination.data().close();
            finished.complete(copied.get());
        } catch (IOException | HypervisorException | RuntimeException e) {
            finished.completeExceptionally(e);
        }
    }
}
