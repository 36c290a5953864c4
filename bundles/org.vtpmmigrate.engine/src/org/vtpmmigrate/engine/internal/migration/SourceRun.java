package org.vtpmmigrate.engine.internal.migration;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.vtpmmigrate.engine.migration.MigrationResult;
import org.vtpmmigrate.engine.migration.PartyVerdict;
import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.OutgoingMigration;
import org.vtpmmigrate.hypervisor.QmpEvent;
import org.vtpmmigrate.hypervisor.RunState;
import org.vtpmmigrate.hypervisor.VirtualMachine;
import org.vtpmmigrate.protocol.ConnectionDriver;
import org.vtpmmigrate.protocol.Failure;
import org.vtpmmigrate.protocol.FailureReason;
import org.vtpmmigrate.protocol.ProtocolFailureException;
import org.vtpmmigrate.protocol.RecordWriter;
import org.vtpmmigrate.protocol.Role;
import org.vtpmmigrate.protocol.SessionState;
import org.vtpmmigrate.protocol.SourceConfig;
import org.vtpmmigrate.protocol.SourceSession;
import org.vtpmmigrate.protocol.wire.Bytes;
import org.vtpmmigrate.protocol.wire.LaunchMeasurement;

/**
 * One outgoing migration. The handshake runs on this thread; once the destination has confirmed
 * the keys, a second thread reads the destination's messages (an Abort during the transfer, the
 * Commit after it) while this one carries QEMU's stream through the record layer. The VM is
 * stopped and its vTPM state destroyed only when the session committed (a Commit whose signature,
 * stream summary and host PCRs verified); in every other case the VM is resumed here.
 */
final class SourceRun extends RunBase {
    private static final System.Logger LOG = System.getLogger(SourceRun.class.getName());
    private static final long STATS_INTERVAL_NANOS = Duration.ofMillis(500).toNanos();

    private final MigrationTracker tracker;
    private final PeerRegistry.Peer peer;
    private final MigrationPolicy policy;
    private final VmManager.Outgoing vm;
    private final Bytes migrationId;
    private volatile OutgoingMigration outgoing;
    /** Marks QEMU's pre-copy passes (called on the QMP reader thread: only records a time). */
    private final Consumer<QmpEvent> passes;
    private long lastStatsNanos;
    private final AtomicBoolean statsPolling = new AtomicBoolean();

    SourceRun(DefaultMigrationEngine engine, MigrationTracker tracker, PeerRegistry.Peer peer, MigrationPolicy policy,
            VmManager.Outgoing vm, Bytes migrationId) {
        super(engine);
        this.tracker = tracker;
        this.peer = peer;
        this.policy = policy;
        this.vm = vm;
        this.migrationId = migrationId;
        this.passes = event -> {
            if ("MIGRATION_PASS".equals(event.name())) {
                tracker.passStarted();
            }
        };
    }

    /** The VM's launch measurements as the protocol carries them. */
    static List<LaunchMeasurement> wire(org.vtpmmigrate.hypervisor.LaunchMeasurement measurement) {
        return measurement.events().stream().map(e -> new LaunchMeasurement(e.name(),
                HostPlatform.HASH.tpmAlgId(), Bytes.of(e.contentDigest()))).toList();
    }

    @Override
    public void run() {
        EngineSettings settings = engine.settings();
        String vmId = tracker.vmId();
        HostAttestor attestor = new HostAttestor(engine.platform(), Role.SOURCE,
                wire(vm.machine().launchMeasurement()), settings.faults(), settings.timeouts().attestation());
        ObservedSessions.Source session = new ObservedSessions.Source(SourceSession.create(SourceConfig.builder()
                .migrationId(migrationId).vm(vmId, tracker.vtpmEpoch()).policy(policy.id(), policy.digest())
                .destinationSelection(policy.selection()).attestor(attestor)
                .verifier(new PeerEvidenceVerifier(peer, policy, Role.DESTINATION, Optional.empty(), tracker::verdict))
                .nonces(engine.nonces()).timeouts(settings.timeouts()).clock(engine.clock()).build()));
        session.track(tracker);
        PeerLink link = null;
        Watchdog.Registration watch = null;
        try {
            link = PeerLink.connect(peer.address(), settings.connectTimeout(),
                    settings.faults().cutLinkAfterBytes(Role.SOURCE));
            engine.register(link);
            PeerLink l = link;
            watch = engine.watchdog().watch(session, outcome -> abandon(l, outcome), this::tick);
            tracker.onCancel(() -> failLocally(session, l, FailureReason.CANCELLED, "cancelled by an operator of "
                    + settings.hostId()));
            transfer(session, link);
        } catch (ProtocolFailureException e) {
            // the session failed and its Abort went out as far as the link allowed
        } catch (IOException e) {
            if (session.failure().isEmpty()) {
                if (session.state() == SessionState.NEW) {
                    session.fail(FailureReason.CONNECTION_LOST, "cannot reach " + peer.hostId() + " at "
                            + peer.address() + ": " + e.getMessage());
                } else {
                    session.onConnectionClosed();
                }
            }
        } catch (HypervisorException e) {
            failLocally(session, link, FailureReason.LOCAL_ERROR, "QEMU on the source: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failLocally(session, link, FailureReason.LOCAL_ERROR, "the source run was interrupted");
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "source run " + tracker + " failed", e);
            failLocally(session, link, FailureReason.LOCAL_ERROR, "source engine error: " + e);
        } finally {
            if (watch != null) {
                watch.close();
            }
            finish(session, link, attestor);
        }
    }

    private void transfer(ObservedSessions.Source session, PeerLink link)
            throws IOException, HypervisorException, InterruptedException {
        EngineSettings settings = engine.settings();
        PeerWire.writePreface(link.output(), new PeerWire.Preface(PeerWire.Purpose.MIGRATION, settings.hostId()));
        ConnectionDriver driver = new ConnectionDriver(session, link.input(), link.output());
        driver.send(session.start());
        driver.runUntil(SessionState.TRANSFERRING);
        // the destination confirms keys only after it verified this host and the VM
        tracker.verdict(RunOutcomes.acceptedByPeer(PartyVerdict.Party.SOURCE));
        tracker.verdict(RunOutcomes.acceptedByPeer(PartyVerdict.Party.VM));

        Future<Void> reader = engine.executor().submit(() -> {
            driver.runUntil(SessionState.COMMITTED);
            return null;
        });
        vm.machine().addEventListener(passes);
        outgoing = vm.machine().migrateOut(settings.qemuMigration());
        RecordWriter writer = new RecordWriter(session, link.output());
        writer.transferFrom(outgoing.data());
        tracker.qemuCompleted(outgoing.awaitCompletion(settings.vmTimeout()));
        writer.finish();
        try {
            // ends with the commit, or when the session fails (the watchdog closes the link on the commit deadline)
            reader.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io && session.failure().isEmpty()) {
                throw io;
            }
        }
    }

    /**
     * Polls QEMU's pre-copy rounds now and then while the stream flows, on the engine's pool: a QMP
     * call must never hold up the watchdog, which keeps every run's deadlines.
     */
    private void tick() {
        OutgoingMigration out = outgoing;
        long now = System.nanoTime();
        if (out != null && now - lastStatsNanos > STATS_INTERVAL_NANOS && statsPolling.compareAndSet(false, true)) {
            lastStatsNanos = now;
            try {
                engine.executor().execute(() -> {
                    try {
                        tracker.preCopyRounds(out.stats().dirtySyncCount());
                    } catch (HypervisorException | RuntimeException e) {
                        // statistics only; the run notices a dead QEMU on its own
                    } finally {
                        statsPolling.set(false);
                    }
                });
            } catch (RejectedExecutionException e) {
                statsPolling.set(false);
            }
        }
        tracker.tick();
    }

    private void finish(ObservedSessions.Source session, PeerLink link, HostAttestor attestor) {
        String vmId = tracker.vmId();
        OutgoingMigration out = outgoing;
        if (out != null) {
            out.close(); // cancels QEMU's migration if it has not completed
        }
        vm.machine().removeEventListener(passes);
        if (!session.committed() && session.failure().isEmpty()) {
            session.fail(FailureReason.LOCAL_ERROR, "the source run ended before the protocol did");
        }
        MigrationResult.Status status;
        MigrationResult.Placement placement;
        Optional<Failure> failure = session.committed() ? Optional.empty() : session.failure();
        if (session.committed()) {
            status = MigrationResult.Status.COMMITTED;
            placement = retire(vmId);
        } else {
            status = RunOutcomes.status(failure.orElseThrow());
            RunOutcomes.reportedByPeer(failure.get(), Role.SOURCE).forEach(tracker::verdict);
            placement = resume(vm.machine()) ? MigrationResult.Placement.RUNNING_HERE
                    : MigrationResult.Placement.UNKNOWN;
            engine.vmManager().outgoingAbandoned(vmId);
        }
        release(link, tracker);
        attestor.close();
        tracker.finish(status, failure, placement);
    }

    /** After a valid commit: the source copy must never run again. */
    private MigrationResult.Placement retire(String vmId) {
        try {
            engine.vmManager().outgoingCommitted(vmId);
            return MigrationResult.Placement.MOVED_TO_PEER;
        } catch (HypervisorException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "VM " + vmId + " committed to " + peer.hostId() + " but stopping it or "
                    + "deleting its vTPM state here failed; delete it by hand", e);
            return MigrationResult.Placement.UNKNOWN;
        }
    }

    /**
     * Without a commit the VM keeps running here: QEMU restarts a guest whose migration was
     * cancelled; one that completed its stream waits in postmigrate and is resumed.
     */
    private boolean resume(VirtualMachine machine) {
        long deadline = System.nanoTime() + engine.settings().vmTimeout().toNanos();
        try {
            while (System.nanoTime() - deadline < 0) {
                RunState state = machine.status();
                if (state == RunState.RUNNING) {
                    return true;
                }
                if (state == RunState.POSTMIGRATE || state == RunState.PAUSED) {
                    machine.resume();
                } else {
                    Thread.sleep(10); // cancelling or finishing the stop-and-copy: QEMU settles within ms
                }
            }
            LOG.log(System.Logger.Level.ERROR, "VM {0} did not run again within {1}", tracker.vmId(),
                    engine.settings().vmTimeout());
        } catch (HypervisorException e) {
            LOG.log(System.Logger.Level.ERROR, "resuming VM " + tracker.vmId() + " after a failed migration failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }
}
