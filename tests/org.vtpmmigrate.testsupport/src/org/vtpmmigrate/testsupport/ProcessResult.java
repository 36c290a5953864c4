package org.vtpmmigrate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The outcome of an external command run to completion: exit code and captured output.
 *
 * @param command the command line that ran
 * @param exitCode its exit status
 * @param stdout everything it wrote to standard output (UTF-8)
 * @param stderr everything it wrote to standard error (UTF-8)
 */
public record ProcessResult(List<String> command, int exitCode, String stdout, String stderr) {

    public ProcessResult {
        command = List.copyOf(command);
    }

    /**
     * Runs {@code command} to completion with extra environment variables.
     *
     * @throws IllegalStateException if it cannot start or does not finish within {@code timeout}
     *         (it is killed then, and the message carries the output so far)
     */
    public static ProcessResult run(List<String> command, Map<String, String> extraEnvironment, Duration timeout) {
        return run(null, command, extraEnvironment, timeout);
    }

    /**
     * Runs {@code command} to completion in {@code workingDirectory} (the JVM's own if null) with
     * extra environment variables.
     *
     * @throws IllegalStateException if it cannot start or does not finish within {@code timeout}
     *         (it is killed then, and the message carries the output so far)
     */
    public static ProcessResult run(Path workingDirectory, List<String> command, Map<String, String> extraEnvironment,
            Duration timeout) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command must not be empty");
        }
        Path outFile = null;
        Path errFile = null;
        try {
            // Files instead of pipes: a chatty tool can never block on a full pipe buffer.
            outFile = Files.createTempFile("cmd-", ".out");
            errFile = Files.createTempFile("cmd-", ".err");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(outFile.toFile())
                    .redirectError(errFile.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .directory(workingDirectory == null ? null : workingDirectory.toFile());
            builder.environment().putAll(extraEnvironment);
            Process process = builder.start();
            boolean finished;
            try {
                finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while running " + command, e);
            }
            if (!finished) {
                process.destroyForcibly();
                process.onExit().join();
                throw new IllegalStateException("Command " + command + " did not finish within " + timeout.toMillis()
                        + " ms; stdout: " + read(outFile) + "; stderr: " + read(errFile));
            }
            return new ProcessResult(command, process.exitValue(), read(outFile), read(errFile));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run " + command + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(outFile);
            deleteQuietly(errFile);
        }
    }

    /**
     * Returns this result if the exit code is 0.
     *
     * @throws IllegalStateException naming the command, exit code and both outputs otherwise
     */
    public ProcessResult requireSuccess() {
        if (exitCode != 0) {
            throw new IllegalStateException("Command " + command + " failed with exit code " + exitCode
                    + "; stdout: " + stdout.strip() + "; stderr: " + stderr.strip());
        }
        return this;
    }

    private static String read(Path file) {
        try {
            // Lenient decoding: a tool may print binary data.
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read command output " + file, e);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // A leftover temp file must not hide the command's own outcome.
            }
        }
    }
}
