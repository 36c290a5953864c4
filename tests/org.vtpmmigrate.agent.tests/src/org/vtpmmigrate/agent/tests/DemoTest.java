package org.vtpmmigrate.agent.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README command 1's main job, {@code bin/vtpm-migrate demo}, as an administrator runs it: two
 * agent processes of the assembled distribution (in network namespaces when the tests run as root),
 * a real QEMU guest with its swtpm vTPM, everything driven over the agents' management APIs.
 */
class DemoTest {
    private static final long DEMO_TIMEOUT_S = 600;
    private final Path root = Paths.get(System.getProperty("vtpm.root", "../.."));

    @TempDir
    Path work;

    private record Run(int exit, String out) {
    }

    private Run demo(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(root.resolve("bin/vtpm-migrate").toString(), "demo", "--memory",
                "64", "--work", work.toString()));
        command.addAll(List.of(args));
        Path log = work.resolveSibling(work.getFileName() + "-demo.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(DEMO_TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the demo did not end within " + DEMO_TIMEOUT_S + " s:\n" + Files.readString(log));
        }
        return new Run(p.exitValue(), Files.readString(log));
    }

    @Test
    void migratesTheVmWithItsVtpmStateBetweenTwoAgentProcesses() throws Exception {
        Run run = demo();

        assertEquals(0, run.exit(), run.out());
        String out = run.out();
        assertTrue(out.matches("(?s).*\\[host-a\\] agent pid \\d+: peer protocol .*management API https://.*"), out);
        assertTrue(out.contains("[host-b] enrolled host-a: EK certificate chains to host-a's local CA"), out);
        assertTrue(out.contains("demo-vm to host-b: COMMITTED"), out);
        assertTrue(out.matches("(?s).*source\\s+ACCEPTED \\(judged by host-b\\).*"), out);
        assertTrue(out.matches("(?s).*destination\\s+ACCEPTED \\(judged by host-a\\).*"), out);
        assertTrue(out.matches("(?s).*vm\\s+ACCEPTED \\(judged by host-b\\).*"), out);
        assertTrue(out.contains("attestation log of host-a: ") && out.contains("hash chain and AK signatures verified"),
                out);
        assertTrue(out.contains("ok   marker read back from host-b's vTPM with tpm2-tools: "
                + "'vtpm-state-travels-with-the-vm'"), out);
        assertTrue(out.contains("ok   vTPM state on host-a: gone"), out);
        assertTrue(out.contains("ok   VM on host-b: RUNNING"), out);
        assertTrue(out.contains("handshake "), out);
        assertFalse(out.contains("FAIL "), out);
        if ("root".equals(System.getProperty("user.name"))) {
            assertTrue(out.contains("network: network namespaces on bridge"), out);
            assertTrue(out.contains("DNS-SD: found host-a") && out.contains("DNS-SD: found host-b"), out);
        }
        assertNoDemoNetworkLeft();
    }

    @Test
    void refusesADestinationThatBootedAnUnapprovedBootLoader() throws Exception {
        Run run = demo("--tamper", "destination");

        assertEquals(1, run.exit(), run.out());
        String out = run.out();
        assertTrue(out.matches("(?s).*destination\\s+REJECTED \\(judged by host-a\\).*"), out);
        assertTrue(out.contains("reason POLICY: PCR sha256:4"), out);
        assertTrue(out.contains("ok   VM on host-a: RUNNING"), out);
        assertTrue(out.contains("ok   stream bytes sent before the verdict: 0"), out);
        assertTrue(out.contains("RESULT: REFUSED (destination tampered); the VM stays on host-a"), out);
        assertNoDemoNetworkLeft();
    }

    /** The demo removes the namespaces and the bridge it made. */
    private static void assertNoDemoNetworkLeft() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
        String namespaces = new String(p.getInputStream().readAllBytes());
        p.waitFor(10, TimeUnit.SECONDS);
        assertFalse(namespaces.lines().anyMatch(l -> l.startsWith("vtpm-")), "left over: " + namespaces);
    }
}
