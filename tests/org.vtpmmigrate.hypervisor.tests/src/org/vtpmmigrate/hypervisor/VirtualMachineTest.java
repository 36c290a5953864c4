package org.vtpmmigrate.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Launching QEMU: device variants, failures reported with QEMU's own words, misuse refused. */
class VirtualMachineTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    private VtpmStore store;
    @RegisterExtension
    final StartedResources started = new StartedResources();

    @BeforeEach
    void openStore() throws Exception {
        store = VtpmStore.open(temp.resolve("store"));
    }

    private VtpmProcess vtpmForQemu(String id) throws Exception {
        return started.track(store.create(id, TIMEOUT).startForQemu(TIMEOUT));
    }

    private static VmConfig.Builder tcg() {
        return VmConfig.builder().accelerator(VmConfig.Accelerator.TCG);
    }

    @Test
    void aVmWithACrbTpmAndAReadOnlyDiskRuns() throws Exception {
        Path disk = Files.write(temp.resolve("disk.raw"), new byte[1 << 20]);
        VirtualMachine vm = started.track(VirtualMachine.launch(tcg().name("crb").tpmModel(VmConfig.TpmModel.CRB)
                .diskImage(disk).memoryMiB(128).build(), temp.resolve("run"), vtpmForQemu("crb"), TIMEOUT));
        vm.awaitStatus(RunState.RUNNING, TIMEOUT);
        assertEquals(List.of("firmware", "disk-image", "configuration"), vm.launchMeasurement().events().stream()
                .map(LaunchMeasurement.Event::name).toList());
        assertTrue(vm.launchMeasurement().configurationArguments().contains("tpm-crb,tpmdev=vtpm0"));
        assertEquals("tcg", vm.accelerator());
    }

    @Test
    void aQemuThatFailsToStartIsReportedWithItsLogAndItsVtpmIsStopped() throws Exception {
        VtpmProcess vtpm = vtpmForQemu("bad-cpu");
        HypervisorException failure = assertThrows(HypervisorException.class, () -> VirtualMachine.launch(
                tcg().cpuModel("no-such-cpu").build(), temp.resolve("run"), vtpm, TIMEOUT));
        assertTrue(failure.getMessage().contains("no-such-cpu"), failure.getMessage());
        assertTrue(failure.getMessage().contains("exited with code"), failure.getMessage());
        assertTrue(vtpm.awaitExit(TIMEOUT), "the vTPM handed to a failed launch must be stopped");
    }

    @Test
    void aRunDirectoryTooDeepForUnixSocketsIsRefusedBeforeStarting() throws Exception {
        VtpmProcess vtpm = vtpmForQemu("deep");
        Path deep = temp.resolve("d".repeat(60)).resolve("e".repeat(60));
        HypervisorException failure = assertThrows(HypervisorException.class,
                () -> VirtualMachine.launch(tcg().build(), deep, vtpm, TIMEOUT));
        assertTrue(failure.getMessage().contains("over the limit"), failure.getMessage());
    }

    @Test
    void migrationCallsInTheWrongRoleAreRefused() throws Exception {
        VirtualMachine running = started.track(VirtualMachine.launch(tcg().memoryMiB(64).build(), temp.resolve("run-a"),
                vtpmForQemu("role-a"), TIMEOUT));
        HypervisorException notIncoming = assertThrows(HypervisorException.class, () -> running.migrateIn(TIMEOUT));
        assertTrue(notIncoming.getMessage().contains("not launched as a migration destination"),
                notIncoming.getMessage());

        VtpmInstance empty = store.createIncoming(new MigrationEpoch("role-b", 1));
        VirtualMachine waiting = started.track(VirtualMachine.launchIncoming(tcg().memoryMiB(64).build(),
                temp.resolve("run-b"), empty.startForQemu(TIMEOUT), TIMEOUT));
        HypervisorException notRunning = assertThrows(HypervisorException.class,
                () -> waiting.migrateOut(MigrationSettings.defaults()));
        assertTrue(notRunning.getMessage().contains("inmigrate"), notRunning.getMessage());
        assertEquals(MigrationStatus.NONE, waiting.migrationStats().status());
    }

    @Test
    void anOutgoingMigrationClosedBeforeCompletionIsCancelledAndTheGuestRuns() throws Exception {
        VirtualMachine vm = started.track(VirtualMachine.launch(tcg().memoryMiB(64).build(), temp.resolve("run"),
                vtpmForQemu("abandon"), TIMEOUT));
        vm.awaitStatus(RunState.RUNNING, TIMEOUT);
        OutgoingMigration outgoing = vm.migrateOut(MigrationSettings.defaults());
        // nobody reads the stream: QEMU blocks on the socket, then the migration is abandoned
        outgoing.close();
        assertThrows(MigrationFailedException.class, () -> outgoing.awaitCompletion(TIMEOUT));
        vm.awaitStatus(RunState.RUNNING, TIMEOUT);
        assertTrue(vm.migrationStats().status().isFinal());
        assertFalse(Files.exists(temp.resolve("run/migrate-out.sock")), "listening socket file left behind");
    }
}
