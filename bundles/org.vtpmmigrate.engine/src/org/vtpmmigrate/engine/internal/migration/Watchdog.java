package org.vtpmmigrate.engine.internal.migration;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.vtpmmigrate.protocol.MigrationSession;
import org.vtpmmigrate.protocol.Outcome;
import org.vtpmmigrate.protocol.SessionState;

/**
 * Enforces the protocol's deadlines for every run of an engine: a few times a second it asks each
 * watched session whether its deadline passed ({@link MigrationSession#onTimeout}); when the session
 * fails, the run's link is closed, which unblocks whatever waits on it. Also drives the runs'
 * progress ticks. One timer thread per engine; each check runs on a small pool of its own, because a
 * session is locked while it works (a TPM command, a verification) and one busy run must not hold up
 * the deadlines of the others.
 */
final class Watchdog implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Watchdog.class.getName());
    static final Duration PERIOD = Duration.ofMillis(100);

    /** A watched run. */
    final class Registration implements AutoCloseable {
        private final MigrationSession session;
        private final Consumer<Outcome> onTimedOut;
        private final Runnable everyTick;
        /** A check still blocked on a busy session is not queued again. */
        private final AtomicBoolean checking = new AtomicBoolean();

        private Registration(MigrationSession session, Consumer<Outcome> onTimedOut, Runnable everyTick) {
            this.session = session;
            this.onTimedOut = onTimedOut;
            this.everyTick = everyTick;
        }

        private void schedule() {
            if (!checking.compareAndSet(false, true)) {
                return;
            }
            try {
                checks.execute(() -> {
                    try {
                        check();
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "watchdog check failed", e);
                    } finally {
                        checking.set(false);
                    }
                });
            } catch (RejectedExecutionException e) {
                checking.set(false);
            }
        }

        private void check() {
            if (!session.state().isTerminal() && session.deadline().map(d -> !clock.instant().isBefore(d))
                    .orElse(false)) {
                Outcome outcome = session.onTimeout(session.state().phase());
                if (outcome.state() == SessionState.FAILED && outcome.previousState() != SessionState.FAILED) {
                    onTimedOut.accept(outcome);
                }
            }
            everyTick.run();
        }

        @Override
        public void close() {
            watched.remove(this);
        }
    }

    private final Clock clock;
    private final ExecutorService checks;
    private final Set<Registration> watched = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;

    Watchdog(String hostId, Clock clock) {
        this.clock = clock;
        this.checks = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "vtpm-migration-deadline-" + hostId);
            t.setDaemon(true);
            return t;
        });
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vtpm-migration-watchdog-" + hostId);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::checkAll, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Watches a session until the registration is closed.
     *
     * @param onTimedOut gets the outcome (with its Abort) once the session failed on a deadline
     * @param everyTick runs on every check (progress)
     */
    Registration watch(MigrationSession session, Consumer<Outcome> onTimedOut, Runnable everyTick) {
        Registration r = new Registration(session, onTimedOut, everyTick);
        watched.add(r);
        return r;
    }

    /** Runs {@code action} once after {@code delay} (a last resort close, say). */
    void after(Duration delay, Runnable action) {
        try {
            timer.schedule(action, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            action.run();
        }
    }

    private void checkAll() {
        for (Registration r : watched) {
            r.schedule();
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        checks.shutdownNow();
    }
}
