package org.vtpmmigrate.cli;

import java.io.PrintStream;
import java.util.List;

final class DemoCommand implements Command {
    public String name() { return "demo"; }
    public String synopsis() { return ""; }
    public String summary() { return "demo"; }
    public ExitCode run(List<String> args, PrintStream out) { return ExitCode.OK; }
}
