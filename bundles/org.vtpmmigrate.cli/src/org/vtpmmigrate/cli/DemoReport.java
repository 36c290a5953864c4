package org.vtpmmigrate.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

import org.vtpmmigrate.engine.migration.MigrationEvent;
import org.vtpmmigrate.engine.migration.MigrationListener;
import org.vtpmmigrate.engine.migration.MigrationResult;
import org.vtpmmigrate.engine.migration.PartyVerdict;
import org.vtpmmigrate.engine.migration.PreCopyRound;
import org.vtpmmigrate.protocol.Failure;
import org.vtpmmigrate.protocol.Phase;
import org.vtpmmigrate.protocol.VerificationFailure;

/** What the demo prints: progress as the run goes, then the run as both hosts recorded it. */
final class DemoReport {
    private final PrintStream out;

    DemoReport(PrintStream out) {
        this.out = out;
    }

    /** Prints phases, verdicts and pre-copy passes of one host's runs as they happen. */
    MigrationListener progressOf(String hostId) {
        return new MigrationListener() {
            private long roundsShown;

            @Override
            public void onEvent(MigrationEvent event) {
                String who = "  [" + hostId + " " + event.role().name().toLowerCase(Locale.ROOT) + "] ";
                if (event instanceof MigrationEvent.PhaseChanged p) {
                    out.println(who + "phase " + p.phase() + " (" + p.state() + ")");
                } else if (event instanceof MigrationEvent.VerdictReached v) {
                    out.println(who + "verdict on " + describe(v.verdict()));
                } else if (event instanceof MigrationEvent.TransferProgress t) {
                    // one line per pre-copy pass: progress events come several times a second
                    if (t.progress().preCopyRounds() > roundsShown) {
                        roundsShown = t.progress().preCopyRounds();
                        out.println(who + "pre-copy round " + roundsShown + ", " + mib(t.progress().streamBytes())
                                + " streamed so far");
                    }
                } else if (event instanceof MigrationEvent.Finished f) {
                    out.println(who + "finished: " + f.result().status()
                            + f.result().failure().map(failure -> " (" + failure.reason() + ")").orElse(""));
                }
            }
        };
    }

    /**
     * The summary of one run: verdicts (each from the host that judged it), time and bytes, and the
     * failure of each side when it did not commit.
     */
    void summary(String sourceId, MigrationResult onSource, Optional<MigrationResult> onDestination) {
        out.println();
        out.println("== migration " + onSource.migrationId() + " of " + onSource.vmId() + " to " + onSource.peer()
                + ": " + onSource.status() + " ==");
        out.println("verdicts:");
        for (PartyVerdict.Party party : PartyVerdict.Party.values()) {
            Judged judged = judged(party, sourceId, onSource, onDestination);
            PartyVerdict verdict = judged.verdict();
            out.println("  " + describe(verdict) + (verdict.status() == PartyVerdict.Status.NOT_EVALUATED ? ""
                    : " at " + judged.hostId()));
            for (VerificationFailure reason : verdict.reasons()) {
                out.println("      reason " + reason);
            }
        }
        printFailure("source", onSource.failure());
        onDestination.ifPresent(d -> printFailure("destination", d.failure()));
        MigrationResult.Placement placement = onSource.placement();
        out.println("placement (source's view): " + placement);
        if (!onSource.committed()) {
            // nothing was streamed: only the exchange up to the refusal took time
            out.println("timings: total " + ms(onSource.timings().total()) + "; no migration stream sent ("
                    + onSource.streamBytes() + " stream bytes, " + onSource.wireBytes() + " protocol bytes)");
            return;
        }
        out.println("timings:");
        out.println("  handshake        " + ms(onSource.timings().handshake())
                + "  (request, attestation of both hosts and the VM, key establishment)");
        out.println("  stream           " + mib(onSource.streamBytes()) + " in " + onSource.streamRecords()
                + " sealed records; " + mib(onSource.wireBytes()) + " on the wire");
        out.println("  pre-copy rounds  " + (onSource.preCopyRounds() < 0 ? "unknown" : onSource.preCopyRounds()));
        for (PreCopyRound round : onSource.rounds()) {
            out.println("      round " + round.round() + ": " + mib(round.streamBytes()) + " in "
                    + ms(round.duration()));
        }
        out.println("  downtime         " + onSource.timings().qemuDowntime().map(DemoReport::ms).orElse("unknown")
                + "  (guest paused for the final copy, as QEMU measured it)");
        out.println("  transfer         " + ms(onSource.timings().phase(Phase.TRANSFER)));
        out.println("  commit           " + ms(onSource.timings().phase(Phase.COMMIT))
                + "  (destination resumes the VM and signs the commit, source verifies it)");
        out.println("  total            " + ms(onSource.timings().total()) + "  (clean-up included)");
    }

    /** A verdict and the host whose record it comes from. */
    private record Judged(PartyVerdict verdict, String hostId) {
    }

    /** The verdict from the host that verified the evidence itself, else what either host learned. */
    private static Judged judged(PartyVerdict.Party party, String sourceId, MigrationResult onSource,
            Optional<MigrationResult> onDestination) {
        Judged fallback = new Judged(onSource.verdict(party), sourceId);
        Judged[] records = onDestination.isPresent()
                ? new Judged[] {fallback, new Judged(onDestination.get().verdict(party), onSource.peer())}
                : new Judged[] {fallback};
        for (Judged record : records) {
            if (record.verdict().status() != PartyVerdict.Status.NOT_EVALUATED) {
                if (record.verdict().origin() == PartyVerdict.Origin.VERIFIED_HERE) {
                    return record;
                }
                fallback = record;
            }
        }
        return fallback;
    }

    /** The host's own reason in full; an abort names only the peer's reason, whose detail is printed there. */
    private void printFailure(String side, Optional<Failure> failure) {
        failure.ifPresent(f -> out.println("refused at the " + side + ": " + f.reason()
                + f.peerReason().map(peer -> " (the peer's reason: " + peer + ")").orElse(" - " + f.detail())));
    }

    static String describe(PartyVerdict verdict) {
        String party = verdict.party().name().toLowerCase(Locale.ROOT);
        String origin = verdict.status() == PartyVerdict.Status.NOT_EVALUATED ? ""
                : verdict.origin() == PartyVerdict.Origin.VERIFIED_HERE ? " (verified)" : " (reported by peer)";
        return String.format(Locale.ROOT, "%-12s %s%s", party, verdict.status(), origin);
    }

    static String ms(Duration d) {
        return d.toMillis() + " ms";
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB (%d bytes)", bytes / (1024.0 * 1024.0), bytes);
    }
}
