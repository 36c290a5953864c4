package org.vtpmmigrate.console.model;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.eclipse.core.runtime.jobs.Job;
import org.vtpmmigrate.management.ManagementException;
import org.vtpmmigrate.management.ManagementService;
import org.vtpmmigrate.management.MigrationStarted;
import org.vtpmmigrate.management.MigrationStatus;
import org.vtpmmigrate.management.StartMigrationRequest;

/**
 * Migrations the console started or follows: it asks the source agent to start one, then polls its
 * status until the run ends. Progress (phase, bytes, rounds) and verdicts stay separate fields, as
 * the agent reports them; the console adds nothing to either.
 */
public final class MigrationWatch {
    /** How often a running migration's status is read. */
    public static final long POLL_MILLIS = 250;

    /**
     * A migration as last read.
     *
     * @param status null until the first status was read
     * @param problem why the last read failed, or null
     * @param followed false once the administrator stopped following it
     */
    public record Run(String sourceHostId, String migrationId, MigrationStatus status, Failure problem,
            boolean followed) {
        public Run {
            Objects.requireNonNull(sourceHostId, "sourceHostId");
            Objects.requireNonNull(migrationId, "migrationId");
        }

        public boolean finished() {
            return status != null && status.finished();
        }

        Run with(MigrationStatus s, Failure p) {
            return new Run(sourceHostId, migrationId, s == null ? status : s, p, followed);
        }
    }

    private final ConsoleModel model;
    private final Map<String, Run> runs = new ConcurrentHashMap<>();

    MigrationWatch(ConsoleModel model) {
        this.model = model;
    }

    public Optional<Run> run(String migrationId) {
        return Optional.ofNullable(runs.get(migrationId));
    }

    /**
     * Asks {@code sourceHostId} to start a migration and follows it.
     *
     * @param started called with the new run's id once the agent admitted it
     * @param refused called with the reason when the agent refused or could not be reached
     */
    public Job start(String sourceHostId, StartMigrationRequest request, Consumer<String> started,
            Consumer<Failure> refused) {
        Job job = model.job("Starting the migration of " + request.vmId(), monitor -> {
            Optional<Agent> source = model.agents().get(sourceHostId);
            Optional<ManagementService> client = source.flatMap(model::client);
            if (client.isEmpty()) {
                refused.accept(model.identity().problem().orElse(Failure.of("The migration was not started",
                        sourceHostId + " is not listed any more.")));
                return;
            }
            try {
                MigrationStarted s = client.get().startMigration(request);
                runs.put(s.migrationId(), new Run(sourceHostId, s.migrationId(), null, null, true));
                model.fire(ModelEvents.Topic.MIGRATION, s.migrationId());
                started.accept(s.migrationId());
                poll(s.migrationId(), 0);
            } catch (ManagementException e) {
                refused.accept(Failure.fromManagement("Starting the migration of " + request.vmId(), sourceHostId,
                        source.get().address(), e));
            }
        });
        job.schedule();
        return job;
    }

    /**
     * Asks the source agent to cancel a run that has not committed: the source resumes its VM, the
     * destination discards what it received. The status the agent returns is shown like any other;
     * a run that already ended stays as it ended.
     *
     * @param failed called with why the agent could not be asked or refused, on the job's thread
     */
    public Job cancel(String migrationId, Consumer<Failure> failed) {
        Job job = model.job("Cancelling migration " + migrationId, monitor -> {
            Run run = runs.get(migrationId);
            Optional<ManagementService> client = run == null ? Optional.empty() : model.client(run.sourceHostId());
            if (client.isEmpty()) {
                failed.accept(Failure.of("Migration " + migrationId + " was not cancelled", run == null
                        ? "The console does not follow it." : run.sourceHostId() + " is not listed any more."));
                return;
            }
            try {
                MigrationStatus status = client.get().cancelMigration(migrationId);
                runs.computeIfPresent(migrationId, (id, r) -> r.with(status, null));
                model.fire(ModelEvents.Topic.MIGRATION, migrationId);
            } catch (ManagementException e) {
                failed.accept(Failure.fromManagement("Cancelling migration " + migrationId, run.sourceHostId(),
                        model.agents().get(run.sourceHostId()).map(Agent::address).orElse("?"), e));
            }
        });
        job.schedule();
        return job;
    }

    /**
     * Stops following a run: the run goes on on its source agent (use {@link #cancel} to end it);
     * the console says so wherever it offers this.
     */
    public void stopFollowing(String migrationId) {
        runs.computeIfPresent(migrationId, (id, r) -> new Run(r.sourceHostId(), id, r.status(), r.problem(), false));
        model.fire(ModelEvents.Topic.MIGRATION, migrationId);
    }

    private void poll(String migrationId, long delay) {
        Job job = model.job("Following migration " + migrationId, monitor -> {
            Run run = runs.get(migrationId);
            if (run == null || !run.followed()) {
                return;
            }
            Optional<ManagementService> client = model.client(run.sourceHostId());
            if (client.isEmpty()) {
                return;
            }
            boolean again = true;
            try {
                MigrationStatus status = client.get().migration(migrationId);
                runs.computeIfPresent(migrationId, (id, r) -> r.with(status, null));
                again = !status.finished();
            } catch (ManagementException e) {
                Failure failure = Failure.fromManagement("Reading the progress of " + migrationId,
                        run.sourceHostId(), model.agents().get(run.sourceHostId()).map(Agent::address).orElse("?"), e);
                runs.computeIfPresent(migrationId, (id, r) -> r.with(null, failure));
                // an agent that refuses (not found) will not answer differently next time
                again = !e.reachedServer();
            }
            model.fire(ModelEvents.Topic.MIGRATION, migrationId);
            if (again && !model.isDisposed()) {
                poll(migrationId, POLL_MILLIS);
            }
        });
        job.setSystem(true);
        job.schedule(delay);
    }
}
