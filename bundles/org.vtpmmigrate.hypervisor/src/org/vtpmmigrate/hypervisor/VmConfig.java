package org.vtpmmigrate.hypervisor;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a VM is made of: machine, memory, CPU, firmware, optional kernel/initrd/disk image, and the
 * vTPM device model. Immutable; build with {@link #builder()}.
 *
 * <p>A migration destination must be launched with the same guest-visible configuration as the
 * source (QEMU needs the same RAM block layout and devices); the memory backend kind may differ.
 */
public final class VmConfig {
    /** QEMU machine types offered. */
    public enum MachineType {
        Q35("q35"),
        PC("pc");

        private final String qemuName;

        MachineType(String qemuName) {
            this.qemuName = qemuName;
        }

        public String qemuName() {
            return qemuName;
        }
    }

    /** The TPM device the guest sees. */
    public enum TpmModel {
        TIS("tpm-tis"),
        CRB("tpm-crb");

        private final String qemuDevice;

        TpmModel(String qemuDevice) {
            this.qemuDevice = qemuDevice;
        }

        public String qemuDevice() {
            return qemuDevice;
        }
    }

    /**
     * Which QEMU accelerator to use. Source and destination of a migration should use the same one:
     * CPU state saved under KVM does not necessarily load under TCG, or the other way round.
     */
    public enum Accelerator {
        /** KVM when /dev/kvm can be opened read-write, falling back to TCG if KVM fails to start. */
        AUTO,
        KVM,
        TCG
    }

    public static final long DEFAULT_MEMORY_MIB = 256;
    public static final long MAX_MEMORY_MIB = 64 * 1024;
    public static final int MAX_VCPUS = 64;
    public static final int MAX_KERNEL_COMMAND_LINE = 2048;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern CPU_MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern PRINTABLE_ASCII = Pattern.compile("[\\x20-\\x7e]*");

    private final String name;
    private final long memoryMiB;
    private final MachineType machineType;
    private final String cpuModel;
    private final int vcpus;
    private final Path memoryFile;
    private final Path firmware;
    private final Path kernel;
    private final Path initrd;
    private final String kernelCommandLine;
    private final Path diskImage;
    private final TpmModel tpmModel;
    private final Accelerator accelerator;
    private final String qemuBinary;

    private VmConfig(Builder b) {
        this.name = b.name;
        this.memoryMiB = b.memoryMiB;
        this.machineType = b.machineType;
        this.cpuModel = b.cpuModel;
        this.vcpus = b.vcpus;
        this.memoryFile = b.memoryFile;
        this.firmware = b.firmware;
        this.kernel = b.kernel;
        this.initrd = b.initrd;
        this.kernelCommandLine = b.kernelCommandLine;
        this.diskImage = b.diskImage;
        this.tpmModel = b.tpmModel;
        this.accelerator = b.accelerator;
        this.qemuBinary = b.qemuBinary;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder preset with this configuration, e.g. to derive a destination's configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.name = name;
        b.memoryMiB = memoryMiB;
        b.machineType = machineType;
        b.cpuModel = cpuModel;
        b.vcpus = vcpus;
        b.memoryFile = memoryFile;
        b.firmware = firmware;
        b.kernel = kernel;
        b.initrd = initrd;
        b.kernelCommandLine = kernelCommandLine;
        b.diskImage = diskImage;
        b.tpmModel = tpmModel;
        b.accelerator = accelerator;
        b.qemuBinary = qemuBinary;
        return b;
    }

    /** A label for logs and the QEMU process name; not measured. */
    public String name() {
        return name;
    }

    public long memoryMiB() {
        return memoryMiB;
    }

    public MachineType machineType() {
        return machineType;
    }

    public String cpuModel() {
        return cpuModel;
    }

    public int vcpus() {
        return vcpus;
    }

    /**
     * A file whose content becomes the guest's initial RAM ({@code memory-backend-file}, private
     * mapping, the file is never written); empty for anonymous RAM. For benchmarks that need RAM full
     * of incompressible bytes.
     */
    public Optional<Path> memoryFile() {
        return Optional.ofNullable(memoryFile);
    }

    /** The firmware image; empty for the SeaBIOS image installed with QEMU. */
    public Optional<Path> firmware() {
        return Optional.ofNullable(firmware);
    }

    public Optional<Path> kernel() {
        return Optional.ofNullable(kernel);
    }

    public Optional<Path> initrd() {
        return Optional.ofNullable(initrd);
    }

    public Optional<String> kernelCommandLine() {
        return Optional.ofNullable(kernelCommandLine);
    }

    /** A raw disk image attached read-only as virtio-blk (read-only so both hosts can share it). */
    public Optional<Path> diskImage() {
        return Optional.ofNullable(diskImage);
    }

    public TpmModel tpmModel() {
        return tpmModel;
    }

    public Accelerator accelerator() {
        return accelerator;
    }

    /** The QEMU executable, looked up on PATH unless absolute. */
    public String qemuBinary() {
        return qemuBinary;
    }

    /** Builds a {@link VmConfig}; setters validate their argument. */
    public static final class Builder {
        private String name = "vm";
        private long memoryMiB = DEFAULT_MEMORY_MIB;
        private MachineType machineType = MachineType.Q35;
        private String cpuModel = "qemu64";
        private int vcpus = 1;
        private Path memoryFile;
        private Path firmware;
        private Path kernel;
        private Path initrd;
        private String kernelCommandLine;
        private Path diskImage;
        private TpmModel tpmModel = TpmModel.TIS;
        private Accelerator accelerator = Accelerator.AUTO;
        private String qemuBinary = "qemu-system-x86_64";

        private Builder() {
        }

        public Builder name(String value) {
            name = requireMatch(NAME, value, "VM name");
            return this;
        }

        public Builder memoryMiB(long value) {
            if (value < 16 || value > MAX_MEMORY_MIB) {
                throw new IllegalArgumentException("memory " + value + " MiB outside 16.." + MAX_MEMORY_MIB);
            }
            memoryMiB = value;
            return this;
        }

        public Builder machineType(MachineType value) {
            machineType = Objects.requireNonNull(value, "machineType");
            return this;
        }

        public Builder cpuModel(String value) {
            cpuModel = requireMatch(CPU_MODEL, value, "CPU model");
            return this;
        }

        public Builder vcpus(int value) {
            if (value < 1 || value > MAX_VCPUS) {
                throw new IllegalArgumentException("vCPU count " + value + " outside 1.." + MAX_VCPUS);
            }
            vcpus = value;
            return this;
        }

        /** See {@link VmConfig#memoryFile()}; {@code null} for anonymous RAM. */
        public Builder memoryFile(Path value) {
            memoryFile = value;
            return this;
        }

        public Builder firmware(Path value) {
            firmware = value;
            return this;
        }

        public Builder kernel(Path value) {
            kernel = value;
            return this;
        }

        public Builder initrd(Path value) {
            initrd = value;
            return this;
        }

        /** Printable ASCII, at most {@link #MAX_KERNEL_COMMAND_LINE} characters; needs a kernel. */
        public Builder kernelCommandLine(String value) {
            if (value != null && (value.length() > MAX_KERNEL_COMMAND_LINE
                    || !PRINTABLE_ASCII.matcher(value).matches())) {
                throw new IllegalArgumentException("kernel command line must be printable ASCII of at most "
                        + MAX_KERNEL_COMMAND_LINE + " characters");
            }
            kernelCommandLine = value;
            return this;
        }

        public Builder diskImage(Path value) {
            diskImage = value;
            return this;
        }

        public Builder tpmModel(TpmModel value) {
            tpmModel = Objects.requireNonNull(value, "tpmModel");
            return this;
        }

        public Builder accelerator(Accelerator value) {
            accelerator = Objects.requireNonNull(value, "accelerator");
            return this;
        }

        public Builder qemuBinary(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("QEMU binary must be named");
            }
            qemuBinary = value;
            return this;
        }

        public VmConfig build() {
            if ((initrd != null || kernelCommandLine != null) && kernel == null) {
                throw new IllegalArgumentException("an initrd or kernel command line needs a kernel");
            }
            return new VmConfig(this);
        }

        private static String requireMatch(Pattern pattern, String value, String what) {
            if (value == null || !pattern.matcher(value).matches()) {
                throw new IllegalArgumentException(what + " '" + value + "' does not match " + pattern.pattern());
            }
            return value;
        }
    }
}
