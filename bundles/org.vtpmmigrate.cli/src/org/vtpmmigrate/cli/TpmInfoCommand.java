package org.vtpmmigrate.cli;

import java.io.PrintStream;
import java.util.List;

final class TpmInfoCommand implements Command {
    public String name() { return "tpm info"; }
    public String synopsis() { return "--tpm swtpm:HOST:PORT|device:PATH"; }
    public String summary() { return "describe a TPM"; }
    public ExitCode run(List<String> args, PrintStream out) { return ExitCode.OK; }
}
