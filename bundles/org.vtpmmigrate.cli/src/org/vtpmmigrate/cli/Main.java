package org.vtpmmigrate.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code vtpm-migrate}: the administrator's command line, on the engine's bundles.
 * Exit codes: 0 success, 1 negative verdict, 2 usage or malformed input (one line on stderr).
 */
public final class Main {
    private final List<Command> commands;

    Main(List<Command> commands) {
        this.commands = commands;
    }

    static Main withAllCommands() {
        List<Command> commands = new ArrayList<>(List.of(new VersionCommand(), new DemoCommand(), new BenchCommand(),
                new EventlogReplayCommand(), new ImaReplayCommand(), new QuoteVerifyCommand(), new PolicyCheckCommand(),
                new PolicyNewCommand(), new AuditVerifyCommand(), new CaCreateCommand(), new CertIssueCommand()));
        commands.addAll(AgentCommand.all());
        return new Main(commands);
    }

    public static void main(String[] args) {
        // the engine's progress logs are for agents; a command reports on its own output
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.setLevel(java.util.logging.Level.WARNING);
        for (java.util.logging.Handler h : root.getHandlers()) {
            h.setLevel(java.util.logging.Level.WARNING);
        }
        System.exit(withAllCommands().run(Arrays.asList(args), System.out, System.err).code());
    }

    ExitCode run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h") || args.get(0).equals("help")) {
            printHelp(out);
            return args.isEmpty() ? ExitCode.USAGE : ExitCode.OK;
        }
        for (Command c : commands) {
            String[] words = c.name().split(" ");
            if (args.size() >= words.length && args.subList(0, words.length).equals(Arrays.asList(words))) {
                List<String> rest = new ArrayList<>(args.subList(words.length, args.size()));
                if (rest.contains("--help")) {
                    out.println("usage: vtpm-migrate " + c.name() + " " + c.synopsis());
                    out.println("  " + c.summary());
                    return ExitCode.OK;
                }
                try {
                    return c.run(rest, out);
                } catch (UsageException e) {
                    err.println("vtpm-migrate " + c.name() + ": " + e.getMessage());
                    return ExitCode.USAGE;
                }
            }
        }
        err.println("vtpm-migrate: unknown command '" + String.join(" ", args) + "' (see vtpm-migrate --help)");
        return ExitCode.USAGE;
    }

    private void printHelp(PrintStream out) {
        out.println("usage: vtpm-migrate COMMAND [ARGS]   (COMMAND --help for its options)");
        out.println();
        out.println("commands:");
        for (Command c : commands) {
            out.printf("  %-40s %s%n", c.name() + " " + c.synopsis(), c.summary());
        }
        out.println();
        out.println("exit codes: 0 ok, 1 refused or invalid, 2 usage or malformed input");
    }
}
