package org.vtpmmigrate.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/** Prints the CLI's version and Java runtime. */
final class VersionCommand implements Command {
    @Override
    public String name() {
        return "version";
    }

    @Override
    public String synopsis() {
        return "";
    }

    @Override
    public String summary() {
        return "print the version of vTPM Migrate and of Java";
    }

    @Override
    public ExitCode run(List<String> args, PrintStream out) throws UsageException {
        Arguments.parse(args, Set.of(), Set.of());
        String version = Main.class.getPackage().getImplementationVersion();
        out.println("vtpm-migrate " + (version == null ? "development build" : version));
        out.println("java " + Runtime.version());
        return ExitCode.OK;
    }
}
