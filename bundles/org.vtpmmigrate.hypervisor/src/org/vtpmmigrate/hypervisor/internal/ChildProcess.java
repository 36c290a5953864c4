package org.vtpmmigrate.hypervisor.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.vtpmmigrate.hypervisor.HypervisorException;

/**
 * A QEMU or swtpm child process: stdout and stderr appended to a log file in its run directory,
 * stdin closed, stopped with SIGTERM then SIGKILL. Children still alive when the JVM shuts down
 * are killed by a shutdown hook, so none outlives its owner.
 */
final class ChildProcess implements AutoCloseable {
    /** How long a killed process may take to be reaped before giving up on it. */
    private static final Duration KILL_GRACE = Duration.ofSeconds(5);
    private static final int LOG_TAIL_BYTES = 2048;
    private static final Set<ChildProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> LIVE.forEach(child -> child.process.destroyForcibly()), "hypervisor-child-reaper"));
    }

    private final String label;
    private final Process process;
    private final Path logFile;

    private ChildProcess(String label, Process process, Path logFile) {
        this.label = label;
        this.process = process;
        this.logFile = logFile;
    }

    /**
     * Starts {@code command} in {@code workDirectory}, appending its output to {@code logFile}.
     *
     * @param label what the process is, for messages (e.g. "QEMU vm-1")
     */
    public static ChildProcess start(String label, List<String> command, Path workDirectory, Path logFile)
            throws HypervisorException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDirectory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        try {
            appendToLog(logFile, "# " + Instant.now() + " starting: " + String.join(" ", command) + "\n");
            Process process = builder.start();
            process.getOutputStream().close();
            ChildProcess child = new ChildProcess(label, process, logFile);
            LIVE.add(child);
            process.onExit().thenRun(() -> LIVE.remove(child));
            return child;
        } catch (IOException e) {
            throw new HypervisorException("cannot start " + label + " (" + command.get(0) + "): " + e.getMessage(), e);
        }
    }

    private static void appendToLog(Path logFile, String line) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "rw")) {
            file.seek(file.length());
            file.write(line.getBytes(StandardCharsets.UTF_8));
        }
    }

    public String label() {
        return label;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path logFile() {
        return logFile;
    }

    /** The exit code, once the process has ended. */
    public OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /** Waits for the process to end on its own; true if it did within {@code timeout}. */
    public boolean awaitExit(Duration timeout) throws HypervisorException {
        try {
            return process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HypervisorException("interrupted waiting for " + label + " to exit", e);
        }
    }

    /**
     * Stops the process: SIGTERM, up to {@code grace} for it to exit, then SIGKILL.
     *
     * @return true when the process ended within {@code grace} without being killed
     */
    public boolean stop(Duration grace) {
        if (!process.isAlive()) {
            return true;
        }
        process.destroy();
        boolean graceful = waitQuietly(grace);
        if (!graceful) {
            process.destroyForcibly();
            waitQuietly(KILL_GRACE);
        }
        return graceful;
    }

    private boolean waitQuietly(Duration timeout) {
        try {
            return process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return false;
        }
    }

    /** The last lines of the log, for error messages; never fails. */
    public String logTail() {
        try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r")) {
            long start = Math.max(0, file.length() - LOG_TAIL_BYTES);
            byte[] tail = new byte[(int) (file.length() - start)];
            file.seek(start);
            file.readFully(tail);
            return new String(tail, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "(log " + logFile + " unreadable: " + e.getMessage() + ")";
        }
    }

    /** Describes how the process ended, with the end of its log. */
    public String exitDescription() {
        String status = exitCode().isPresent() ? "exited with code " + exitCode().getAsInt() : "is still running";
        return label + " (pid " + pid() + ") " + status + "; log " + logFile + " ends with: " + logTail();
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }
}
