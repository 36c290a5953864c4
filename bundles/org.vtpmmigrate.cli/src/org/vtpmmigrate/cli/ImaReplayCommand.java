package org.vtpmmigrate.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.PcrValuesJson;
import org.vtpmmigrate.attest.ima.ImaFormatException;
import org.vtpmmigrate.attest.ima.ImaLog;
import org.vtpmmigrate.attest.ima.ImaReplayException;

/**
 * {@code ima replay FILE}: the PCR values an IMA measurement list (ASCII or binary) replays to in
 * the SHA-1 bank (template hashes) and the SHA-256 bank (SHA-256 of the template data), as the
 * kernel extends them.
 */
final class ImaReplayCommand implements Command {
    @Override
    public String name() {
        return "ima replay";
    }

    @Override
    public String synopsis() {
        return "FILE [--format text|json]";
    }

    @Override
    public String summary() {
        return "replay an IMA measurement list into the sha1 and sha256 banks and print the PCR values";
    }

    @Override
    public ExitCode run(List<String> args, PrintStream out) throws UsageException {
        Arguments a = Arguments.parse(args, Set.of("--format"), Set.of());
        OutputFormat format = OutputFormat.parse(a.option("--format", "text"));
        Path file = Arguments.readableFile(a.onePositional("IMA measurement list"));
        PcrValues pcrs;
        try {
            pcrs = ImaLog.read(file).replay(HashAlgorithm.SHA1, HashAlgorithm.SHA256);
        } catch (ImaFormatException e) {
            throw new UsageException(file + ": not an IMA measurement list: " + e.getMessage(), e);
        } catch (ImaReplayException e) {
            throw new UsageException(file + ": cannot be replayed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UsageException(file + ": cannot read: " + e.getMessage(), e);
        }
        out.print(format == OutputFormat.JSON ? PcrValuesJson.toJson(pcrs) + "\n" : PcrValuesJson.toText(pcrs));
        return ExitCode.OK;
    }
}
