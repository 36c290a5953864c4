package org.vtpmmigrate.agent.tests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Collects a child process's output lines and lets a test wait for a line, with a deadline. */
final class ProcessOutput {
    private final List<String> lines = new ArrayList<>();

    ProcessOutput(Process process) {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process ended; what was read stays available
            }
        }, "agent-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Waits until a line matching the predicate has been printed; fails with everything seen so far. */
    String await(Predicate<String> matcher, String what, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        synchronized (lines) {
            int checked = 0;
            while (true) {
                for (; checked < lines.size(); checked++) {
                    if (matcher.test(lines.get(checked))) {
                        return lines.get(checked);
                    }
                }
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    throw new AssertionError("no output line " + what + " within " + timeoutMs + " ms; output:\n"
                            + String.join("\n", lines));
                }
                lines.wait(left);
            }
        }
    }

    String all() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }
}
