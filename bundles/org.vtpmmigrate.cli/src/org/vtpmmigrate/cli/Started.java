package org.vtpmmigrate.cli;

import java.util.List;

/** What a long-running command started (hosts, agents, networks), stopped when it ends. */
final class Started {
    private Started() {
    }

    /** Closes the last started first; a failure to stop one is reported and the others still stop. */
    static void closeInReverse(List<AutoCloseable> started, String command) {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                System.err.println("vtpm-migrate " + command + ": stopping " + started.get(i) + ": " + e.getMessage());
            }
        }
    }
}
