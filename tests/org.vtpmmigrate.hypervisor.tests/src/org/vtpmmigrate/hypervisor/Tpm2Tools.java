package org.vtpmmigrate.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs tpm2-tools against a standalone vTPM's data port, as an independent TPM client. */
final class Tpm2Tools {
    /** An owner-authorised NV index in the range TCG leaves to platform owners. */
    static final String MARKER_INDEX = "0x01500016";
    private static final long TOOL_TIMEOUT_SECONDS = 60;

    private final String tcti;
    private final Path workDirectory;

    Tpm2Tools(VtpmProcess vtpm, Path workDirectory) {
        this.tcti = vtpm.tcti();
        this.workDirectory = workDirectory;
    }

    /** Defines the marker index and writes {@code marker} into it. */
    void writeMarker(byte[] marker) throws IOException, InterruptedException {
        run("tpm2_nvdefine", MARKER_INDEX, "-C", "o", "-s", Integer.toString(marker.length), "-a",
                "ownerread|ownerwrite");
        Path input = Files.write(workDirectory.resolve("marker.in"), marker);
        run("tpm2_nvwrite", MARKER_INDEX, "-C", "o", "-i", input.toString());
    }

    /** Reads {@code length} bytes of the marker index. */
    byte[] readMarker(int length) throws IOException, InterruptedException {
        Path output = workDirectory.resolve("marker.out");
        Files.deleteIfExists(output);
        run("tpm2_nvread", MARKER_INDEX, "-C", "o", "-s", Integer.toString(length), "-o", output.toString());
        return Files.readAllBytes(output);
    }

    private void run(String... command) throws IOException, InterruptedException {
        Path log = workDirectory.resolve(command[0] + ".log");
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(command)))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("TPM2TOOLS_TCTI", tcti);
        Process process = builder.start();
        try {
            assertTrue(process.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS),
                    command[0] + " did not finish within " + TOOL_TIMEOUT_SECONDS + " s");
            assertEquals(0, process.exitValue(), () -> String.join(" ", command) + " failed: "
                    + readQuietly(log));
        } finally {
            process.destroyForcibly();
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }
}
