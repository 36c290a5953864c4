package org.vtpmmigrate.engine.internal.migration;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.vtpmmigrate.engine.migration.MigrationEvent;
import org.vtpmmigrate.engine.migration.MigrationListener;

/**
 * Hands an engine's migration events to its listeners in order, on one thread of its own, so a slow
 * listener (an audit log that signs each record with the TPM) never holds up a migration.
 */
final class EventDispatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EventDispatcher.class.getName());

    private final List<MigrationListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService thread;

    EventDispatcher(String hostId) {
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vtpm-migration-events-" + hostId);
            t.setDaemon(true);
            return t;
        });
    }

    void add(MigrationListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    void remove(MigrationListener listener) {
        listeners.remove(listener);
    }

    void publish(MigrationEvent event) {
        try {
            thread.execute(() -> {
                for (MigrationListener listener : listeners) {
                    try {
                        listener.onEvent(event);
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "migration listener " + listener + " failed on "
                                + event, e);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.log(System.Logger.Level.DEBUG, "event after close dropped: {0}", event);
        }
    }

    /** Delivers what is queued (for a few seconds at most), then stops. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
