package org.vtpmmigrate.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.VtpmInstance;
import org.vtpmmigrate.hypervisor.VtpmProcess;

/**
 * A marker in an NV index of a vTPM's state, written and read with tpm2-tools through a standalone
 * swtpm on the instance (only while no QEMU uses it): a witness outside the engine that the vTPM
 * state travelled with the VM.
 */
final class DemoMarker {
    /** An owner-authorised NV index in the range TCG leaves to platform owners. */
    private static final String INDEX = "0x01500016";
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);
    /** tpm2-tools' output kept in error messages. */
    private static final int MAX_LOG_CHARS = 2000;

    private final byte[] marker;
    private final Path work;

    /** {@code work} holds the tools' input, output and logs. */
    DemoMarker(String marker, Path work) {
        this.marker = marker.getBytes(StandardCharsets.US_ASCII);
        this.work = work;
    }

    String text() {
        return new String(marker, StandardCharsets.US_ASCII);
    }

    void write(VtpmInstance instance) throws HypervisorException, IOException, InterruptedException {
        try (VtpmProcess vtpm = instance.startStandalone(TOOL_TIMEOUT)) {
            tool(vtpm, "tpm2_nvdefine", INDEX, "-C", "o", "-s", Integer.toString(marker.length), "-a",
                    "ownerread|ownerwrite");
            Path input = Files.write(work.resolve("marker.in"), marker);
            tool(vtpm, "tpm2_nvwrite", INDEX, "-C", "o", "-i", input.toString());
        }
    }

    /** The marker's bytes as the instance's NV index holds them now, read as ASCII. */
    String read(VtpmInstance instance) throws HypervisorException, IOException, InterruptedException {
        try (VtpmProcess vtpm = instance.startStandalone(TOOL_TIMEOUT)) {
            Path output = work.resolve("marker-" + instance.id() + ".out");
            Files.deleteIfExists(output);
            tool(vtpm, "tpm2_nvread", INDEX, "-C", "o", "-s", Integer.toString(marker.length), "-o",
                    output.toString());
            return new String(Files.readAllBytes(output), StandardCharsets.US_ASCII);
        }
    }

    private void tool(VtpmProcess vtpm, String... command) throws IOException, InterruptedException {
        Path log = work.resolve(command[0] + ".log");
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(command)))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("TPM2TOOLS_TCTI", vtpm.tcti());
        Process process = builder.start();
        if (!process.waitFor(TOOL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IOException(command[0] + " did not finish within " + TOOL_TIMEOUT.toSeconds() + " s");
        }
        if (process.exitValue() != 0) {
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (output.length() > MAX_LOG_CHARS) {
                output = output.substring(0, MAX_LOG_CHARS) + "...";
            }
            throw new IOException(String.join(" ", command) + " exited with " + process.exitValue() + ": "
                    + output.strip());
        }
    }
}
