package org.vtpmmigrate.hypervisor.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.VmConfig;

/**
 * The QEMU command line for a {@link VmConfig}, in two parts: the guest-visible arguments (machine,
 * CPU, memory size, devices, kernel command line), which are measured at launch, and the host-side
 * arguments (paths, sockets, accelerator, memory backend, incoming mode), which are not because
 * they change from run to run and host to host without changing what the guest is. File contents
 * behind host-side paths (firmware, kernel, initrd, disk) are measured separately by digest.
 */
public final class QemuCommandLine {
    static final String MEMORY_BACKEND_ID = "mem";
    static final String TPM_ID = "vtpm0";
    static final String TPM_CHARDEV_ID = "vtpm0-ctrl";
    static final String DISK_ID = "disk0";
    private static final List<Path> DEFAULT_FIRMWARE = List.of(
            Path.of("/usr/share/seabios/bios-256k.bin"), Path.of("/usr/share/qemu/bios-256k.bin"));
    private static final Path KVM_DEVICE = Path.of("/dev/kvm");

    private QemuCommandLine() {
    }

    /** The firmware file QEMU will load: the configured one, else the installed SeaBIOS. */
    public static Path resolveFirmware(VmConfig config) throws HypervisorException {
        if (config.firmware().isPresent()) {
            return requireRegularFile(config.firmware().get(), "firmware");
        }
        for (Path candidate : DEFAULT_FIRMWARE) {
            if (Files.isRegularFile(candidate)) {
                return requireRegularFile(candidate, "firmware");
            }
        }
        throw new HypervisorException("no firmware configured and none of " + DEFAULT_FIRMWARE + " exists");
    }

    /** The guest-visible arguments, in command-line order; the launch measurement hashes exactly these. */
    public static List<String> guestArguments(VmConfig config) {
        List<String> args = new ArrayList<>(List.of(
                "-machine", config.machineType().qemuName() + ",memory-backend=" + MEMORY_BACKEND_ID,
                "-cpu", config.cpuModel(),
                "-smp", Integer.toString(config.vcpus()),
                "-m", config.memoryMiB() + "M",
                "-nodefaults",
                "-no-user-config",
                "-display", "none",
                "-serial", "none",
                "-tpmdev", "emulator,id=" + TPM_ID + ",chardev=" + TPM_CHARDEV_ID,
                "-device", config.tpmModel().qemuDevice() + ",tpmdev=" + TPM_ID));
        config.kernelCommandLine().ifPresent(cmdline -> args.addAll(List.of("-append", cmdline)));
        if (config.diskImage().isPresent()) {
            args.addAll(List.of("-device", "virtio-blk-pci,drive=" + DISK_ID));
        }
        return List.copyOf(args);
    }

    /**
     * The whole command: executable, guest arguments, host arguments.
     *
     * @param incoming start as a migration destination: wait for {@code migrate-incoming} and stay
     *     paused ({@code -S}) after the stream has loaded until told to continue
     */
    public static List<String> command(VmConfig config, Path firmware, Path qmpSocket, Path tpmControlSocket,
            boolean incoming) throws HypervisorException {
        List<String> command = new ArrayList<>();
        command.add(config.qemuBinary());
        command.addAll(guestArguments(config));
        command.addAll(List.of("-name", config.name(), "-msg", "timestamp=on"));
        command.addAll(acceleratorArguments(config.accelerator()));
        command.addAll(List.of("-object", memoryBackend(config)));
        command.addAll(List.of("-bios", UnixSockets.requireSafeOptionPath(firmware, "firmware").toString()));
        command.addAll(List.of("-chardev", "socket,id=" + TPM_CHARDEV_ID + ",path="
                + UnixSockets.requireSocketPath(tpmControlSocket, "vTPM control")));
        command.addAll(List.of("-qmp", "unix:" + UnixSockets.requireSocketPath(qmpSocket, "QMP")
                + ",server=on,wait=off"));
        if (config.kernel().isPresent()) {
            command.addAll(List.of("-kernel", safeFile(config.kernel().get(), "kernel")));
        }
        if (config.initrd().isPresent()) {
            command.addAll(List.of("-initrd", safeFile(config.initrd().get(), "initrd")));
        }
        if (config.diskImage().isPresent()) {
            command.addAll(List.of("-drive", "file=" + safeFile(config.diskImage().get(), "disk image")
                    + ",format=raw,if=none,id=" + DISK_ID + ",readonly=on"));
        }
        if (incoming) {
            command.addAll(List.of("-incoming", "defer", "-S"));
        }
        return List.copyOf(command);
    }

    private static List<String> acceleratorArguments(VmConfig.Accelerator accelerator) {
        switch (accelerator) {
            case KVM:
                return List.of("-accel", "kvm");
            case TCG:
                return List.of("-accel", "tcg");
            case AUTO:
            default:
                // QEMU tries the -accel options in order, so a KVM that opens but cannot run a VM
                // still leaves a working TCG guest.
                return isKvmUsable() ? List.of("-accel", "kvm", "-accel", "tcg") : List.of("-accel", "tcg");
        }
    }

    /** True when /dev/kvm can be opened read-write by this process. */
    public static boolean isKvmUsable() {
        try {
            new RandomAccessFile(KVM_DEVICE.toFile(), "rw").close();
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    private static String memoryBackend(VmConfig config) throws HypervisorException {
        long bytes = config.memoryMiB() * 1024 * 1024;
        if (config.memoryFile().isEmpty()) {
            return "memory-backend-ram,id=" + MEMORY_BACKEND_ID + ",size=" + bytes;
        }
        Path file = requireRegularFile(config.memoryFile().get(), "memory file");
        try {
            if (Files.size(file) < bytes) {
                throw new HypervisorException("memory file " + file + " holds " + Files.size(file)
                        + " bytes, fewer than the " + bytes + " bytes of guest RAM");
            }
        } catch (IOException e) {
            throw new HypervisorException("cannot read the size of memory file " + file + ": " + e.getMessage(), e);
        }
        // share=off maps the file privately: the guest starts with its content, the file is never written.
        return "memory-backend-file,id=" + MEMORY_BACKEND_ID + ",size=" + bytes + ",mem-path="
                + UnixSockets.requireSafeOptionPath(file, "memory file") + ",share=off";
    }

    private static String safeFile(Path path, String role) throws HypervisorException {
        return UnixSockets.requireSafeOptionPath(requireRegularFile(path, role), role).toString();
    }

    /** A launch input must be a regular file: a device or FIFO would hash forever or change under us. */
    public static Path requireRegularFile(Path path, String role) throws HypervisorException {
        Path absolute = path.toAbsolutePath().normalize();
        if (!Files.isRegularFile(absolute)) {
            throw new HypervisorException(role + " " + absolute + " is not a regular file");
        }
        return absolute;
    }
}
