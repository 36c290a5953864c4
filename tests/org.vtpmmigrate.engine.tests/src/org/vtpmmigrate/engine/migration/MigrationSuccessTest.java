package org.vtpmmigrate.engine.migration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vtpmmigrate.engine.internal.migration.TestHost;
import org.vtpmmigrate.engine.internal.migration.TwoHosts;
import org.vtpmmigrate.engine.internal.migration.VtpmMarker;
import org.vtpmmigrate.hypervisor.RunState;
import org.vtpmmigrate.hypervisor.VmConfig;
import org.vtpmmigrate.hypervisor.VtpmInstance;
import org.vtpmmigrate.protocol.Phase;
import org.vtpmmigrate.protocol.Role;
import org.vtpmmigrate.testsupport.Await;

/**
 * A VM with its vTPM moves from host A to host B, both real: swtpm platform TPMs, QEMU (TCG) and
 * swtpm vTPMs, the engines talking over TCP on 127.0.0.1.
 */
class MigrationSuccessTest {
    private static final Duration TIMEOUT = TwoHosts.TIMEOUT;

    @TempDir
    Path temp;
    private TwoHosts hosts;

    @BeforeEach
    void startHosts() throws Exception {
        hosts = TwoHosts.start(temp);
    }

    @AfterEach
    void stopHosts() {
        hosts.close();
    }

    @Test
    void aVmAndItsVtpmMoveToTheAttestedHostAndBackAndNothingOfThemStaysBehind() throws Exception {
        VmConfig config = TestHost.vm("vm-move", VmConfig.DEFAULT_MEMORY_MIB);
        hosts.sharePolicy(config);
        VtpmInstance sourceInstance = hosts.startOnA(config);
        Path sourceState = sourceInstance.stateDirectory();
        List<MigrationEvent> eventsOnA = new CopyOnWriteArrayList<>();
        hosts.a.engine.addListener(eventsOnA::add);

        MigrationHandle handle = hosts.migrateToB("vm-move");
        MigrationResult onA = handle.await(TIMEOUT);
        MigrationResult onB = TwoHosts.resultOf(hosts.b, handle.migrationId());

        assertEquals(MigrationResult.Status.COMMITTED, onA.status(), () -> onA.failure().toString());
        assertEquals(MigrationResult.Status.COMMITTED, onB.status(), () -> onB.failure().toString());
        assertEquals(MigrationResult.Placement.MOVED_TO_PEER, onA.placement());
        assertEquals(MigrationResult.Placement.RUNNING_HERE, onB.placement());
        assertEquals(Role.SOURCE, onA.role());
        assertEquals("host-b", onA.peer());
        assertEquals("host-a", onB.peer());

        // each host verified its peer itself and learned the peer's verdict on itself from its key confirmation
        assertVerdict(onA, PartyVerdict.Party.DESTINATION, PartyVerdict.Origin.VERIFIED_HERE);
        assertVerdict(onA, PartyVerdict.Party.SOURCE, PartyVerdict.Origin.REPORTED_BY_PEER);
        assertVerdict(onA, PartyVerdict.Party.VM, PartyVerdict.Origin.REPORTED_BY_PEER);
        assertVerdict(onB, PartyVerdict.Party.SOURCE, PartyVerdict.Origin.VERIFIED_HERE);
        assertVerdict(onB, PartyVerdict.Party.VM, PartyVerdict.Origin.VERIFIED_HERE);
        assertVerdict(onB, PartyVerdict.Party.DESTINATION, PartyVerdict.Origin.REPORTED_BY_PEER);

        // the VM runs on B and nowhere else
        assertEquals(VmStatus.State.RUNNING, hosts.b.engine.vm("vm-move").orElseThrow().state());
        assertEquals(Optional.of(RunState.RUNNING), TwoHosts.qemuState(hosts.b, "vm-move"));
        assertEquals(VmStatus.State.DEFINED, hosts.a.engine.vm("vm-move").orElseThrow().state());
        assertEquals(Optional.empty(), hosts.a.engine.machine("vm-move"), "a QEMU for the VM is left on A");
        // A's vTPM state is gone, and A remembers the epoch it handed on
        assertFalse(hosts.a.store.instanceIds().contains("vm-move"), "A still stores the vTPM instance");
        assertFalse(Files.exists(sourceState), "A's vTPM state directory survived the commit");
        assertEquals(OptionalLong.of(1), hosts.a.store.highestEpochSeen("vm-move"));
        assertEquals(1, onA.vtpmEpoch());
        assertEquals(OptionalLong.of(1), hosts.b.engine.vm("vm-move").orElseThrow().vtpmEpoch());

        // the stream as the record layer carried it, and where the time went
        assertTrue(onA.streamBytes() > 1024 * 1024, "stream of " + onA.streamBytes() + " bytes");
        assertEquals(onA.streamBytes(), onB.streamBytes());
        assertEquals(onA.streamRecords(), onB.streamRecords());
        assertTrue(onA.preCopyRounds() >= 2, "pre-copy rounds " + onA.preCopyRounds());
        // QEMU announced its passes; the record layer's bytes are split among them
        assertFalse(onA.rounds().isEmpty(), "no MIGRATION_PASS seen");
        long inRounds = onA.rounds().stream().mapToLong(PreCopyRound::streamBytes).sum();
        assertTrue(inRounds > 0 && inRounds <= onA.streamBytes(), inRounds + " bytes in " + onA.rounds());
        // the wire carries the stream plus handshake, framing and tags, in both directions
        assertTrue(onA.wireBytes() > onA.streamBytes() && onB.wireBytes() == onA.wireBytes(),
                "wire bytes A " + onA.wireBytes() + ", B " + onB.wireBytes() + ", stream " + onA.streamBytes());
        MigrationTimings t = onA.timings();
        assertTrue(t.qemuDowntime().isPresent() && t.qemuMigrationTime().isPresent(), t.toString());
        assertTrue(t.handshake().compareTo(Duration.ZERO) > 0 && t.handshake().compareTo(t.total()) < 0,
                t.toString());
        java.time.Instant previousStart = onA.startedAt();
        for (Phase phase : List.of(Phase.REQUEST, Phase.ATTESTATION, Phase.KEY_ESTABLISHMENT, Phase.TRANSFER,
                Phase.COMMIT, Phase.DONE)) {
            assertTrue(t.perPhase().containsKey(phase), "no time recorded for " + phase + ": " + t);
            assertTrue(!t.phaseStarts().get(phase).isBefore(previousStart), "phases out of order: " + t);
            previousStart = t.phaseStarts().get(phase);
        }
        System.out.printf("A->B, first run of this test, %d MiB idle TCG guest: handshake %d ms (request %d, "
                + "attestation %d, key establishment %d), transfer %d ms, commit %d ms, clean-up %d ms,"
                + " total %d ms; QEMU downtime %d ms, QEMU total %d ms; %d stream bytes in %d records, %d pre-copy "
                + "rounds %s; destination total %d ms%n", config.memoryMiB(), t.handshake().toMillis(),
                t.phase(Phase.REQUEST).toMillis(), t.phase(Phase.ATTESTATION).toMillis(),
                t.phase(Phase.KEY_ESTABLISHMENT).toMillis(),
                t.phase(Phase.TRANSFER).toMillis(), t.phase(Phase.COMMIT).toMillis(), t.phase(Phase.DONE).toMillis(),
                t.total().toMillis(), t.qemuDowntime().get().toMillis(), t.qemuMigrationTime().get().toMillis(),
                onA.streamBytes(), onA.streamRecords(), onA.preCopyRounds(), onA.rounds(),
                onB.timings().total().toMillis());

        // listeners saw the phases in protocol order, then the result
        Await.until(() -> eventsOnA.stream().anyMatch(e -> e instanceof MigrationEvent.Finished), TIMEOUT,
                "the Finished event on A");
        List<Phase> phases = eventsOnA.stream().filter(e -> e instanceof MigrationEvent.PhaseChanged)
                .map(e -> ((MigrationEvent.PhaseChanged) e).phase()).toList();
        assertEquals(List.of(Phase.REQUEST, Phase.ATTESTATION, Phase.KEY_ESTABLISHMENT, Phase.TRANSFER, Phase.COMMIT,
                Phase.DONE), phases);
        assertTrue(eventsOnA.stream().anyMatch(e -> e instanceof MigrationEvent.VerdictReached v
                && v.verdict().party() == PartyVerdict.Party.DESTINATION && v.verdict().accepted()));

        // B measured the arrived VM into its own launch PCR, so it can prove the VM when it moves on: back to A
        MigrationResult back = hosts.b.engine.migrate("vm-move", hosts.a.engine.identity().peerAddress(),
                TwoHosts.POLICY).await(TIMEOUT);
        assertEquals(MigrationResult.Status.COMMITTED, back.status(), () -> back.failure().toString());
        assertEquals(2, back.vtpmEpoch(), "the epoch moves on with every migration");
        assertEquals(Optional.of(RunState.RUNNING), TwoHosts.qemuState(hosts.a, "vm-move"));
        assertFalse(hosts.b.store.instanceIds().contains("vm-move"), "B still stores the vTPM instance");
        Duration warm = back.timings().handshake();
        System.out.printf("B->A, second run: handshake %d ms (request %d, attestation %d, key establishment %d), "
                + "transfer %d ms, commit %d ms, total %d ms, QEMU downtime %d ms%n", warm.toMillis(),
                back.timings().phase(Phase.REQUEST).toMillis(), back.timings().phase(Phase.ATTESTATION).toMillis(),
                back.timings().phase(Phase.KEY_ESTABLISHMENT).toMillis(),
                back.timings().phase(Phase.TRANSFER).toMillis(), back.timings().phase(Phase.COMMIT).toMillis(),
                back.timings().total().toMillis(), back.timings().qemuDowntime().orElseThrow().toMillis());

        // the marker written into the vTPM on A before the VM first started travelled there and back
        hosts.a.engine.stop("vm-move");
        assertArrayEquals(TwoHosts.MARKER, VtpmMarker.read(hosts.a.store.open("vm-move"), TwoHosts.MARKER.length,
                temp), "the vTPM state lacks the marker written before the first start");
    }

    @Test
    void aVmWhoseMemoryDoesNotCompressMovesThroughTheRecordLayerIntact() throws Exception {
        // RAM full of random bytes (a file-backed memory backend): the stream really carries 256 MiB
        long mib = VmConfig.DEFAULT_MEMORY_MIB;
        Path ram = temp.resolve("ram.bin");
        java.util.SplittableRandom random = new java.util.SplittableRandom(0x5eed);
        byte[] chunk = new byte[1 << 20];
        try (java.io.OutputStream out = Files.newOutputStream(ram)) {
            for (long i = 0; i < mib; i++) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
        VmConfig config = VmConfig.builder().name("vm-random").memoryMiB(mib).memoryFile(ram)
                .accelerator(VmConfig.Accelerator.TCG).build();
        hosts.sharePolicy(config);
        hosts.startOnA(config);

        MigrationResult onA = hosts.migrateToB("vm-random").await(TIMEOUT);

        assertEquals(MigrationResult.Status.COMMITTED, onA.status(), () -> onA.failure().toString());
        assertTrue(onA.streamBytes() >= mib * 1024 * 1024 * 99 / 100, "random RAM cannot compress, yet only "
                + onA.streamBytes() + " stream bytes were carried");
        assertEquals(Optional.of(RunState.RUNNING), TwoHosts.qemuState(hosts.b, "vm-random"));
        MigrationTimings t = onA.timings();
        double seconds = t.phase(Phase.TRANSFER).toNanos() / 1e9;
        System.out.printf("A->B %d MiB random-RAM TCG guest: handshake %d ms, transfer %d ms (%.0f MB/s through the "
                + "record layer), commit %d ms, total %d ms; QEMU downtime %d ms, QEMU total %d ms; %d rounds%n", mib,
                t.handshake().toMillis(), t.phase(Phase.TRANSFER).toMillis(), onA.streamBytes() / seconds / 1e6,
                t.phase(Phase.COMMIT).toMillis(), t.total().toMillis(), t.qemuDowntime().orElseThrow().toMillis(),
                t.qemuMigrationTime().orElseThrow().toMillis(), onA.preCopyRounds());
    }

    private static void assertVerdict(MigrationResult result, PartyVerdict.Party party, PartyVerdict.Origin origin) {
        PartyVerdict verdict = result.verdict(party);
        assertEquals(PartyVerdict.Status.ACCEPTED, verdict.status(), result.role() + ": " + verdict);
        assertEquals(origin, verdict.origin(), result.role() + ": " + verdict);
    }
}
