package org.vtpmmigrate.console.model;

import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Change notification of the console model. Listeners are called on the thread that made the change,
 * usually a job's: UI listeners hand over to the display thread with {@code asyncExec}, never
 * {@code syncExec} (a job waiting for the UI thread while the UI thread waits for the job deadlocks).
 */
public final class ModelEvents {
    /** What changed. */
    public enum Topic {
        /** The list of agents (added, removed, relisted). */
        AGENTS,
        /** One agent; the event names it. */
        AGENT,
        /** Settings or the console's identity. */
        SETTINGS,
        /** The audit records loaded from the agents. */
        AUDIT,
        /** The policy the console judges evidence under. */
        POLICY,
        /** A migration the console watches; the event names its id. */
        MIGRATION
    }

    /** Receives changes. */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param subject the host id for {@link Topic#AGENT}, the migration id for
         *        {@link Topic#MIGRATION}, otherwise null
         */
        void changed(Topic topic, String subject);
    }

    private static final System.Logger LOG = System.getLogger(ModelEvents.class.getName());

    private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();

    public void add(Listener listener) {
        listeners.add(listener);
    }

    public void remove(Listener listener) {
        listeners.remove(listener);
    }

    void fire(Topic topic, String subject) {
        for (Listener l : listeners) {
            try {
                l.changed(topic, subject);
            } catch (RuntimeException e) {
                // one faulty view must not keep the others from hearing of the change
                LOG.log(System.Logger.Level.ERROR, "model listener failed on " + topic, e);
            }
        }
    }
}
