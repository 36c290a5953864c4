package org.vtpmmigrate.cli;

import java.io.PrintStream;
import java.util.List;

/** One subcommand of {@code vtpm-migrate}. */
interface Command {
    /** The words that select it, e.g. {@code "eventlog replay"}. */
    String name();

    /** Arguments, as shown in help, e.g. {@code "FILE [--format text|json]"}. */
    String synopsis();

    /** One line saying what it does. */
    String summary();

    ExitCode run(List<String> args, PrintStream out) throws UsageException;
}
