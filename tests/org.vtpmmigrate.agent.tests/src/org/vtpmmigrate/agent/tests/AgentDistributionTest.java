package org.vtpmmigrate.agent.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vtpmmigrate.testsupport.SwtpmProcess;

/**
 * The assembled Felix distribution, started through {@code bin/vtpm-agent} as an administrator would,
 * with a real swtpm as its platform TPM.
 */
class AgentDistributionTest {
    private static final long START_MS = 60_000;
    private final Path root = Paths.get(System.getProperty("vtpm.root", "../.."));

    @TempDir
    Path work;

    private Path config(String hostId, String connector) throws IOException {
        Path config = work.resolve(hostId + ".properties");
        try (Writer w = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
            w.write("host.id=" + hostId + "\n");
            w.write("tpm.connector=" + connector + "\n");
            w.write("data.dir=" + work.resolve(hostId) + "\n");
        }
        return config;
    }

    private Process agent(Path config) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/vtpm-agent").toString(), "--config", config.toString());
        pb.redirectErrorStream(true);
        return pb.start();
    }

    @Test
    void agentStartsWithActiveComponentsAnswersInfoAndStopsCleanly() throws Exception {
        try (SwtpmProcess tpm = SwtpmProcess.start()) {
            Process process = agent(config("dist-test", tpm.endpointSpec()));
            ProcessOutput output = new ProcessOutput(process);
            try {
                output.await(l -> l.contains("agent dist-test active"), "saying the agent is active", START_MS);
                send(process, "scr:list");
                output.await(l -> l.contains("org.vtpmmigrate.engine.internal.EngineAgent"), "listing the agent component", START_MS);
                output.await(l -> l.contains("State:ACTIVE") && l.contains("[org.vtpmmigrate.agent]"),
                        "showing the configured agent component active", START_MS);
                send(process, "vtpm:info");
                output.await(l -> l.matches(".*host id\\s+dist-test.*"), "with the host id", START_MS);
                output.await(l -> l.matches(".*tpm connector\\s+" + tpm.endpointSpec().replace(".", "\\.") + ".*"),
                        "with the TPM connector", START_MS);
                output.await(l -> l.matches(".*engine\\s+0\\.1\\.0.*"), "with the engine version", START_MS);
                output.await(l -> l.matches(".*tpm\\s+.*127\\.0\\.0\\.1:" + tpm.port() + " answering, AK [0-9a-f]+.*"),
                        "saying the platform TPM answers, with the AK's name", START_MS);

                process.destroy(); // SIGTERM, as a service manager stops it
                assertTrue(process.waitFor(30, TimeUnit.SECONDS), "agent stopped within 30 s of SIGTERM");
                String log = Files.readString(work.resolve("dist-test/agent.log"));
                assertTrue(log.contains("agent dist-test active") && log.contains("agent dist-test stopped"),
                        "the log file records start and clean stop:\n" + log + "\nprocess output:\n" + output.all());
            } finally {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void shellStopEndsTheAgentWithExitCodeZero() throws Exception {
        try (SwtpmProcess tpm = SwtpmProcess.start()) {
            Process process = agent(config("shell-stop", tpm.endpointSpec()));
            ProcessOutput output = new ProcessOutput(process);
            try {
                output.await(l -> l.contains("agent shell-stop active"), "saying the agent is active", START_MS);
                send(process, "stop 0");
                assertTrue(process.waitFor(30, TimeUnit.SECONDS), "agent stopped: " + output.all());
                assertEquals(0, process.exitValue(), output.all());
            } finally {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void unreachablePlatformTpmExitsWithCode2NamingIt() throws Exception {
        Process process = agent(config("no-tpm", "swtpm:127.0.0.1:1"));
        ProcessOutput output = new ProcessOutput(process);
        try {
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "agent gave up: " + output.all());
            assertEquals(2, process.exitValue(), output.all());
            output.await(l -> l.contains("host no-tpm did not start") && l.contains("127.0.0.1:1"),
                    "naming the host and the TPM it could not reach", 5_000);
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void invalidConfigurationExitsWithCode2NamingTheKey() throws Exception {
        Path config = config("bad-config", "swtpm:127.0.0.1:1");
        Files.writeString(config, "tpm.conector=typo\n", java.nio.file.StandardOpenOption.APPEND);
        Process process = agent(config);
        ProcessOutput output = new ProcessOutput(process);
        try {
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "agent refused to start: " + output.all());
            assertEquals(2, process.exitValue(), output.all());
            output.await(l -> l.contains("tpm.conector") && l.contains("unknown key"), "naming the unknown key", 5_000);
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void missingConfigurationFileIsAUsageError() throws Exception {
        Process process = new ProcessBuilder(root.resolve("bin/vtpm-agent").toString(), "--config",
                work.resolve("absent.properties").toString()).redirectErrorStream(true).start();
        ProcessOutput output = new ProcessOutput(process);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, process.exitValue());
        output.await(l -> l.contains("absent.properties") && l.contains("not readable"), "naming the file", 5_000);
    }

    private static void send(Process process, String command) throws IOException {
        process.getOutputStream().write((command + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }
}
