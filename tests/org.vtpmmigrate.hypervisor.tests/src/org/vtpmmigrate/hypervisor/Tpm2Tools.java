package org.vtpmmigrate.hypervisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.vtpmmigrate.testsupport.ProcessResult;

/** Runs tpm2-tools against a standalone vTPM's data port, as an independent TPM client. */
final class Tpm2Tools {
    /** An owner-authorised NV index in the range TCG leaves to platform owners. */
    static final String MARKER_INDEX = "0x01500016";
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);

    private final String tcti;
    private final Path workDirectory;

    Tpm2Tools(VtpmProcess vtpm, Path workDirectory) {
        this.tcti = vtpm.tcti();
        this.workDirectory = workDirectory;
    }

    /** Defines the marker index and writes {@code marker} into it. */
    void writeMarker(byte[] marker) throws IOException {
        run("tpm2_nvdefine", MARKER_INDEX, "-C", "o", "-s", Integer.toString(marker.length), "-a",
                "ownerread|ownerwrite");
        Path input = Files.write(workDirectory.resolve("marker.in"), marker);
        run("tpm2_nvwrite", MARKER_INDEX, "-C", "o", "-i", input.toString());
    }

    /** Reads {@code length} bytes of the marker index. */
    byte[] readMarker(int length) throws IOException {
        Path output = workDirectory.resolve("marker.out");
        Files.deleteIfExists(output);
        run("tpm2_nvread", MARKER_INDEX, "-C", "o", "-s", Integer.toString(length), "-o", output.toString());
        return Files.readAllBytes(output);
    }

    private void run(String... command) {
        ProcessResult.run(List.of(command), Map.of("TPM2TOOLS_TCTI", tcti), TOOL_TIMEOUT).requireSuccess();
    }
}
