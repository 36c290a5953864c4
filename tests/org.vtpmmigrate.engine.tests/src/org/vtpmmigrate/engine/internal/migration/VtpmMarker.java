package org.vtpmmigrate.engine.internal.migration;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.VtpmInstance;
import org.vtpmmigrate.hypervisor.VtpmProcess;
import org.vtpmmigrate.testsupport.ProcessResult;

/**
 * Writes and reads an NV index in a vTPM's state with tpm2-tools, through a standalone swtpm on
 * the instance (only while no QEMU uses it): an independent witness that the state travelled.
 */
public final class VtpmMarker {
    /** An owner-authorised NV index in the range TCG leaves to platform owners. */
    static final String INDEX = "0x01500016";
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);

    private VtpmMarker() {
    }

    public static void write(VtpmInstance instance, byte[] marker, Path work) throws Exception {
        try (VtpmProcess vtpm = instance.startStandalone(TOOL_TIMEOUT)) {
            tool(vtpm, "tpm2_nvdefine", INDEX, "-C", "o", "-s", Integer.toString(marker.length), "-a",
                    "ownerread|ownerwrite");
            Path input = Files.write(Files.createTempFile(work, "marker", ".in"), marker);
            tool(vtpm, "tpm2_nvwrite", INDEX, "-C", "o", "-i", input.toString());
        }
    }

    public static byte[] read(VtpmInstance instance, int length, Path work) throws Exception {
        try (VtpmProcess vtpm = instance.startStandalone(TOOL_TIMEOUT)) {
            Path output = Files.createTempFile(work, "marker", ".out");
            tool(vtpm, "tpm2_nvread", INDEX, "-C", "o", "-s", Integer.toString(length), "-o", output.toString());
            return Files.readAllBytes(output);
        }
    }

    private static void tool(VtpmProcess vtpm, String... command) throws HypervisorException {
        ProcessResult.run(List.of(command), Map.of("TPM2TOOLS_TCTI", vtpm.tcti()), TOOL_TIMEOUT).requireSuccess();
    }
}
