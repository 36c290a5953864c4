package org.vtpmmigrate.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.PcrValuesJson;
import org.vtpmmigrate.attest.eventlog.EventLog;
import org.vtpmmigrate.attest.eventlog.EventLogFormatException;

/**
 * {@code eventlog replay FILE}: the PCR values a TCG boot event log replays to, every PCR it
 * extends in every bank it records (StartupLocality and H-CRTM honoured for PCR 0). Text: one
 * {@code bank:pcr=hex} line each; JSON: {@code {"banks": {"sha256": {"0": "hex"}}}}.
 */
final class EventlogReplayCommand implements Command {
    @Override
    public String name() {
        return "eventlog replay";
    }

    @Override
    public String synopsis() {
        return "FILE [--format text|json]";
    }

    @Override
    public String summary() {
        return "replay a TCG boot event log (binary_bios_measurements) and print the PCR values";
    }

    @Override
    public ExitCode run(List<String> args, PrintStream out) throws UsageException {
        Arguments a = Arguments.parse(args, Set.of("--format"), Set.of());
        OutputFormat format = OutputFormat.parse(a.option("--format", "text"));
        Path file = Arguments.readableFile(a.onePositional("event log file"));
        EventLog log;
        try {
            log = EventLog.read(file);
        } catch (EventLogFormatException e) {
            throw new UsageException(file + ": not a TCG event log: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UsageException(file + ": cannot read: " + e.getMessage(), e);
        }
        PcrValues pcrs = log.replay();
        out.print(format == OutputFormat.JSON ? PcrValuesJson.toJson(pcrs) + "\n" : PcrValuesJson.toText(pcrs));
        return ExitCode.OK;
    }
}
