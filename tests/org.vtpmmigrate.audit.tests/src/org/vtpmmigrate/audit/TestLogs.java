package org.vtpmmigrate.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Test fixture: realistic logs of a migration, a clock that moves on, and line-level file edits. */
final class TestLogs {
    static final Instant START = Instant.parse("2025-11-27T09:00:00.000Z");

    private TestLogs() {
    }

    /** A clock that advances by a fixed step every time it is read, so every record has its own time. */
    static final class SteppingClock extends Clock {
        private Instant next;
        private final long stepMillis;

        SteppingClock(Instant first, long stepMillis) {
            this.next = first;
            this.stepMillis = stepMillis;
        }

        @Override
        public synchronized Instant instant() {
            Instant now = next;
            next = next.plusMillis(stepMillis);
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    /** The events of one successful outgoing migration, as a source host logs them. */
    static List<AuditEvent> sourceMigration(String migrationId, String peer, Instant t0) {
        List<AuditEvent> events = new ArrayList<>();
        events.add(step(EventKind.MIGRATION_REQUESTED, migrationId, peer, Role.SOURCE)
                .detail("policy.id", "prod-baseline").detail("policy.digest", "9f".repeat(32)).build());
        events.add(step(EventKind.ATTESTATION_VERDICT, migrationId, peer, Role.SOURCE).verdict(Verdict.TRUSTED)
                .phase(new PhaseTiming(MigrationPhase.REQUEST, t0, 3))
                .phase(new PhaseTiming(MigrationPhase.ATTESTATION, t0.plusMillis(3), 41))
                .reason(new Reason(Severity.INFO, "pcr", "sha256:7", "a3f0", "a3f0", "Secure Boot state as in the policy"))
                .reason(new Reason(Severity.WARNING, "event", "event 42", "", "EV_EFI_ACTION",
                        "unexpected event type \"EV_EFI_ACTION\"\tallowed by policy\nsee reviewer notes – ✓ ünïcödé 🚀"))
                .build());
        events.add(step(EventKind.KEY_ESTABLISHED, migrationId, peer, Role.SOURCE)
                .phase(new PhaseTiming(MigrationPhase.KEY_ESTABLISHMENT, t0.plusMillis(44), 9)).build());
        events.add(step(EventKind.TRANSFER_PROGRESS, migrationId, peer, Role.SOURCE)
                .bytes(new ByteCounts(600_000_000L, 0, 600_100_000L))
                .preCopyRound(new PreCopyRound(1, 500_000_000L, 250))
                .preCopyRound(new PreCopyRound(2, 100_000_000L, 60)).build());
        events.add(step(EventKind.TRANSFER_COMPLETE, migrationId, peer, Role.SOURCE)
                .phase(new PhaseTiming(MigrationPhase.TRANSFER, t0.plusMillis(53), 400))
                .bytes(new ByteCounts(1_073_741_824L, 3_072, 1_074_000_000L))
                .preCopyRound(new PreCopyRound(2, 120_000_000L, 60))
                .preCopyRound(new PreCopyRound(3, 20_000_000L, 0)).build());
        events.add(step(EventKind.COMMIT_RECEIVED, migrationId, peer, Role.SOURCE)
                .phase(new PhaseTiming(MigrationPhase.COMMIT, t0.plusMillis(453), 12)).build());
        events.add(step(EventKind.VTPM_STATE_DELETED, migrationId, peer, Role.SOURCE)
                .phase(new PhaseTiming(MigrationPhase.CLEANUP, t0.plusMillis(465), 2)).build());
        return events;
    }

    private static AuditEvent.Builder step(EventKind kind, String migrationId, String peer, Role role) {
        return AuditEvent.builder(kind).migration(migrationId).vm("vm-web-01").peer(peer).role(role);
    }

    /** Writes a new log for {@code host}: header plus the events of one migration. */
    static List<AuditRecord> write(Path file, String host, RecordSigner signer, Clock clock) throws AuditLogException {
        List<AuditRecord> written = new ArrayList<>();
        try (AuditLogWriter w = AuditLogWriter.open(file, host, signer, new byte[0], clock)) {
            written.add(w.lastRecord());
            for (AuditEvent e : sourceMigration("mig-0001", "host-b", START.plusSeconds(1))) {
                written.add(w.append(e));
            }
        }
        return written;
    }

    static List<AuditRecord> write(Path file, RecordSigner signer) throws AuditLogException {
        return write(file, "host-a", signer, new SteppingClock(START, 7));
    }

    /** The file's lines without their newlines (the file must end with one). */
    static List<String> lines(Path file) throws IOException {
        String s = Files.readString(file, StandardCharsets.UTF_8);
        if (!s.endsWith("\n")) {
            throw new IllegalStateException(file + " does not end with a newline");
        }
        return new ArrayList<>(List.of(s.substring(0, s.length() - 1).split("\n", -1)));
    }

    static void writeLines(Path file, List<String> lines) throws IOException {
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }
}
