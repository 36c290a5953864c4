package org.vtpmmigrate.engine.migration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vtpmmigrate.engine.internal.migration.TestHost;
import org.vtpmmigrate.engine.internal.migration.TwoHosts;
import org.vtpmmigrate.engine.internal.migration.VtpmMarker;
import org.vtpmmigrate.hypervisor.RunState;
import org.vtpmmigrate.hypervisor.VmConfig;
import org.vtpmmigrate.hypervisor.VtpmInstance;
import org.vtpmmigrate.protocol.FailureReason;
import org.vtpmmigrate.protocol.SessionState;
import org.vtpmmigrate.protocol.Timeouts;

/**
 * Runs that break after attestation passed (a cut link, a destination that dies or stalls before
 * committing) leave the VM running on the source with its vTPM state, and nothing half-installed
 * on the destination; requests the source cannot serve are refused before anything is sent.
 */
class MigrationRecoveryTest {
    private static final Duration TIMEOUT = TwoHosts.TIMEOUT;
    private static final String VM = "vm-resilient";

    @TempDir
    Path temp;
    private TwoHosts hosts;
    private VtpmInstance sourceInstance;

    @AfterEach
    void stopHosts() {
        if (hosts != null) {
            hosts.close();
        }
    }

    private void startVm(Timeouts timeouts) throws Exception {
        startVm(timeouts, Timeouts.DEFAULT);
    }

    private void startVm(Timeouts onA, Timeouts onB) throws Exception {
        hosts = TwoHosts.start(temp, settings -> settings.timeouts(onA), settings -> settings.timeouts(onB));
        VmConfig config = TestHost.vm(VM, VmConfig.DEFAULT_MEMORY_MIB);
        hosts.sharePolicy(config);
        sourceInstance = hosts.startOnA(config);
    }

    @Test
    void aLinkCutMidTransferLeavesTheVmOnTheSourceAndTheNextMigrationSucceeds() throws Exception {
        startVm(Timeouts.DEFAULT);
        // the idle 256 MiB guest's stream is about 1.2 MB; the handshake a few KB
        hosts.a.faults.cutSourceLinkAfterBytes = 512 * 1024;

        MigrationHandle cut = hosts.migrateToB(VM);
        MigrationResult onA = cut.await(TIMEOUT);
        MigrationResult onB = TwoHosts.resultOf(hosts.b, cut.migrationId());

        assertEquals(MigrationResult.Status.FAILED, onA.status(), () -> onA.failure().toString());
        assertEquals(FailureReason.CONNECTION_LOST, onA.failure().orElseThrow().reason(), onA.failure().toString());
        assertEquals(SessionState.TRANSFERRING, onA.failure().orElseThrow().state(), onA.failure().toString());
        assertTrue(onA.streamBytes() > 0, "the cut came before the transfer");
        assertEquals(MigrationResult.Placement.RUNNING_HERE, onA.placement());
        assertEquals(Optional.of(RunState.RUNNING), TwoHosts.qemuState(hosts.a, VM));
        assertTrue(Files.isDirectory(sourceInstance.stateDirectory()));

        assertEquals(MigrationResult.Status.FAILED, onB.status());
        // cut inside a record frame or between two: either way the stream never ended
        assertTrue(java.util.Set.of(FailureReason.RECORD_TRUNCATED, FailureReason.STREAM_TRUNCATED)
                .contains(onB.failure().orElseThrow().reason()), onB.failure().toString());
        assertEquals(MigrationResult.Placement.NOT_HERE, onB.placement());
        assertEquals(VmStatus.State.DEFINED, hosts.b.engine.vm(VM).orElseThrow().state());
        assertEquals(Optional.empty(), hosts.b.engine.machine(VM), "B kept the incoming QEMU");
        assertFalse(hosts.b.store.instanceIds().contains(VM), "B kept the incoming vTPM state");
        assertEquals(OptionalLong.of(1), hosts.b.store.highestEpochSeen(VM), "B forgot the epoch it discarded");

        hosts.a.faults.cutSourceLinkAfterBytes = Long.MAX_VALUE;
        MigrationResult again = hosts.migrateToB(VM).await(TIMEOUT);
        assertEquals(MigrationResult.Status.COMMITTED, again.status(), () -> again.failure().toString());
        assertEquals(2, again.vtpmEpoch());
        assertTrue(onA.streamBytes() < again.streamBytes(), "the cut run sealed " + onA.streamBytes()
                + " stream bytes, the whole stream has " + again.streamBytes());
        assertEquals(Optional.of(RunState.RUNNING), TwoHosts.qemuState(hosts.b, VM));
        assertEquals(Optional.empty(), hosts.a.engine.machine(VM));
        hosts.b.engine.stop(VM);
        assertArrayEquals(TwoHosts.MARKER, VtpmMarker.read(hosts.b.store.open(VM), TwoHosts.MARKER.length, temp));
    }

    @Test
    void aDestinationKilledBeforeItCommitsLeavesTheSourceRunning() throws Exception {
        startVm(Timeouts.DEFAULT);
        CountDownLatch loaded = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        hosts.b.faults.beforeCommit = () -> {
            loaded.countDown();
            awaitQuietly(release);
        };

        MigrationHandle handle = hosts.migrateToB(VM);
        assertTrue(loaded.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "B never loaded the VM");
        String migrationId = handle.migrationId();
        Thread killer = new Thread(hosts.b.engine::close, "kill-host-b");
        killer.start();
        MigrationResult onA;
        try {
            onA = handle.await(TIMEOUT);
        } finally {
            release.countDown();
        }
        killer.join(TIMEOUT.toMillis());
        assertFalse(killer.isAlive(), "B's engine did not close");

        assertEquals(MigrationResult.Status.FAILED, onA.status(), () -> onA.failure().toString());
        assertEquals(FailureReason.CONNECTION_LOST, onA.failure().orElseThrow().reason(), onA.failure().toString());
        assertEquals(SessionState.AWAIT_COMMIT, onA.failure().orElseThrow().state(), onA.failure().toString());
        assertEquals(MigrationResult.Placement.RUNNING_HERE, onA.placement());
        assertEquals(Optional.of(RunState.RUNNING), TwoHosts.qemuState(hosts.a, VM),
                "the source must resume its paused VM");
        assertEquals(VmStatus.State.RUNNING, hosts.a.engine.vm(VM).orElseThrow().state());
        assertTrue(Files.isDirectory(sourceInstance.stateDirectory()));

        MigrationResult onB = TwoHosts.resultOf(hosts.b, migrationId);
        assertEquals(MigrationResult.Status.FAILED, onB.status(), onB.toString());
        assertEquals(FailureReason.LOCAL_ERROR, onB.failure().orElseThrow().reason(), onB.toString());
        assertEquals(MigrationResult.Placement.NOT_HERE, onB.placement(), onB.toString());
        assertFalse(hosts.b.store.instanceIds().contains(VM), "B kept the uncommitted vTPM state");
    }

    @Test
    void aDestinationThatStallsBeforeCommittingTimesOutAndTheSourceResumes() throws Exception {
        // only the source is impatient: B stalls within its own deadlines
        startVm(new Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(2)), Timeouts.DEFAULT);
        CountDownLatch release = new CountDownLatch(1);
        hosts.b.faults.beforeCommit = () -> awaitQuietly(release);

        MigrationHandle handle = hosts.migrateToB(VM);
        MigrationResult onA;
        try {
            onA = handle.await(TIMEOUT);
        } finally {
            release.countDown();
        }

        assertEquals(FailureReason.TIMEOUT, onA.failure().orElseThrow().reason(), onA.failure().toString());
        assertEquals(SessionState.AWAIT_COMMIT, onA.failure().orElseThrow().state());
        assertEquals(Optional.of(RunState.RUNNING), TwoHosts.qemuState(hosts.a, VM));
        MigrationResult onB = TwoHosts.resultOf(hosts.b, handle.migrationId());
        assertNotEquals(MigrationResult.Status.COMMITTED, onB.status(), onB.toString());
        assertNotEquals(Optional.of(RunState.RUNNING), TwoHosts.qemuState(hosts.b, VM), "the VM runs on both hosts");
    }

    @Test
    void aCommitThatGoesUnansweredLeavesTheDestinationPausedAndInDoubt() throws Exception {
        startVm(Timeouts.DEFAULT);
        // the source host goes away while the destination is about to commit: no acknowledgement, no Abort
        hosts.b.faults.beforeCommit = hosts.a.engine::close;

        MigrationHandle handle = hosts.migrateToB(VM);
        MigrationResult onB = TwoHosts.resultOf(hosts.b, handle.migrationId());
        MigrationResult onA = handle.await(TIMEOUT);

        assertEquals(MigrationResult.Status.FAILED, onA.status(), () -> onA.failure().toString());
        assertEquals(MigrationResult.Status.IN_DOUBT, onB.status(), () -> onB.failure().toString());
        assertEquals(SessionState.AWAIT_COMMIT_ACK, onB.failure().orElseThrow().state());
        assertEquals(MigrationResult.Placement.PAUSED_HERE_IN_DOUBT, onB.placement());
        assertEquals(VmStatus.State.IN_DOUBT, hosts.b.engine.vm(VM).orElseThrow().state());
        assertEquals(Optional.of(RunState.PAUSED), TwoHosts.qemuState(hosts.b, VM),
                "a VM in doubt must not run: the source may run it too");
        assertTrue(hosts.b.store.instanceIds().contains(VM), "the state in doubt was discarded");
        // an operator resolves it; stopping keeps the vTPM state
        assertEquals(VmStatus.State.STOPPED, hosts.b.engine.stop(VM).state());
        assertTrue(hosts.b.store.instanceIds().contains(VM));
    }

    @Test
    void aCancelledRunResumesTheSourceAndTheDestinationDiscardsWhatItReceived() throws Exception {
        startVm(Timeouts.DEFAULT);
        CountDownLatch loaded = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        hosts.b.faults.beforeCommit = () -> {
            loaded.countDown();
            awaitQuietly(release);
        };

        MigrationHandle handle = hosts.migrateToB(VM);
        assertTrue(loaded.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "B never loaded the VM");
        handle.cancel();
        MigrationResult onA;
        try {
            onA = handle.await(TIMEOUT);
        } finally {
            release.countDown();
        }

        assertEquals(FailureReason.CANCELLED, onA.failure().orElseThrow().reason(), onA.failure().toString());
        assertEquals(Optional.of(RunState.RUNNING), TwoHosts.qemuState(hosts.a, VM));
        MigrationResult onB = TwoHosts.resultOf(hosts.b, handle.migrationId());
        assertNotEquals(MigrationResult.Status.COMMITTED, onB.status(), onB.toString());
        assertNotEquals(Optional.of(RunState.RUNNING), TwoHosts.qemuState(hosts.b, VM), "the VM runs on both hosts");
    }

    @Test
    void requestsTheSourceCannotServeAreRefusedBeforeAnythingIsSent() throws Exception {
        startVm(Timeouts.DEFAULT);
        PeerAddress b = hosts.b.engine.identity().peerAddress();
        assertEquals(MigrationRefusedException.Reason.UNKNOWN_VM, assertThrows(MigrationRefusedException.class,
                () -> hosts.a.engine.migrate("no-such-vm", b, TwoHosts.POLICY)).reason());
        assertEquals(MigrationRefusedException.Reason.UNKNOWN_POLICY, assertThrows(MigrationRefusedException.class,
                () -> hosts.a.engine.migrate(VM, b, "no-such-policy")).reason());
        PeerAddress stranger = new PeerAddress("127.0.0.1", b.port() == 1 ? 2 : b.port() - 1);
        assertEquals(MigrationRefusedException.Reason.PEER_NOT_ENROLLED, assertThrows(MigrationRefusedException.class,
                () -> hosts.a.engine.migrate(VM, stranger, TwoHosts.POLICY)).reason());
        assertEquals(VmStatus.State.RUNNING, hosts.a.engine.vm(VM).orElseThrow().state());
        assertEquals(OptionalLong.of(0), hosts.a.engine.vm(VM).orElseThrow().vtpmEpoch(), "the epoch moved");
        assertTrue(hosts.a.engine.migrations().isEmpty());
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
