package org.vtpmmigrate.engine.internal.migration;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.vtpmmigrate.engine.migration.MigrationEvent;
import org.vtpmmigrate.engine.migration.MigrationHandle;
import org.vtpmmigrate.engine.migration.MigrationProgress;
import org.vtpmmigrate.engine.migration.MigrationResult;
import org.vtpmmigrate.engine.migration.MigrationTimings;
import org.vtpmmigrate.engine.migration.PartyVerdict;
import org.vtpmmigrate.engine.migration.PreCopyRound;
import org.vtpmmigrate.hypervisor.MigrationStats;
import org.vtpmmigrate.protocol.Failure;
import org.vtpmmigrate.protocol.Phase;
import org.vtpmmigrate.protocol.Role;
import org.vtpmmigrate.protocol.SessionState;

/**
 * Records one run: protocol states as they change (phase timings), verdicts as they are reached,
 * stream progress, QEMU's figures, and finally the result. Publishes each as an event. Progress and
 * verdicts are kept in separate fields and never derived from each other.
 */
final class MigrationTracker implements MigrationHandle {
    /** Smallest change in streamed bytes worth a progress event. */
    private static final long PROGRESS_STEP_BYTES = 1024 * 1024;

    private final String migrationId;
    private final Role role;
    private final String vmId;
    private final String peer;
    private final String policyId;
    private final long vtpmEpoch;
    private final EventDispatcher events;
    private final Clock clock;
    private final Instant startedAt;
    private final long startNanos;
    private final CompletableFuture<MigrationResult> result = new CompletableFuture<>();

    private Phase phase = Phase.REQUEST;
    private SessionState state;
    private long phaseStartNanos;
    private final EnumMap<Phase, Long> phaseNanos = new EnumMap<>(Phase.class);
    private final EnumMap<Phase, Instant> phaseStarts = new EnumMap<>(Phase.class);
    private final List<PreCopyRound> rounds = new ArrayList<>();
    private long roundStartNanos = -1;
    private long roundStartBytes;
    private long wireBytes;
    private long handshakeNanos = -1;
    private long streamBytes;
    private long streamRecords;
    private long preCopyRounds = -1;
    private long reportedBytes;
    private MigrationStats qemuStats;
    private final EnumMap<PartyVerdict.Party, PartyVerdict> verdicts = new EnumMap<>(PartyVerdict.Party.class);
    private volatile Runnable cancelAction = () -> { };

    MigrationTracker(String migrationId, Role role, String vmId, String peer, String policyId, long vtpmEpoch,
            SessionState initial, EventDispatcher events, Clock clock) {
        this.migrationId = Objects.requireNonNull(migrationId, "migrationId");
        this.role = Objects.requireNonNull(role, "role");
        this.vmId = Objects.requireNonNull(vmId, "vmId");
        this.peer = Objects.requireNonNull(peer, "peer");
        this.policyId = Objects.requireNonNull(policyId, "policyId");
        this.vtpmEpoch = vtpmEpoch;
        this.events = events;
        this.clock = clock;
        this.startedAt = clock.instant();
        this.startNanos = System.nanoTime();
        this.phaseStartNanos = startNanos;
        this.state = initial;
        phaseStarts.put(phase, startedAt);
        events.publish(new MigrationEvent.PhaseChanged(migrationId, role, vmId, startedAt, Optional.empty(), phase,
                initial));
    }

    @Override
    public String migrationId() {
        return migrationId;
    }

    @Override
    public Role role() {
        return role;
    }

    @Override
    public String vmId() {
        return vmId;
    }

    @Override
    public String peer() {
        return peer;
    }

    long vtpmEpoch() {
        return vtpmEpoch;
    }

    /** The protocol session moved from one state to another. */
    synchronized void stateChanged(SessionState from, SessionState to) {
        state = to;
        long now = System.nanoTime();
        if (to.phase() != phase) {
            Phase previous = phase;
            phaseNanos.merge(previous, now - phaseStartNanos, Long::sum);
            phase = to.phase();
            phaseStartNanos = now;
            phaseStarts.putIfAbsent(phase, clock.instant());
            if (to.phase() == Phase.TRANSFER && handshakeNanos < 0) {
                handshakeNanos = now - startNanos;
            }
            events.publish(new MigrationEvent.PhaseChanged(migrationId, role, vmId, clock.instant(),
                    Optional.of(previous), phase, to));
        }
    }

    synchronized void verdict(PartyVerdict verdict) {
        verdicts.put(verdict.party(), verdict);
        events.publish(new MigrationEvent.VerdictReached(migrationId, role, vmId, clock.instant(), verdict));
    }

    @Override
    public String policyId() {
        return policyId;
    }

    @Override
    public synchronized List<PartyVerdict> verdicts() {
        return List.copyOf(verdicts.values());
    }

    /** Whether a party has been judged (by this host or by the peer's word). */
    synchronized boolean judged(PartyVerdict.Party party) {
        return verdicts.containsKey(party);
    }

    synchronized void streamed(long bytes) {
        streamBytes += bytes;
        streamRecords++;
    }

    synchronized void preCopyRounds(long rounds) {
        preCopyRounds = rounds;
    }

    synchronized void qemuCompleted(MigrationStats stats) {
        qemuStats = stats;
        preCopyRounds = stats.dirtySyncCount();
        endRound(System.nanoTime());
    }

    /** QEMU started a pre-copy pass: the previous one ends here. */
    synchronized void passStarted() {
        long now = System.nanoTime();
        endRound(now);
        roundStartNanos = now;
        roundStartBytes = streamBytes;
    }

    private void endRound(long now) {
        if (roundStartNanos >= 0) {
            rounds.add(new PreCopyRound(rounds.size() + 1, streamBytes - roundStartBytes,
                    Duration.ofNanos(now - roundStartNanos)));
            roundStartNanos = -1;
        }
    }

    /** Bytes sent and received on the peer connection, once it is closed. */
    synchronized void wireBytes(long bytes) {
        wireBytes = bytes;
    }

    /** Publishes a progress event if the stream moved on enough since the last one. */
    synchronized void tick() {
        if (phase != Phase.TRANSFER || streamBytes - reportedBytes < PROGRESS_STEP_BYTES) {
            return;
        }
        reportedBytes = streamBytes;
        // published under the lock, so it is queued before any later phase change or the end
        events.publish(new MigrationEvent.TransferProgress(migrationId, role, vmId, clock.instant(), progressLocked()));
    }

    void onCancel(Runnable action) {
        cancelAction = Objects.requireNonNull(action, "action");
    }

    @Override
    public void cancel() {
        if (!result.isDone()) {
            cancelAction.run();
        }
    }

    @Override
    public synchronized MigrationProgress progress() {
        return progressLocked();
    }

    private MigrationProgress progressLocked() {
        return new MigrationProgress(phase, state, streamBytes, streamRecords, preCopyRounds,
                Duration.ofNanos(System.nanoTime() - startNanos));
    }

    @Override
    public Optional<MigrationResult> result() {
        return Optional.ofNullable(result.getNow(null));
    }

    @Override
    public MigrationResult await(Duration timeout) throws InterruptedException, TimeoutException {
        try {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the run ended without a result", e.getCause());
        }
    }

    /** Ends the record: the result is built, published and handed to waiters. Only the first call counts. */
    MigrationResult finish(MigrationResult.Status status, Optional<Failure> failure,
            MigrationResult.Placement placement) {
        MigrationResult finished;
        synchronized (this) {
            if (result.isDone()) {
                return result.getNow(null);
            }
            long now = System.nanoTime();
            phaseNanos.merge(phase, now - phaseStartNanos, Long::sum);
            phaseStartNanos = now;
            Map<Phase, Duration> perPhase = new EnumMap<>(Phase.class);
            phaseNanos.forEach((p, nanos) -> perPhase.put(p, Duration.ofNanos(nanos)));
            Optional<MigrationStats> stats = Optional.ofNullable(qemuStats);
            MigrationTimings timings = new MigrationTimings(perPhase, phaseStarts,
                    Duration.ofNanos(Math.max(handshakeNanos, 0)),
                    stats.filter(s -> s.downtimeMillis() >= 0).map(s -> Duration.ofMillis(s.downtimeMillis())),
                    stats.filter(s -> s.totalTimeMillis() >= 0).map(s -> Duration.ofMillis(s.totalTimeMillis())),
                    Duration.ofNanos(now - startNanos));
            finished = new MigrationResult(migrationId, role, vmId, peer, status, failure, verdicts, timings,
                    streamBytes, streamRecords, wireBytes, preCopyRounds, rounds, vtpmEpoch, placement, startedAt,
                    clock.instant());
            events.publish(new MigrationEvent.Finished(migrationId, role, vmId, finished.endedAt(), finished));
            result.complete(finished);
        }
        return finished;
    }

    @Override
    public String toString() {
        return "migration " + migrationId + " (" + role + ", VM " + vmId + ", peer " + peer + ")";
    }
}
