package org.vtpmmigrate.hypervisor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.vtpmmigrate.hypervisor.internal.QemuCommandLine;

/**
 * What a VM was launched from, as an ordered list of SHA-256 measurement events for the engine to
 * extend into the host's platform TPM (so the host's quote covers them) and for a verifier to check
 * against a VM allowlist.
 *
 * <p>Events, always in this order, optional ones only when configured:
 * <ol>
 * <li>{@value #FIRMWARE}: SHA-256 of the firmware file QEMU loads ({@code -bios});</li>
 * <li>{@value #KERNEL}, {@value #INITRD}: SHA-256 of the kernel and initrd files;</li>
 * <li>{@value #DISK_IMAGE}: SHA-256 of the raw disk image;</li>
 * <li>{@value #CONFIGURATION}: SHA-256 of {@link #canonicalConfiguration()}, the UTF-8 text
 * {@value #CONFIGURATION_HEADER} followed by each guest-visible QEMU argument on its own line
 * (machine, CPU, vCPUs, memory size, default-device suppression, TPM device, kernel command line,
 * disk device). Paths, sockets, the VM name, the accelerator and the memory backend kind are
 * host-side and left out, so the same VM measures the same on every host and every run.</li>
 * </ol>
 *
 * <p>Each event also has an {@link Event#extendDigest() extend digest} = SHA-256(
 * {@value #EXTEND_DOMAIN} || 0x00 || name || 0x00 || content digest). Extending that value, rather
 * than the bare content digest, binds the event's name into the PCR: a log that relabels the
 * kernel's digest as the firmware's no longer replays to the quoted PCR.
 *
 * <p>Files are hashed when the measurement is taken, just before QEMU starts; a file replaced in
 * between is not detected here (keep launch inputs in a directory only the engine can write).
 */
public final class LaunchMeasurement {
    public static final String FIRMWARE = "firmware";
    public static final String KERNEL = "kernel";
    public static final String INITRD = "initrd";
    public static final String DISK_IMAGE = "disk-image";
    public static final String CONFIGURATION = "configuration";
    public static final String CONFIGURATION_HEADER = "vtpm-migrate qemu-launch-config v1";
    public static final String EXTEND_DOMAIN = "vtpm-migrate launch-event v1";

    /** One measured launch input. */
    public static final class Event {
        private final String name;
        private final byte[] contentDigest;
        private final byte[] extendDigest;

        Event(String name, byte[] contentDigest) {
            this.name = name;
            this.contentDigest = contentDigest.clone();
            this.extendDigest = extendDigestOf(name, contentDigest);
        }

        /** One of the event names defined by {@link LaunchMeasurement}. */
        public String name() {
            return name;
        }

        /** SHA-256 of the measured content. */
        public byte[] contentDigest() {
            return contentDigest.clone();
        }

        /** The value to extend into a SHA-256 PCR bank; see the class description. */
        public byte[] extendDigest() {
            return extendDigest.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Event e && name.equals(e.name) && Arrays.equals(contentDigest, e.contentDigest);
        }

        @Override
        public int hashCode() {
            return 31 * name.hashCode() + Arrays.hashCode(contentDigest);
        }

        @Override
        public String toString() {
            return name + "=sha256:" + HexFormat.of().formatHex(contentDigest);
        }
    }

    private final Path firmware;
    private final List<String> configurationArguments;
    private final List<Event> events;

    private LaunchMeasurement(Path firmware, List<String> configurationArguments, List<Event> events) {
        this.firmware = firmware;
        this.configurationArguments = configurationArguments;
        this.events = events;
    }

    /** Measures the files and configuration of {@code config}; deterministic for unchanged inputs. */
    public static LaunchMeasurement of(VmConfig config) throws HypervisorException {
        Objects.requireNonNull(config, "config");
        Path firmware = QemuCommandLine.resolveFirmware(config);
        List<Event> events = new ArrayList<>();
        events.add(new Event(FIRMWARE, digestFile(firmware, FIRMWARE)));
        if (config.kernel().isPresent()) {
            events.add(new Event(KERNEL, digestFile(config.kernel().get(), KERNEL)));
        }
        if (config.initrd().isPresent()) {
            events.add(new Event(INITRD, digestFile(config.initrd().get(), INITRD)));
        }
        if (config.diskImage().isPresent()) {
            events.add(new Event(DISK_IMAGE, digestFile(config.diskImage().get(), DISK_IMAGE)));
        }
        List<String> arguments = QemuCommandLine.guestArguments(config);
        events.add(new Event(CONFIGURATION, sha256().digest(canonicalText(arguments)
                .getBytes(StandardCharsets.UTF_8))));
        return new LaunchMeasurement(firmware, arguments, List.copyOf(events));
    }

    /** The events in extend order. */
    public List<Event> events() {
        return events;
    }

    /** The firmware file that was measured and that QEMU is given. */
    public Path firmware() {
        return firmware;
    }

    /** The guest-visible QEMU arguments the configuration event covers. */
    public List<String> configurationArguments() {
        return configurationArguments;
    }

    /** The exact text hashed by the {@value #CONFIGURATION} event. */
    public String canonicalConfiguration() {
        return canonicalText(configurationArguments);
    }

    @Override
    public String toString() {
        return "LaunchMeasurement" + events;
    }

    private static String canonicalText(List<String> arguments) {
        StringBuilder text = new StringBuilder(CONFIGURATION_HEADER).append('\n');
        for (String argument : arguments) {
            if (argument.indexOf('\n') >= 0 || argument.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("QEMU argument contains a line break or NUL: " + argument);
            }
            text.append(argument).append('\n');
        }
        return text.toString();
    }

    private static byte[] digestFile(Path file, String role) throws HypervisorException {
        Path regular = QemuCommandLine.requireRegularFile(file, role);
        MessageDigest digest = sha256();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(regular)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new HypervisorException("cannot read " + role + " " + regular + " to measure it: " + e.getMessage(),
                    e);
        }
        return digest.digest();
    }

    private static byte[] extendDigestOf(String name, byte[] contentDigest) {
        MessageDigest digest = sha256();
        digest.update(EXTEND_DOMAIN.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(name.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(contentDigest);
        return digest.digest();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }
}
