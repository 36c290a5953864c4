package org.vtpmmigrate.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.VtpmInstance;
import org.vtpmmigrate.hypervisor.VtpmProcess;
import org.vtpmmigrate.hypervisor.VtpmStore;

/**
 * Local demo hosts: each with its own swtpm as platform TPM and its own engine agent process,
 * each agent asked who it is. Everything it starts is stopped again before it returns.
 */
final class DemoCommand implements Command {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String synopsis() {
        return "[--hosts N] [--work DIR]";
    }

    @Override
    public String summary() {
        return "start local demo hosts (swtpm platform TPM + agent each) and show each host's info";
    }

    @Override
    public ExitCode run(List<String> args, PrintStream out) throws UsageException {
        Arguments a = Arguments.parse(args, Set.of("--hosts", "--work"), Set.of());
        int hostCount = parseHostCount(a.option("--hosts", "2"));
        Path root = Paths.get(System.getProperty("vtpm.root", "."));
        if (!Files.isExecutable(root.resolve("bin/vtpm-agent"))) {
            throw new UsageException("bin/vtpm-agent not found under " + root.toAbsolutePath()
                    + " (run through bin/vtpm-migrate)");
        }
        Path work;
        try {
            work = a.option("--work", null) == null ? Files.createTempDirectory("vtpm-demo-")
                    : Files.createDirectories(Paths.get(a.option("--work", null)));
        } catch (IOException e) {
            throw new UsageException("cannot create the work directory: " + e.getMessage());
        }
        out.println("vTPM Migrate demo: " + hostCount + " local hosts under " + work);
        List<AutoCloseable> started = new ArrayList<>();
        try {
            List<String> report = new ArrayList<>();
            for (int i = 0; i < hostCount; i++) {
                String hostId = "host-" + (char) ('a' + i);
                report.addAll(startHost(root, work.resolve(hostId), hostId, started, out));
            }
            out.println();
            out.println("== hosts ==");
            report.forEach(out::println);
            return ExitCode.OK;
        } catch (IOException | HypervisorException e) {
            System.err.println("vtpm-migrate demo: " + e.getMessage());
            return ExitCode.REFUSED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.err.println("vtpm-migrate demo: interrupted");
            return ExitCode.REFUSED;
        } finally {
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception e) {
                    System.err.println("vtpm-migrate demo: stopping " + started.get(i) + ": " + e.getMessage());
                }
            }
        }
    }

    private static int parseHostCount(String value) throws UsageException {
        try {
            int n = Integer.parseInt(value);
            if (n < 2 || n > 8) {
                throw new UsageException("--hosts must be between 2 and 8, got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("--hosts '" + value + "' is not a number");
        }
    }

    /** Manufactures the host's platform TPM, starts its agent and returns the agent's info lines. */
    private static List<String> startHost(Path root, Path hostDir, String hostId, List<AutoCloseable> started,
            PrintStream out) throws IOException, HypervisorException, InterruptedException {
        out.println("[" + hostId + "] manufacturing platform TPM (swtpm, EK certificates from a local CA)");
        VtpmStore store = VtpmStore.open(hostDir.resolve("platform-tpm"));
        VtpmInstance tpm = store.create("platform", START_TIMEOUT);
        VtpmProcess tpmProcess = tpm.startStandalone(START_TIMEOUT);
        started.add(tpmProcess);

        Path config = hostDir.resolve("agent.properties");
        int peerPort = freePort();
        int managementPort = freePort();
        try (Writer w = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
            w.write("host.id=" + hostId + "\n");
            w.write("tpm.connector=swtpm:127.0.0.1:" + tpmProcess.dataPort() + "\n");
            w.write("data.dir=" + hostDir.resolve("agent") + "\n");
            w.write("peer.port=" + peerPort + "\n");
            w.write("management.port=" + managementPort + "\n");
        }
        out.println("[" + hostId + "] starting agent (platform TPM on 127.0.0.1:" + tpmProcess.dataPort() + ")");
        AgentProcess agent = AgentProcess.start(root, hostId, config);
        started.add(agent);
        agent.awaitActive(START_TIMEOUT);
        List<String> info = new ArrayList<>();
        info.add("[" + hostId + "]");
        for (String line : agent.command("vtpm:info", COMMAND_TIMEOUT)) {
            info.add("  " + line);
        }
        return info;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
