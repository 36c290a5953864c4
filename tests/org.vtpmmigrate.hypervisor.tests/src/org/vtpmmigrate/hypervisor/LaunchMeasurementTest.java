package org.vtpmmigrate.hypervisor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LaunchMeasurementTest {
    @TempDir
    Path temp;

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    private static List<String> names(LaunchMeasurement measurement) {
        return measurement.events().stream().map(LaunchMeasurement.Event::name).collect(Collectors.toList());
    }

    @Test
    void firmwareAndConfigurationAreMeasuredDeterministically() throws Exception {
        VmConfig config = VmConfig.builder().build();
        LaunchMeasurement first = LaunchMeasurement.of(config);
        LaunchMeasurement second = LaunchMeasurement.of(config);

        assertEquals(List.of(LaunchMeasurement.FIRMWARE, LaunchMeasurement.CONFIGURATION), names(first));
        assertEquals(first.events(), second.events());
        assertArrayEquals(sha256(Files.readAllBytes(first.firmware())), first.events().get(0).contentDigest());
        assertArrayEquals(sha256(first.canonicalConfiguration().getBytes(StandardCharsets.UTF_8)),
                first.events().get(1).contentDigest());
        assertTrue(first.canonicalConfiguration().startsWith(LaunchMeasurement.CONFIGURATION_HEADER + "\n"));
        assertTrue(first.configurationArguments().contains("256M"), first.configurationArguments().toString());
        assertTrue(first.configurationArguments().contains("tpm-tis,tpmdev=vtpm0"));
    }

    @Test
    void theExtendDigestBindsTheEventName() throws Exception {
        LaunchMeasurement.Event firmware = LaunchMeasurement.of(VmConfig.builder().build()).events().get(0);
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        expected.update(LaunchMeasurement.EXTEND_DOMAIN.getBytes(StandardCharsets.UTF_8));
        expected.update((byte) 0);
        expected.update("firmware".getBytes(StandardCharsets.UTF_8));
        expected.update((byte) 0);
        expected.update(firmware.contentDigest());
        assertArrayEquals(expected.digest(), firmware.extendDigest());
    }

    @Test
    void guestVisibleChangesChangeTheConfigurationDigestHostSideOnesDoNot() throws Exception {
        byte[] base = configurationDigest(VmConfig.builder().build());
        assertFalse(java.util.Arrays.equals(base, configurationDigest(VmConfig.builder().memoryMiB(512).build())));
        assertFalse(java.util.Arrays.equals(base, configurationDigest(
                VmConfig.builder().tpmModel(VmConfig.TpmModel.CRB).build())));
        assertFalse(java.util.Arrays.equals(base, configurationDigest(
                VmConfig.builder().machineType(VmConfig.MachineType.PC).build())));
        assertFalse(java.util.Arrays.equals(base, configurationDigest(VmConfig.builder().vcpus(2).build())));

        Path ram = Files.write(temp.resolve("ram.bin"), new byte[16]);
        assertArrayEquals(base, configurationDigest(VmConfig.builder().name("other-name")
                .accelerator(VmConfig.Accelerator.TCG).memoryFile(ram).build()));
    }

    private static byte[] configurationDigest(VmConfig config) throws Exception {
        List<LaunchMeasurement.Event> events = LaunchMeasurement.of(config).events();
        return events.get(events.size() - 1).contentDigest();
    }

    @Test
    void kernelInitrdAndDiskAreMeasuredInOrder() throws Exception {
        Path kernel = Files.writeString(temp.resolve("vmlinuz"), "kernel bytes");
        Path initrd = Files.writeString(temp.resolve("initrd.img"), "initrd bytes");
        Path disk = Files.writeString(temp.resolve("disk.raw"), "disk bytes");
        LaunchMeasurement measurement = LaunchMeasurement.of(VmConfig.builder().kernel(kernel).initrd(initrd)
                .kernelCommandLine("console=ttyS0 quiet").diskImage(disk).build());

        assertEquals(List.of("firmware", "kernel", "initrd", "disk-image", "configuration"), names(measurement));
        assertArrayEquals(sha256("kernel bytes".getBytes(StandardCharsets.UTF_8)),
                measurement.events().get(1).contentDigest());
        assertArrayEquals(sha256("disk bytes".getBytes(StandardCharsets.UTF_8)),
                measurement.events().get(3).contentDigest());
        assertTrue(measurement.canonicalConfiguration().contains("\nconsole=ttyS0 quiet\n"));
        assertFalse(measurement.canonicalConfiguration().contains(temp.toString()),
                "per-run paths must not be measured");
        assertNotEquals(measurement.events().get(1), measurement.events().get(2));
    }

    @Test
    void nonRegularFilesAreRefused() {
        HypervisorException refused = assertThrows(HypervisorException.class, () -> LaunchMeasurement.of(
                VmConfig.builder().kernel(Path.of("/dev/zero")).build()));
        assertTrue(refused.getMessage().contains("not a regular file"), refused.getMessage());
        assertThrows(HypervisorException.class, () -> LaunchMeasurement.of(
                VmConfig.builder().firmware(temp.resolve("missing.bin")).build()));
    }

    @Test
    void configurationInputsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> VmConfig.builder().memoryMiB(8));
        assertThrows(IllegalArgumentException.class, () -> VmConfig.builder().name("bad name"));
        assertThrows(IllegalArgumentException.class, () -> VmConfig.builder().cpuModel("host,+x"));
        assertThrows(IllegalArgumentException.class, () -> VmConfig.builder().kernelCommandLine("a\nb"));
        assertThrows(IllegalArgumentException.class, () -> VmConfig.builder().kernelCommandLine("x").build(),
                "a command line without a kernel");
    }
}
