package org.vtpmmigrate.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An engine agent started as its own process ({@code bin/vtpm-agent}), driven through its Gogo shell.
 * Output lines are kept so a caller can wait for one and show them all when something fails.
 */
final class AgentProcess implements AutoCloseable {
    private static final String END_MARKER = "--vtpm-command-done--";

    private final String hostId;
    private final Process process;
    private final Writer shell;
    private final List<String> lines = new ArrayList<>();

    private AgentProcess(String hostId, Process process) {
        this.hostId = hostId;
        this.process = process;
        this.shell = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readOutput, "agent-" + hostId);
        reader.setDaemon(true);
        reader.start();
    }

    static AgentProcess start(Path repositoryRoot, String hostId, Path config) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(repositoryRoot.resolve("bin/vtpm-agent").toString(),
                "--config", config.toString());
        builder.redirectErrorStream(true);
        return new AgentProcess(hostId, builder.start());
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // the agent ended; its output so far stays available
        }
    }

    /** Waits until the agent logs that it is active. */
    void awaitActive(Duration timeout) throws IOException, InterruptedException {
        awaitLine("agent " + hostId + " active", 0, timeout);
    }

    /** Runs one shell command and returns what it printed. */
    List<String> command(String command, Duration timeout) throws IOException, InterruptedException {
        int from;
        synchronized (lines) {
            from = lines.size();
        }
        shell.write(command + "\n" + "echo " + END_MARKER + "\n");
        shell.flush();
        int end = awaitLine(END_MARKER, from, timeout);
        List<String> printed = new ArrayList<>();
        synchronized (lines) {
            for (String line : lines.subList(from, end)) {
                // the shell echoes prompts ("g! ") in front of output when stdin is not a terminal
                printed.add(line.startsWith("g! ") ? line.substring(3) : line);
            }
        }
        // the shell's greeting may arrive after the agent logged that it is active
        printed.removeIf(l -> l.isBlank() || l.startsWith("____") || l.startsWith("Welcome to Apache Felix Gogo"));
        return printed;
    }

    private int awaitLine(String contained, int from, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            int checked = from;
            while (true) {
                for (; checked < lines.size(); checked++) {
                    if (lines.get(checked).contains(contained) && !lines.get(checked).contains("echo " + contained)) {
                        return checked;
                    }
                }
                if (!process.isAlive()) {
                    throw new IOException("agent " + hostId + " exited with code " + process.exitValue()
                            + " before printing '" + contained + "':\n" + String.join("\n", lines));
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new IOException("agent " + hostId + " did not print '" + contained + "' within "
                            + timeout.toSeconds() + " s:\n" + String.join("\n", lines));
                }
                lines.wait(Math.min(left, 200));
            }
        }
    }

    /** Stops the framework through the shell; SIGTERM, then SIGKILL if it does not end in time. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                shell.write("stop 0\n");
                shell.flush();
            }
        } catch (IOException e) {
            // the shell is gone already; the signals below still stop the process
        }
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
