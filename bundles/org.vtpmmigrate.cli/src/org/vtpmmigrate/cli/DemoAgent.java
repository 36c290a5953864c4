package org.vtpmmigrate.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.vtpmmigrate.management.ClientSettings;
import org.vtpmmigrate.management.HostInfo;
import org.vtpmmigrate.management.ManagementClient;
import org.vtpmmigrate.management.ManagementException;
import org.vtpmmigrate.management.TlsCredentials;

/**
 * One demo host's agent: the real agent distribution ({@code bin/vtpm-agent}) started as a process
 * of its own (in the host's network namespace when there is one), reached only through its
 * management API. Closing stops it as a service manager would (SIGTERM), then waits.
 */
final class DemoAgent implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final int LOG_TAIL_LINES = 20;

    final String hostId;
    final String address;
    final int peerPort;
    final ManagementClient client;
    private final Process process;
    private final Path log;

    private DemoAgent(String hostId, String address, int peerPort, ManagementClient client, Process process,
            Path log) {
        this.hostId = hostId;
        this.address = address;
        this.peerPort = peerPort;
        this.client = client;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts the agent with {@code config} and waits until its management API answers.
     *
     * @param prefix what runs the agent inside the host's namespace, or nothing
     */
    static DemoAgent start(String hostId, Path config, List<String> prefix, String address, int peerPort,
            int managementPort, TlsCredentials administrator) throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("vtpm.root", "."));
        Path launcher = root.resolve("bin/vtpm-agent");
        if (!Files.isExecutable(launcher)) {
            throw new IOException("the agent launcher " + launcher + " is missing (is vtpm.root set to the checkout?)");
        }
        List<String> command = new ArrayList<>(prefix);
        command.add(launcher.toString());
        command.add("--config");
        command.add(config.toString());
        command.add("--no-shell");
        Path log = config.resolveSibling("agent-console.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE).start();
        ManagementClient client = ManagementClient.create(URI.create("https://" + address + ":" + managementPort),
                administrator, new ClientSettings(Duration.ofSeconds(5), Duration.ofSeconds(120), 16 << 20));
        DemoAgent agent = new DemoAgent(hostId, address, peerPort, client, process, log);
        try {
            agent.awaitManagementApi();
            return agent;
        } catch (IOException | InterruptedException | RuntimeException e) {
            agent.close();
            throw e;
        }
    }

    private void awaitManagementApi() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        ManagementException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("the agent of " + hostId + " exited with " + process.exitValue() + ":\n"
                        + logTail());
            }
            try {
                HostInfo info = client.hostInfo();
                if (!info.hostId().equals(hostId)) {
                    throw new IOException("the agent at " + address + " says it is " + info.hostId() + ", not " + hostId);
                }
                return;
            } catch (ManagementException e) {
                last = e;
                // the agent is still starting: its platform TPM, engine and management API come up in turn
                process.waitFor(200, TimeUnit.MILLISECONDS);
            }
        }
        throw new IOException("the agent of " + hostId + " did not answer within " + START_TIMEOUT.toSeconds() + " s ("
                + (last == null ? "no answer" : last.getMessage()) + "):\n" + logTail());
    }

    long pid() {
        return process.pid();
    }

    String peerAddress() {
        return address + ":" + peerPort;
    }

    /** The last lines the agent printed, for error messages. */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(no log at " + log + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        // the prefix (ip netns exec) execs the launcher, which execs java: the process is the agent itself
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "agent " + hostId;
    }
}
