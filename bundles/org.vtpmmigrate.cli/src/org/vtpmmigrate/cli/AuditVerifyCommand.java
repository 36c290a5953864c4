package org.vtpmmigrate.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.vtpmmigrate.attest.tpm2.TpmFormatException;
import org.vtpmmigrate.attest.tpm2.TpmPublic;
import org.vtpmmigrate.audit.AuditLogException;
import org.vtpmmigrate.audit.AuditLogVerifier;
import org.vtpmmigrate.audit.LogHeader;
import org.vtpmmigrate.audit.RecordProblem;
import org.vtpmmigrate.audit.RecordResult;
import org.vtpmmigrate.audit.RecordStatus;
import org.vtpmmigrate.audit.VerificationReport;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

/**
 * {@code audit verify FILE}: checks a host's audit log offline, every record's form, sequence,
 * link, hash and AK signature, and prints a line per record and every problem. Exit 0 when every
 * record verifies, 1 when any does not (the first broken record is named), 2 when the file cannot
 * be read, exceeds the limits or holds no record at all.
 */
final class AuditVerifyCommand implements Command {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final HexFormat HEX = HexFormat.of();

    @Override
    public String name() {
        return "audit verify";
    }

    @Override
    public String synopsis() {
        return "FILE [--format text|json] [--ak AK_PUBLIC]";
    }

    @Override
    public String summary() {
        return "verify a host's audit log: sequence, hash chain and AK signature of every record "
                + "(--ak: the host's enrolled AK as TPM2B_PUBLIC, e.g. tpm2_createak -u)";
    }

    @Override
    public ExitCode run(List<String> args, PrintStream out) throws UsageException {
        Arguments a = Arguments.parse(args, Set.of("--format", "--ak"), Set.of());
        OutputFormat format = OutputFormat.parse(a.option("--format", "text"));
        Path file = Arguments.readableFile(a.onePositional("audit log file"));
        String akFile = a.option("--ak", null);
        TpmPublic expectedAk = akFile == null ? null : readAk(akFile);
        VerificationReport report;
        try {
            report = expectedAk == null ? new AuditLogVerifier().verify(file)
                    : new AuditLogVerifier().verify(file, expectedAk);
        } catch (AuditLogException e) {
            throw new UsageException(e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            // the key given with --ak cannot be an AK
            throw new UsageException("--ak " + akFile + ": " + e.getMessage(), e);
        }
        if (report.results().stream().allMatch(r -> r.record().isEmpty())) {
            throw new UsageException(file + ": not an audit log: "
                    + (report.results().isEmpty() ? "the file is empty" : "no line is a record ("
                            + report.results().get(0).mainProblem().map(p -> printable(p.message())).orElse("") + ")"));
        }
        if (format == OutputFormat.JSON) {
            out.println(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(json(report)));
        } else {
            printText(report, out);
        }
        return report.verified() ? ExitCode.OK : ExitCode.REFUSED;
    }

    private static TpmPublic readAk(String name) throws UsageException {
        try {
            return TpmPublic.parseTpm2b(InputFiles.read(name, LogHeader.MAX_AK_PUBLIC));
        } catch (TpmFormatException e) {
            throw new UsageException("--ak " + name + ": not a TPM2B_PUBLIC: " + e.getMessage(), e);
        }
    }

    private static void printText(VerificationReport report, PrintStream out) {
        out.println("audit log " + report.source());
        out.println("host       " + report.hostId().orElse("(no header record)"));
        report.header().ifPresent(h -> {
            out.println("AK name    " + HEX.formatHex(h.akName()) + (report.akPinned() ? "  (the expected AK given with --ak)"
                    : "  (as the log header states it; compare with the host's enrolment, or pass --ak)"));
            out.println("EK cert    " + (h.ekCertificate().length == 0 ? "not in the log" : h.ekCertificate().length + " bytes"));
        });
        out.println();
        out.printf("%5s %6s  %-24s  %-24s  %s%n", "LINE", "SEQ", "TIME", "KIND", "STATUS");
        for (RecordResult r : report.results()) {
            out.printf("%5d %6s  %-24s  %-24s  %s%n", r.line(),
                    r.sequence().isPresent() ? Long.toString(r.sequence().getAsLong()) : "?",
                    r.record().map(x -> TIME.format(x.time())).orElse("-"),
                    r.record().map(x -> x.kind().name()).orElse("-"), r.status());
        }
        out.println();
        if (report.verified()) {
            out.println("VERIFIED: " + report.results().size() + " records; every sequence number, link, hash and "
                    + "signature checks out");
            return;
        }
        RecordResult first = report.firstBroken().orElseThrow();
        out.println("NOT VERIFIED: first broken record: " + first.location() + " " + describe(first.mainProblem().orElseThrow()));
        long problems = report.results().stream().mapToLong(r -> r.problems().size()).sum();
        out.println("problems (" + problems + "):");
        for (RecordResult r : report.results()) {
            for (RecordProblem p : r.problems()) {
                out.println("  " + r.location() + " " + describe(p));
            }
        }
    }

    private static String describe(RecordProblem p) {
        return p.status() + (p.field().isEmpty() ? "" : " [" + printable(p.field()) + "]") + ": " + printable(p.message());
    }

    /** Log content may be hostile: control characters are shown as escapes, never sent to the terminal. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 || c == 0x2029) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    private static JsonObject json(VerificationReport report) {
        JsonObject o = new JsonObject();
        o.addProperty("file", report.source());
        o.addProperty("verified", report.verified());
        report.hostId().ifPresent(h -> o.addProperty("host", h));
        report.header().ifPresent(h -> {
            o.addProperty("akName", HEX.formatHex(h.akName()));
            o.addProperty("ekCertificate", h.ekCertificate().length > 0);
        });
        o.addProperty("akSource", report.akPinned() ? "expected" : "header");
        o.addProperty("lines", report.results().size());
        JsonObject counts = new JsonObject();
        for (Map.Entry<RecordStatus, Integer> e : report.statusCounts().entrySet()) {
            counts.addProperty(e.getKey().name(), e.getValue());
        }
        o.add("statusCounts", counts);
        report.firstBroken().ifPresent(r -> o.add("firstBroken", result(r)));
        JsonArray results = new JsonArray();
        report.results().forEach(r -> results.add(result(r)));
        o.add("results", results);
        return o;
    }

    private static JsonObject result(RecordResult r) {
        JsonObject o = new JsonObject();
        o.addProperty("line", r.line());
        o.addProperty("offset", r.offset());
        if (r.sequence().isPresent()) {
            o.addProperty("sequence", r.sequence().getAsLong());
        }
        r.record().ifPresent(x -> {
            o.addProperty("time", TIME.format(x.time()));
            o.addProperty("kind", x.kind().name());
            x.event().migrationId().ifPresent(m -> o.addProperty("migration", m));
        });
        o.addProperty("status", r.status().name());
        JsonArray problems = new JsonArray();
        for (RecordProblem p : r.problems()) {
            JsonObject j = new JsonObject();
            j.addProperty("status", p.status().name());
            j.addProperty("field", p.field());
            j.addProperty("message", p.message());
            problems.add(j);
        }
        o.add("problems", problems);
        return o;
    }
}
