package org.vtpmmigrate.hypervisor.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vtpmmigrate.hypervisor.QmpEvent;
import org.vtpmmigrate.hypervisor.QmpException;
import org.vtpmmigrate.hypervisor.RunState;
import org.vtpmmigrate.hypervisor.VirtualMachine;
import org.vtpmmigrate.hypervisor.VmConfig;
import org.vtpmmigrate.hypervisor.VtpmProcess;
import org.vtpmmigrate.hypervisor.VtpmStore;

/** The QMP client against a real QEMU (firmware-only guest with a swtpm vTPM). */
class QmpClientTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    private VirtualMachine vm;
    private QmpClient qmp;

    @BeforeEach
    void launch() throws Exception {
        VtpmStore store = VtpmStore.open(temp.resolve("store"));
        VtpmProcess vtpm = store.create("qmp-vm", TIMEOUT).startForQemu(TIMEOUT);
        // AUTO: KVM where /dev/kvm works, TCG otherwise
        vm = VirtualMachine.launch(VmConfig.builder().name("qmp-vm").build(), temp.resolve("run"), vtpm, TIMEOUT);
        qmp = ((QemuVirtualMachine) vm).qmp();
    }

    @AfterEach
    void stop() {
        vm.close();
    }

    @Test
    void greetingNamesQemuAndTheGuestRuns() throws Exception {
        JsonObject version = qmp.greeting().getAsJsonObject("version").getAsJsonObject("qemu");
        assertTrue(version.get("major").getAsInt() >= 7, "QEMU version " + version);
        assertEquals(RunState.RUNNING, vm.status());
        JsonElement raw = qmp.execute("query-status", TIMEOUT);
        assertEquals("running", raw.getAsJsonObject().get("status").getAsString());
        assertTrue(List.of("kvm", "tcg").contains(vm.accelerator()), vm.accelerator());
        if (!QemuCommandLine.isKvmUsable()) {
            assertEquals("tcg", vm.accelerator());
        }
    }

    @Test
    void anUnknownCommandIsATypedErrorWithQmpsClass() throws Exception {
        QmpException error = assertThrows(QmpException.class, () -> qmp.execute("no-such-command", TIMEOUT));
        assertEquals("CommandNotFound", error.errorClass());
        assertEquals("no-such-command", error.command());
        assertTrue(error.description().contains("no-such-command"), error.description());
        // the connection survives an error reply
        assertEquals(RunState.RUNNING, vm.status());
    }

    @Test
    void badArgumentsAreAGenericError() throws Exception {
        JsonObject arguments = new JsonObject();
        arguments.addProperty("no-such-argument", 1);
        QmpException error = assertThrows(QmpException.class, () -> qmp.execute("query-status", arguments, TIMEOUT));
        assertEquals("GenericError", error.errorClass());
    }

    @Test
    void stopAndResumeEventsReachListenersAndSubscriptions() throws Exception {
        List<String> heard = new CopyOnWriteArrayList<>();
        vm.addEventListener(event -> heard.add(event.name()));
        try (QmpClient.EventSubscription stops = qmp.subscribe(event -> "STOP".equals(event.name()));
                QmpClient.EventSubscription resumes = qmp.subscribe(event -> "RESUME".equals(event.name()))) {
            vm.pause();
            QmpEvent stop = stops.await("STOP event", TIMEOUT);
            assertTrue(stop.timestamp().getEpochSecond() > 0, "event without a timestamp");
            assertEquals(RunState.PAUSED, vm.status());
            vm.resume();
            resumes.await("RESUME event", TIMEOUT);
            vm.awaitStatus(RunState.RUNNING, TIMEOUT);
        }
        assertTrue(heard.containsAll(List.of("STOP", "RESUME")), "listener heard " + heard);
    }

    @Test
    void commandNamesAreValidatedBeforeSending() {
        assertThrows(IllegalArgumentException.class, () -> qmp.execute("query-status\n{\"execute\":\"quit\"}",
                TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> qmp.execute("", TIMEOUT));
    }

    @Test
    void stopQuitsQemuAndItsVtpmAndTheLogsStay() throws Exception {
        VtpmProcess vtpm = vm.vtpm();
        vm.stop(TIMEOUT);
        assertFalse(vm.isAlive(), "QEMU still running");
        assertTrue(vtpm.awaitExit(TIMEOUT), "vTPM still running");
        assertFalse(qmp.isOpen(), "QMP still open");
        assertTrue(Files.readString(temp.resolve("run/qemu.log")).contains("-tpmdev"),
                "QEMU's log lacks its command line");
        assertTrue(Files.exists(vtpm.logFile()), "no swtpm log");
    }
}
