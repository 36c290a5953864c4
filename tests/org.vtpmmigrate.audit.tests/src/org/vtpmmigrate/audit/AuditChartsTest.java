package org.vtpmmigrate.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Chart data and the cross-host view, from verified logs of a source and a destination. */
class AuditChartsTest {
    @TempDir
    Path dir;

    private final Instant t0 = TestLogs.START.plusSeconds(1);

    private VerificationReport sourceLog() throws Exception {
        Path file = dir.resolve("host-a.jsonl");
        TestLogs.write(file, SoftwareAk.create());
        return new AuditLogVerifier().verify(file);
    }

    /** The destination's side: refuses one migration, accepts another, with phase timings of its own. */
    private VerificationReport destinationLog() throws Exception {
        Path file = dir.resolve("host-b.jsonl");
        try (AuditLogWriter w = AuditLogWriter.open(file, "host-b", SoftwareAk.create(), new byte[0],
                new TestLogs.SteppingClock(TestLogs.START.plusMillis(2), 7))) {
            w.append(AuditEvent.builder(EventKind.ATTESTATION_VERDICT).migration("mig-0001").peer("host-a")
                    .role(Role.DESTINATION).verdict(Verdict.TRUSTED)
                    .phase(new PhaseTiming(MigrationPhase.ATTESTATION, t0.plusMillis(5), 30)).build());
            w.append(AuditEvent.builder(EventKind.KEY_ESTABLISHED).migration("mig-0001").peer("host-a")
                    .role(Role.DESTINATION).phase(new PhaseTiming(MigrationPhase.KEY_ESTABLISHMENT, t0.plusMillis(40), 15))
                    .build());
            w.append(AuditEvent.builder(EventKind.ATTESTATION_VERDICT).migration("mig-0002").peer("host-c")
                    .role(Role.DESTINATION).verdict(Verdict.REFUSED)
                    .reason(new Reason(Severity.ERROR, "pcr", "sha256:0", "aa", "bb", "firmware not in the policy"))
                    .build());
            w.append(AuditEvent.builder(EventKind.ATTESTATION_VERDICT).migration("mig-0003").peer("host-c")
                    .role(Role.DESTINATION).verdict(Verdict.REFUSED).build());
        }
        return new AuditLogVerifier().verify(file);
    }

    @Test
    void phaseTimelinesSpanEachPhaseOncePerHost() throws Exception {
        List<AuditRecord> records = sourceLog().verifiedRecords();
        List<AuditCharts.MigrationTimeline> timelines = AuditCharts.phaseTimelines(records);
        assertEquals(1, timelines.size());
        AuditCharts.MigrationTimeline t = timelines.get(0);
        assertEquals("mig-0001", t.migrationId());
        assertEquals("host-a", t.hostId());
        assertEquals(Role.SOURCE, t.role());
        assertEquals(List.of(MigrationPhase.values()), t.phases().stream().map(AuditCharts.PhaseSpan::phase).toList());
        AuditCharts.PhaseSpan transfer = t.phases().get(3);
        assertEquals(t0.plusMillis(53), transfer.start());
        assertEquals(t0.plusMillis(453), transfer.end());
        assertEquals(400, transfer.millis());
    }

    @Test
    void throughputPerRoundTakesTheLatestFigures() throws Exception {
        List<AuditCharts.RoundThroughput> rounds = AuditCharts.throughput(sourceLog().verifiedRecords());
        assertEquals(List.of(1, 2, 3), rounds.stream().map(AuditCharts.RoundThroughput::round).toList());
        assertEquals(2_000_000_000.0, rounds.get(0).bytesPerSecond(), 1e-6);
        // round 2 was reported twice; the transfer-complete record's figures win
        assertEquals(120_000_000L, rounds.get(1).bytes());
        assertEquals(2_000_000_000.0, rounds.get(1).bytesPerSecond(), 1e-6);
        assertTrue(Double.isNaN(rounds.get(2).bytesPerSecond()), "a 0 ms round has no rate");
    }

    @Test
    void handshakeLatencyRunsFromAttestationStartToKeyEstablishmentEnd() throws Exception {
        List<AuditRecord> all = new java.util.ArrayList<>(sourceLog().verifiedRecords());
        all.addAll(destinationLog().verifiedRecords());
        List<AuditCharts.HandshakeLatency> latencies = AuditCharts.handshakeLatencies(all);
        assertEquals(2, latencies.size());
        assertEquals(new AuditCharts.HandshakeLatency("mig-0001", "host-a", Role.SOURCE, 50), latencies.get(0));
        assertEquals(new AuditCharts.HandshakeLatency("mig-0001", "host-b", Role.DESTINATION, 50), latencies.get(1));
    }

    @Test
    void verdictsAreCountedPerHost() throws Exception {
        List<AuditRecord> all = new java.util.ArrayList<>(sourceLog().verifiedRecords());
        all.addAll(destinationLog().verifiedRecords());
        assertEquals(List.of(new AuditCharts.VerdictCount("host-a", 1, 0), new AuditCharts.VerdictCount("host-b", 1, 2)),
                AuditCharts.verdictsPerHost(all));
    }

    @Test
    void logsOfSeveralHostsMergeByTime() throws Exception {
        VerificationReport a = sourceLog();
        VerificationReport b = destinationLog();
        List<RecordResult> merged = VerificationReport.mergeByTime(List.of(a, b));
        assertEquals(a.results().size() + b.results().size(), merged.size());
        for (int i = 1; i < merged.size(); i++) {
            AuditRecord prev = merged.get(i - 1).record().orElseThrow();
            AuditRecord next = merged.get(i).record().orElseThrow();
            assertTrue(!next.time().isBefore(prev.time()), "ordered by time at " + i);
        }
        // host-a writes at 0, 7, 14 ... ms; host-b at 2, 9, 16 ... ms: the hosts interleave
        assertEquals(List.of("host-a", "host-b", "host-a", "host-b"),
                merged.subList(0, 4).stream().map(r -> r.record().orElseThrow().hostId()).toList());
    }

    @Test
    void equalTimesAreOrderedByHostThenSequence() throws Exception {
        Path fa = dir.resolve("a");
        Path fb = dir.resolve("b");
        java.time.Clock frozen = java.time.Clock.fixed(TestLogs.START, java.time.ZoneOffset.UTC);
        for (Path f : List.of(fb, fa)) {
            try (AuditLogWriter w = AuditLogWriter.open(f, f == fa ? "host-a" : "host-b", SoftwareAk.create(), new byte[0],
                    frozen)) {
                w.append(AuditEvent.builder(EventKind.MIGRATION_REQUESTED).migration("m").role(Role.SOURCE).build());
            }
        }
        List<RecordResult> merged = VerificationReport.mergeByTime(List.of(new AuditLogVerifier().verify(fb),
                new AuditLogVerifier().verify(fa)));
        assertEquals(List.of("host-a#0", "host-a#1", "host-b#0", "host-b#1"), merged.stream()
                .map(r -> r.record().orElseThrow().hostId() + "#" + r.sequence().getAsLong()).toList());
    }
}
