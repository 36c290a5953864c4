package org.vtpmmigrate.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import org.vtpmmigrate.audit.AuditLogVerifier;
import org.vtpmmigrate.audit.AuditRecord;
import org.vtpmmigrate.audit.EventKind;
import org.vtpmmigrate.audit.PhaseTiming;
import org.vtpmmigrate.audit.PreCopyRound;
import org.vtpmmigrate.audit.VerificationReport;
import org.vtpmmigrate.management.AuditPage;
import org.vtpmmigrate.management.ErrorCode;
import org.vtpmmigrate.management.ManagementException;
import org.vtpmmigrate.management.MigrationStatus;
import org.vtpmmigrate.management.PartyVerdict;

/**
 * What the demo prints about a run, all of it from the agents' management APIs: progress while it
 * goes, then verdicts, results and figures, and the attestation logs of both hosts, verified here
 * record by record as {@code vtpm-migrate audit verify} would.
 */
final class DemoReport {
    private static final Duration POLL = Duration.ofMillis(100);
    /** How long the destination may take to show a run the source has ended (a refusal may never reach it). */
    private static final Duration DESTINATION_GRACE = Duration.ofSeconds(10);

    /** A run as both hosts report it at its end; the destination may not know a run it refused early. */
    record Outcome(String migrationId, MigrationStatus source, Optional<MigrationStatus> destination) {
        boolean committed() {
            return "COMMITTED".equals(source.result().outcome());
        }
    }

    private final PrintStream out;

    DemoReport(PrintStream out) {
        this.out = out;
    }

    /** Polls both hosts until the run has ended on both (or the destination never saw it), printing changes. */
    Outcome follow(String id, DemoAgent source, DemoAgent destination, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Progress onSource = new Progress(source.hostId, "source");
        Progress onDestination = new Progress(destination.hostId, "destination");
        MigrationStatus s = null;
        Optional<MigrationStatus> d = Optional.empty();
        long sourceEnded = -1;
        while (System.nanoTime() < deadline) {
            s = source.client.migration(id);
            onSource.show(s);
            d = statusOn(destination, id);
            d.ifPresent(onDestination::show);
            if (s.finished() && sourceEnded < 0) {
                sourceEnded = System.nanoTime();
            }
            boolean destinationDone = d.map(MigrationStatus::finished).orElse(false)
                    || (sourceEnded > 0 && System.nanoTime() - sourceEnded > DESTINATION_GRACE.toNanos());
            if (s.finished() && destinationDone) {
                return new Outcome(id, s, d);
            }
            Thread.sleep(POLL.toMillis());
        }
        throw new IOException("migration " + id + " did not end within " + timeout.toSeconds() + " s; last status on "
                + source.hostId + ": " + (s == null ? "none" : s.phase()));
    }

    private static Optional<MigrationStatus> statusOn(DemoAgent agent, String id) throws ManagementException {
        try {
            return Optional.of(agent.client.migration(id));
        } catch (ManagementException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** What one host said last, so only changes are printed. */
    private final class Progress {
        private final String who;
        private String phase = "";
        private List<PartyVerdict> verdicts = List.of();
        private int rounds;
        private boolean ended;

        Progress(String hostId, String role) {
            this.who = "  [" + hostId + " " + role + "] ";
        }

        void show(MigrationStatus s) {
            String now = s.phase() + (s.state() == null ? "" : " (" + s.state() + ")");
            if (!now.equals(phase)) {
                out.println(who + "phase " + now + " at " + s.elapsedMs() + " ms");
                phase = now;
            }
            for (PartyVerdict v : s.verdicts()) {
                if (!verdicts.contains(v) && !v.status().equals("PENDING")) {
                    out.println(who + "verdict on " + v.party().toLowerCase(Locale.ROOT) + ": " + v.status());
                }
            }
            verdicts = s.verdicts();
            if (s.precopyRounds() > rounds) {
                rounds = s.precopyRounds();
                out.println(who + "pre-copy round " + rounds + ", " + mib(s.bytesTransferred()) + " streamed so far");
            }
            if (s.finished() && !ended) {
                ended = true;
                out.println(who + "finished: " + s.result().outcome() + (s.result().failureCode() == null ? ""
                        : " (" + s.result().failureCode() + ")"));
            }
        }
    }

    /** Verdicts from the host that judged each party, both results, figures and the verified logs. */
    void summary(Outcome o, Path work, DemoAgent source, DemoAgent destination) throws Exception {
        out.println();
        out.println("== migration " + o.migrationId() + " of " + o.source().vmId() + " to " + destination.hostId
                + ": " + o.source().result().outcome() + " ==");
        out.println("verdicts:");
        for (PartyVerdict.Party party : PartyVerdict.Party.values()) {
            // the destination judges the source and the VM, the source judges the destination
            boolean judgedByDestination = party != PartyVerdict.Party.DESTINATION;
            Optional<MigrationStatus> judge = judgedByDestination ? o.destination() : Optional.of(o.source());
            String judgeId = judgedByDestination ? destination.hostId : source.hostId;
            Optional<PartyVerdict> verdict = judge.flatMap(s -> s.verdicts().stream()
                    .filter(v -> v.party().equals(party.name())).findFirst());
            out.println(String.format(Locale.ROOT, "  %-12s %s", party.name().toLowerCase(Locale.ROOT),
                    verdict.filter(v -> !v.status().equals("PENDING")).map(v -> v.status() + " (judged by " + judgeId
                            + ")").orElse("not judged (the run ended before " + judgeId + " judged it)")));
            verdict.ifPresent(v -> v.reasons().forEach(r -> out.println("      reason " + r.check() + ": " + r.detail())));
        }
        out.println("result on " + source.hostId + ":  " + o.source().result().message());
        o.destination().filter(MigrationStatus::finished)
                .ifPresent(d -> out.println("result on " + destination.hostId + ": " + d.result().message()));

        List<AuditRecord> sourceLog = verifiedLog(source, work);
        List<AuditRecord> destinationLog = verifiedLog(destination, work);
        Optional<AuditRecord> transfer = sourceLog.stream()
                .filter(r -> r.kind() == EventKind.TRANSFER_COMPLETE
                        && r.event().migrationId().equals(Optional.of(o.migrationId())))
                .findFirst();
        if (!o.committed()) {
            out.println("timings: total " + o.source().elapsedMs() + " ms; no migration stream sent ("
                    + o.source().bytesTransferred() + " stream bytes)");
        } else if (transfer.isPresent()) {
            figures(transfer.get());
        }
        out.println("attestation log records of this run: " + count(sourceLog, o.migrationId()) + " on "
                + source.hostId + ", " + count(destinationLog, o.migrationId()) + " on " + destination.hostId);
    }

    private void figures(AuditRecord transfer) {
        var details = transfer.event().details();
        out.println("figures (from host-a's signed attestation log):");
        out.println("  handshake        " + details.getOrDefault("handshake-ms", "?")
                + " ms  (request, attestation of both hosts and the VM, key establishment)");
        transfer.event().bytes().ifPresent(b -> out.println("  stream           " + mib(b.vmStream())
                + " sealed in records; " + mib(b.onWire()) + " on the wire"));
        List<PreCopyRound> rounds = transfer.event().preCopyRounds();
        out.println("  pre-copy rounds  " + rounds.size());
        for (PreCopyRound r : rounds) {
            out.println("      round " + r.round() + ": " + mib(r.bytes()) + " in " + r.durationMillis() + " ms");
        }
        out.println("  downtime         " + details.getOrDefault("downtime-ms", "?")
                + " ms  (guest paused for the final copy, as QEMU measured it)");
        for (PhaseTiming p : transfer.event().phases()) {
            out.println(String.format(Locale.ROOT, "  %-16s %d ms", p.phase().name().toLowerCase(Locale.ROOT)
                    .replace('_', ' '), p.durationMillis()));
        }
        out.println("  total            " + details.getOrDefault("total-ms", "?") + " ms");
    }

    /**
     * Fetches a host's whole attestation log over its management API, saves it as a file, and
     * verifies its hash chain and every record's TPM signature offline.
     */
    private List<AuditRecord> verifiedLog(DemoAgent agent, Path work) throws Exception {
        List<String> lines = new ArrayList<>();
        long from = 0;
        AuditPage page;
        do {
            page = agent.client.audit(from, AuditPage.MAX_LIMIT);
            for (org.vtpmmigrate.management.AuditRecord r : page.records()) {
                lines.add(new String(Base64.getDecoder().decode(r.encoded()), StandardCharsets.UTF_8));
            }
            from = page.nextSequence();
        } while (page.hasMore());
        Path file = work.resolve(agent.hostId + "-attestation-log.jsonl");
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        VerificationReport report = new AuditLogVerifier().verify(file);
        out.println("attestation log of " + agent.hostId + ": " + lines.size() + " records, "
                + (report.verified() ? "hash chain and AK signatures verified" : "NOT verified: " + report.summary())
                + " (" + file + "; check again with: vtpm-migrate audit verify " + file + ")");
        return report.verifiedRecords();
    }

    private static long count(List<AuditRecord> log, String migrationId) {
        return log.stream().filter(r -> Objects.equals(r.event().migrationId().orElse(null), migrationId)).count();
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB (%d bytes)", bytes / (1024.0 * 1024.0), bytes);
    }
}
