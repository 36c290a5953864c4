package org.vtpmmigrate.engine.internal.migration;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.vtpmmigrate.engine.migration.MigrationResult;
import org.vtpmmigrate.engine.migration.PartyVerdict;
import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.IncomingMigration;
import org.vtpmmigrate.hypervisor.RunState;
import org.vtpmmigrate.hypervisor.VirtualMachine;
import org.vtpmmigrate.protocol.ConnectionDriver;
import org.vtpmmigrate.protocol.DestinationConfig;
import org.vtpmmigrate.protocol.DestinationSession;
import org.vtpmmigrate.protocol.Failure;
import org.vtpmmigrate.protocol.FailureReason;
import org.vtpmmigrate.protocol.PlatformException;
import org.vtpmmigrate.protocol.ProtocolFailureException;
import org.vtpmmigrate.protocol.RecordReader;
import org.vtpmmigrate.protocol.RecordSink;
import org.vtpmmigrate.protocol.Role;
import org.vtpmmigrate.protocol.SessionState;
import org.vtpmmigrate.protocol.wire.MigrationRequest;

/**
 * One incoming migration, on the thread that accepted the connection. Once the request is admitted
 * it creates the vTPM instance of the offered epoch and a paused incoming QEMU in the background,
 * while attestation and key establishment run (QEMU receives nothing before they succeed); after the
 * handshake it feeds that QEMU the opened records, checks the VM loaded (paused, QEMU and vTPM alive) and commits. Following the protocol
 * bundle's recommendation the VM is resumed only once the source acknowledged the commit; without
 * the acknowledgement it stays paused and is reported in doubt. On any other failure everything
 * received is discarded: QEMU stopped, the incoming vTPM state securely deleted.
 */
final class DestinationRun extends RunBase {
    private static final System.Logger LOG = System.getLogger(DestinationRun.class.getName());

    private final PeerLink link;
    private final String claimedSource;
    private volatile MigrationTracker tracker;
    private volatile MigrationRequest admitted;
    /** The incoming QEMU and vTPM being started for the admitted request. */
    private volatile CompletableFuture<VirtualMachine> launch;
    private ObservedSessions.Destination session;

    DestinationRun(DefaultMigrationEngine engine, PeerLink link, String claimedSource) {
        super(engine);
        this.link = link;
        this.claimedSource = claimedSource;
    }

    @Override
    public void run() {
        EngineSettings settings = engine.settings();
        HostAttestor attestor = new HostAttestor(engine.platform(), Role.DESTINATION, List.of(), settings.faults(),
                settings.timeouts().attestation());
        HostAdmission admission = new HostAdmission(claimedSource, engine.peerRegistry(), engine.policies(),
                engine.vmManager(), engine.store(), engine.platform().launchPcr(), engine.seenIds(),
                v -> tracker.verdict(v), this::onDecision);
        ObservedSessions.Destination session = new ObservedSessions.Destination(DestinationSession.create(
                DestinationConfig.builder().attestor(attestor).admission(admission).nonces(engine.nonces())
                        .timeouts(settings.timeouts()).clock(engine.clock()).build()));
        this.session = session;
        Watchdog.Registration watch = engine.watchdog().watch(session, outcome -> abandon(link, outcome), this::tick);
        try {
            receive(session);
        } catch (ProtocolFailureException e) {
            // the session failed and its Abort went out as far as the link allowed
        } catch (IOException e) {
            if (session.failure().isEmpty()) {
                session.onConnectionClosed();
            }
        } catch (HypervisorException e) {
            failLocally(session, link, FailureReason.LOCAL_ERROR, "QEMU on the destination: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "destination run from " + claimedSource + " failed", e);
            failLocally(session, link, FailureReason.LOCAL_ERROR, "destination engine error: " + e);
        } finally {
            watch.close();
            finish(session, attestor);
        }
    }

    private void onDecision(HostAdmission.Decision decision) {
        MigrationRequest request = decision.request();
        MigrationTracker t = new MigrationTracker(request.migrationId().toHex(), Role.DESTINATION, request.vmId(),
                claimedSource, request.policyId(), request.vtpmEpoch(), SessionState.AWAIT_REQUEST, engine.events(), engine.clock());
        tracker = t;
        session.track(t);
        engine.remember(t);
        if (decision.decision().accepted()) {
            admitted = request;
            // starting QEMU takes longer than the whole handshake: it overlaps with it
            launch = CompletableFuture.supplyAsync(() -> {
                try {
                    return engine.vmManager().launchIncoming(request.vmId(), request.vtpmEpoch());
                } catch (HypervisorException e) {
                    throw new CompletionException(e);
                }
            }, engine.executor());
        }
        t.onCancel(() -> failLocally(session, link, FailureReason.CANCELLED, "cancelled by an operator of "
                + engine.settings().hostId()));
    }

    private void receive(ObservedSessions.Destination session) throws IOException, HypervisorException {
        EngineSettings settings = engine.settings();
        ConnectionDriver driver = new ConnectionDriver(session, link.input(), link.output());
        driver.runUntil(SessionState.RECEIVING);
        // the source confirms keys only after it verified this host's evidence and bound key
        tracker.verdict(RunOutcomes.acceptedByPeer(PartyVerdict.Party.DESTINATION));
        MigrationRequest request = admitted;
        VirtualMachine machine = launched(settings.vmTimeout());
        try (IncomingMigration incoming = machine.migrateIn(settings.vmTimeout())) {
            new RecordReader(session, link.input()).transferTo(RecordSink.migrationStreamTo(incoming.data()));
            incoming.endOfStream();
            RunState loaded = incoming.awaitCompletion(settings.vmTimeout());
            if (loaded != RunState.PAUSED) {
                throw new HypervisorException("VM " + request.vmId() + " loaded into run state " + loaded.qmpName()
                        + ", expected paused");
            }
        }
        if (!machine.isAlive() || !machine.vtpm().isAlive()) {
            throw new HypervisorException("VM " + request.vmId() + " loaded but QEMU or its vTPM is gone");
        }
        settings.faults().beforeCommit(request.vmId());
        if (engine.closing()) {
            failLocally(session, link, FailureReason.LOCAL_ERROR, "the destination engine is shutting down");
            return;
        }
        try {
            driver.send(session.commit());
        } catch (ProtocolFailureException e) {
            throw e;
        } catch (IOException e) {
            // the source may have said why before the link broke (an authenticated Abort settles the
            // doubt): read what arrived before concluding the connection is lost
        }
        driver.runUntil(SessionState.COMMITTED);
    }

    /** The incoming QEMU once it runs; its launch failure as this run's. */
    private VirtualMachine launched(Duration timeout) throws HypervisorException {
        try {
            return launch.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof HypervisorException h) {
                throw h;
            }
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new HypervisorException("the incoming QEMU did not start within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HypervisorException("interrupted while the incoming QEMU started");
        }
    }

    /** Lets a launch still in progress end, so that discarding sees everything it started. */
    private void settleLaunch() {
        CompletableFuture<VirtualMachine> l = launch;
        if (l == null) {
            return;
        }
        try {
            l.get(engine.settings().vmTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            // a failed launch leaves at most a vTPM instance, which discarding deletes
        } catch (TimeoutException e) {
            LOG.log(System.Logger.Level.ERROR, "the incoming QEMU of " + admitted.vmId() + " is still starting after "
                    + engine.settings().vmTimeout().toSeconds() + " s; discarding what exists now");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void tick() {
        MigrationTracker t = tracker;
        if (t != null) {
            t.tick();
        }
    }

    private void finish(DestinationSession session, HostAttestor attestor) {
        MigrationTracker t = tracker;
        MigrationRequest request = admitted;
        if (!session.committed() && session.failure().isEmpty()) {
            session.fail(FailureReason.LOCAL_ERROR, "the destination run ended before the protocol did");
        }
        MigrationResult.Status status;
        MigrationResult.Placement placement;
        Optional<Failure> failure = session.committed() ? Optional.empty() : session.failure();
        if (session.committed()) {
            status = MigrationResult.Status.COMMITTED;
            placement = run(request.vmId());
        } else if (session.commitInDoubt()) {
            status = MigrationResult.Status.IN_DOUBT;
            placement = MigrationResult.Placement.PAUSED_HERE_IN_DOUBT;
            engine.vmManager().incomingInDoubt(request.vmId());
            LOG.log(System.Logger.Level.WARNING, "VM {0} from {1}: commit sent, no acknowledgement; kept paused with "
                    + "its vTPM state for an operator", request.vmId(), claimedSource);
        } else {
            status = RunOutcomes.status(failure.orElseThrow());
            settleLaunch();
            placement = discard(request);
        }
        release(link, t);
        attestor.close();
        if (t == null) {
            LOG.log(System.Logger.Level.INFO, "connection from {0} ended before a migration request: {1}",
                    claimedSource, failure.map(Failure::toString).orElse("no failure"));
            return;
        }
        failure.ifPresent(f -> RunOutcomes.reportedByPeer(f, Role.DESTINATION).forEach(t::verdict));
        t.finish(status, failure, placement);
    }

    /** Committed: the source has stopped for good, so the VM runs here now and is measured here. */
    private MigrationResult.Placement run(String vmId) {
        VirtualMachine machine = engine.vmManager().machine(vmId).orElseThrow();
        engine.vmManager().incomingCommitted(vmId);
        try {
            machine.resume();
            machine.awaitStatus(RunState.RUNNING, engine.settings().vmTimeout());
        } catch (HypervisorException e) {
            LOG.log(System.Logger.Level.ERROR, "VM " + vmId + " committed here but did not resume", e);
            return MigrationResult.Placement.UNKNOWN;
        }
        try {
            // the launch PCR now covers the VM here too, so a later migration onwards can prove it
            engine.platform().recordLaunch(vmId, machine.launchMeasurement(),
                    engine.settings().timeouts().attestation());
        } catch (PlatformException e) {
            LOG.log(System.Logger.Level.ERROR, "VM " + vmId + " runs here but its launch could not be measured: "
                    + e.getMessage());
        }
        return MigrationResult.Placement.RUNNING_HERE;
    }

    private MigrationResult.Placement discard(MigrationRequest request) {
        if (request == null) {
            return MigrationResult.Placement.NOT_HERE;
        }
        try {
            engine.vmManager().incomingDiscarded(request.vmId());
            return MigrationResult.Placement.NOT_HERE;
        } catch (HypervisorException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "discarding incoming VM " + request.vmId() + " failed", e);
            return MigrationResult.Placement.UNKNOWN;
        }
    }
}
