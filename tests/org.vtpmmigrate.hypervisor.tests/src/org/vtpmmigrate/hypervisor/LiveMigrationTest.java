package org.vtpmmigrate.hypervisor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live migration between two local QEMU processes, each with its own swtpm, the stream relayed by
 * Java through the sockets this bundle hands out. The source's RAM is filled with random bytes
 * (a file-backed memory backend) so that the stream really carries 256 MiB.
 */
class LiveMigrationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final long MEMORY_MIB = 256;
    private static final long MEMORY_BYTES = MEMORY_MIB * 1024 * 1024;
    private static final byte[] MARKER = "marker-travels-with-the-vm".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    static Path shared;
    private static Path randomRam;

    @TempDir
    Path temp;

    @RegisterExtension
    final StartedResources started = new StartedResources();

    /** A VM with its vTPM on one "host" (a store and run directories of its own). */
    private record Host(VtpmStore store, VtpmInstance instance, VirtualMachine vm) {
    }

    @BeforeAll
    static void fillRandomRam() throws Exception {
        randomRam = shared.resolve("ram.bin");
        SplittableRandom random = new SplittableRandom(0x5eed);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(randomRam)) {
            for (long written = 0; written < MEMORY_BYTES; written += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
    }

    private static VmConfig config(String name, boolean randomMemory) {
        return VmConfig.builder().name(name).memoryMiB(MEMORY_MIB).accelerator(VmConfig.Accelerator.TCG)
                .memoryFile(randomMemory ? randomRam : null).build();
    }

    /** A running VM whose vTPM holds {@link #MARKER}, written before QEMU attached. */
    private Host source(String id, boolean randomMemory) throws Exception {
        VtpmStore store = VtpmStore.open(temp.resolve("source-store"));
        VtpmInstance instance = store.create(id, TIMEOUT);
        try (VtpmProcess standalone = instance.startStandalone(TIMEOUT)) {
            new Tpm2Tools(standalone, temp).writeMarker(MARKER);
        }
        VirtualMachine vm = started.track(VirtualMachine.launch(config(id, randomMemory), temp.resolve("source-run"),
                instance.startForQemu(TIMEOUT), TIMEOUT));
        vm.awaitStatus(RunState.RUNNING, TIMEOUT);
        return new Host(store, instance, vm);
    }

    /** A destination QEMU waiting for a stream, with an empty vTPM of the given epoch. */
    private Host destination(String runName, MigrationEpoch epoch) throws Exception {
        VtpmStore store = VtpmStore.open(temp.resolve("destination-store"));
        VtpmInstance instance = store.createIncoming(epoch);
        VirtualMachine vm = started.track(VirtualMachine.launchIncoming(config(epoch.instanceId(), false),
                temp.resolve(runName), instance.startForQemu(TIMEOUT), TIMEOUT));
        assertEquals(RunState.INMIGRATE, vm.status());
        return new Host(store, instance, vm);
    }

    /** Runs a whole migration through the relay; the destination ends loaded and paused. */
    private static MigrationStats migrate(Host source, Host destination) throws Exception {
        try (IncomingMigration incoming = destination.vm().migrateIn(TIMEOUT);
                OutgoingMigration outgoing = source.vm().migrateOut(MigrationSettings.defaults())) {
            StreamRelay relay = StreamRelay.start(outgoing, incoming);
            MigrationStats stats = outgoing.awaitCompletion(TIMEOUT);
            long relayed = relay.finished().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(RunState.PAUSED, incoming.awaitCompletion(TIMEOUT));
            assertEquals(MigrationStatus.COMPLETED, stats.status());
            assertTrue(relayed >= stats.transferredBytes(), "relayed " + relayed
                    + " bytes, fewer than the RAM bytes QEMU reports sent: " + stats.transferredBytes());
            System.out.printf("migration of %d MiB (%s RAM): total %d ms, downtime %d ms, setup %d ms, "
                    + "RAM bytes %d, stream bytes relayed %d, pre-copy rounds (dirty syncs) %d%n",
                    MEMORY_MIB, source.vm().config().memoryFile().isPresent() ? "random" : "idle",
                    stats.totalTimeMillis(), stats.downtimeMillis(), stats.setupTimeMillis(),
                    stats.transferredBytes(), relayed, stats.dirtySyncCount());
            return stats;
        }
    }

    private void assertMarkerIn(VtpmInstance instance) throws Exception {
        try (VtpmProcess standalone = instance.startStandalone(TIMEOUT)) {
            assertArrayEquals(MARKER, new Tpm2Tools(standalone, temp).readMarker(MARKER.length),
                    "vTPM state of " + instance + " lacks the marker");
        }
    }

    @Test
    void vmAndVtpmMoveThroughAJavaRelayAndTheSourceIsRetiredOnCommit() throws Exception {
        Host source = source("vm-move", true);
        Host destination = destination("destination-run", source.instance().advanceEpoch());

        MigrationStats stats = migrate(source, destination);

        // random RAM does not compress; only the pages the firmware zeroed travel as zero-page markers
        assertTrue(stats.transferredBytes() >= MEMORY_BYTES * 99 / 100,
                "random RAM cannot compress, yet only " + stats.transferredBytes() + " bytes were sent");
        assertTrue(stats.dirtySyncCount() >= 2, "pre-copy rounds: " + stats.dirtySyncCount());
        assertTrue(stats.downtimeMillis() >= 0 && stats.totalTimeMillis() > 0, stats.toString());
        assertEquals(RunState.POSTMIGRATE, source.vm().status(), "source must wait, paused, for the commit");
        destination.vm().resume();
        destination.vm().awaitStatus(RunState.RUNNING, TIMEOUT);

        // commit: the source VM stops and its vTPM state is destroyed
        source.vm().stop(TIMEOUT);
        Path sourceState = source.instance().stateDirectory();
        source.store().secureDelete(source.instance());
        assertFalse(Files.exists(sourceState), "source vTPM state survived the commit");

        destination.vm().stop(TIMEOUT);
        assertMarkerIn(destination.instance());
    }

    @Test
    void aCutRelayLeavesTheSourceRunningAndASecondMigrationSucceeds() throws Exception {
        Host source = source("vm-retry", true);
        Host firstDestination = destination("destination-run-1", source.instance().advanceEpoch());
        long cutAt = 16L * 1024 * 1024;

        try (IncomingMigration incoming = firstDestination.vm().migrateIn(TIMEOUT);
                OutgoingMigration outgoing = source.vm().migrateOut(MigrationSettings.defaults())) {
            StreamRelay relay = StreamRelay.start(outgoing, incoming, cutAt);
            assertEquals(cutAt, relay.finished().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));

            MigrationFailedException sourceSide = assertThrows(MigrationFailedException.class,
                    () -> outgoing.awaitCompletion(TIMEOUT));
            assertEquals(MigrationStatus.FAILED, sourceSide.status(), sourceSide.getMessage());
            source.vm().awaitStatus(RunState.RUNNING, TIMEOUT);

            assertThrows(MigrationFailedException.class, () -> incoming.awaitCompletion(TIMEOUT));
            assertTrue(firstDestination.vm().awaitExit(TIMEOUT), "QEMU 7.2 exits when its incoming stream breaks");
        }
        // the destination discards everything it received
        firstDestination.vm().close();
        firstDestination.store().secureDelete(firstDestination.instance());

        Host secondDestination = destination("destination-run-2", source.instance().advanceEpoch());
        migrate(source, secondDestination);
        secondDestination.vm().resume();
        secondDestination.vm().awaitStatus(RunState.RUNNING, TIMEOUT);
        assertEquals(RunState.POSTMIGRATE, source.vm().status());

        secondDestination.vm().stop(TIMEOUT);
        assertMarkerIn(secondDestination.instance());
    }

    @Test
    void withoutACommitTheSourceResumesWithItsVtpmStateIntact() throws Exception {
        Host source = source("vm-stay", false);
        Host destination = destination("destination-run", source.instance().advanceEpoch());

        MigrationStats stats = migrate(source, destination);
        assertTrue(stats.ramTotalBytes() >= MEMORY_BYTES, stats.toString());
        assertEquals(RunState.POSTMIGRATE, source.vm().status());

        // no commit arrives: the destination is discarded and the source carries on
        destination.vm().close();
        assertFalse(destination.vm().isAlive(), "destination QEMU survived being discarded");
        destination.store().secureDelete(destination.instance());
        source.vm().resume();
        source.vm().awaitStatus(RunState.RUNNING, TIMEOUT);

        source.vm().stop(TIMEOUT);
        assertMarkerIn(source.instance());
    }
}
