package org.vtpmmigrate.engine.internal.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import org.vtpmmigrate.hypervisor.VmConfig;

/**
 * VM definitions an administrator keeps on a host, one {@code <name>.vm} properties file each:
 * {@code name}, {@code memory.mib}, {@code vcpus}, {@code machine} (q35, pc), {@code cpu},
 * {@code firmware}, {@code kernel}, {@code initrd}, {@code append}, {@code disk},
 * {@code tpm.model} (tis, crb), {@code accelerator} (auto, kvm, tcg). Unknown keys are errors.
 */
final class VmDefinitions {
    static final int MAX_DEFINITIONS = 256;
    static final int MAX_FILE_BYTES = 64 * 1024;
    private static final Set<String> KEYS = Set.of("name", "memory.mib", "vcpus", "machine", "cpu", "firmware",
            "kernel", "initrd", "append", "disk", "tpm.model", "accelerator");

    /** A definition file that cannot be used, with the reason. */
    static final class InvalidDefinitionException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidDefinitionException(Path file, String reason) {
            super("VM definition " + file + ": " + reason);
        }
    }

    private VmDefinitions() {
    }

    /** Every {@code *.vm} file of {@code directory} (none if it does not exist), sorted by name. */
    static List<VmConfig> load(Path directory) throws IOException, InvalidDefinitionException {
        List<VmConfig> out = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return out;
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, "*.vm")) {
            for (Path file : stream) {
                files.add(file);
                if (files.size() > MAX_DEFINITIONS) {
                    throw new InvalidDefinitionException(directory, "more than " + MAX_DEFINITIONS + " definitions");
                }
            }
        }
        files.sort(null);
        for (Path file : files) {
            out.add(parse(file));
        }
        return out;
    }

    static VmConfig parse(Path file) throws IOException, InvalidDefinitionException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new InvalidDefinitionException(file, "larger than " + MAX_FILE_BYTES + " bytes");
        }
        Properties p = new Properties();
        p.load(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
        Set<String> unknown = new TreeSet<>(p.stringPropertyNames());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new InvalidDefinitionException(file, "unknown key '" + unknown.iterator().next() + "' (known: "
                    + new TreeSet<>(KEYS) + ")");
        }
        String name = p.getProperty("name");
        String expected = file.getFileName().toString().replaceFirst("\\.vm$", "");
        if (name == null || !name.trim().equals(expected)) {
            throw new InvalidDefinitionException(file, "name must be given and match the file name ('" + expected + "')");
        }
        try {
            VmConfig.Builder b = VmConfig.builder().name(name.trim());
            String v;
            if ((v = value(p, "memory.mib")) != null) {
                b.memoryMiB(Long.parseLong(v));
            }
            if ((v = value(p, "vcpus")) != null) {
                b.vcpus(Integer.parseInt(v));
            }
            if ((v = value(p, "machine")) != null) {
                b.machineType(VmConfig.MachineType.valueOf(v.toUpperCase(Locale.ROOT)));
            }
            if ((v = value(p, "cpu")) != null) {
                b.cpuModel(v);
            }
            if ((v = value(p, "firmware")) != null) {
                b.firmware(Path.of(v));
            }
            if ((v = value(p, "kernel")) != null) {
                b.kernel(Path.of(v));
            }
            if ((v = value(p, "initrd")) != null) {
                b.initrd(Path.of(v));
            }
            if ((v = value(p, "append")) != null) {
                b.kernelCommandLine(v);
            }
            if ((v = value(p, "disk")) != null) {
                b.diskImage(Path.of(v));
            }
            if ((v = value(p, "tpm.model")) != null) {
                b.tpmModel(VmConfig.TpmModel.valueOf(v.toUpperCase(Locale.ROOT)));
            }
            if ((v = value(p, "accelerator")) != null) {
                b.accelerator(VmConfig.Accelerator.valueOf(v.toUpperCase(Locale.ROOT)));
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            // also NumberFormatException, InvalidPathException and unknown enum names
            throw new InvalidDefinitionException(file, e.getMessage());
        }
    }

    /** Writes a definition file that {@link #parse} reads back as {@code config}. */
    static void write(VmConfig config, Path directory) throws IOException {
        StringBuilder s = new StringBuilder("# VM definition (vTPM Migrate)\n");
        s.append("name=").append(config.name()).append('\n');
        s.append("memory.mib=").append(config.memoryMiB()).append('\n');
        s.append("vcpus=").append(config.vcpus()).append('\n');
        s.append("machine=").append(config.machineType().name().toLowerCase(Locale.ROOT)).append('\n');
        s.append("cpu=").append(config.cpuModel()).append('\n');
        config.firmware().ifPresent(f -> s.append("firmware=").append(f).append('\n'));
        config.kernel().ifPresent(f -> s.append("kernel=").append(f).append('\n'));
        config.initrd().ifPresent(f -> s.append("initrd=").append(f).append('\n'));
        config.kernelCommandLine().ifPresent(f -> s.append("append=").append(f).append('\n'));
        config.diskImage().ifPresent(f -> s.append("disk=").append(f).append('\n'));
        s.append("tpm.model=").append(config.tpmModel().name().toLowerCase(Locale.ROOT)).append('\n');
        s.append("accelerator=").append(config.accelerator().name().toLowerCase(Locale.ROOT)).append('\n');
        Files.createDirectories(directory);
        Files.writeString(directory.resolve(config.name() + ".vm"), s.toString(), StandardCharsets.UTF_8);
    }

    private static String value(Properties p, String key) {
        String v = p.getProperty(key);
        return v == null || v.isBlank() ? null : v.trim();
    }
}
