package org.vtpmmigrate.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Plain data for the console's charts, computed from audit records (pass
 * {@link VerificationReport#verifiedRecords()} so that only verified content is charted). A
 * migration is identified per host: the source's and the destination's logs each describe their
 * own side of it. Results are sorted so the same records always give the same series.
 */
public final class AuditCharts {

    /** One phase on one host: from its earliest recorded start to its latest recorded end. */
    public record PhaseSpan(MigrationPhase phase, Instant start, Instant end) {
        public long millis() {
            return end.toEpochMilli() - start.toEpochMilli();
        }
    }

    /** The phases of one migration as one host recorded them, in phase order. */
    public record MigrationTimeline(String migrationId, String hostId, Role role, List<PhaseSpan> phases) {
        public MigrationTimeline {
            phases = List.copyOf(phases);
        }
    }

    /** Throughput of one pre-copy round; {@code bytesPerSecond} is NaN for a round of 0 ms. */
    public record RoundThroughput(String migrationId, String hostId, int round, long bytes, long durationMillis,
            double bytesPerSecond) {
    }

    /** Handshake latency: from the start of attestation to the end of key establishment, on one host. */
    public record HandshakeLatency(String migrationId, String hostId, Role role, long millis) {
    }

    /** Attestation verdicts one host reached. */
    public record VerdictCount(String hostId, int trusted, int refused) {
    }

    private record Key(String migrationId, String hostId) {
    }

    private AuditCharts() {
    }

    /** Per migration and host, the span of every phase recorded; ordered by first phase start, then host. */
    public static List<MigrationTimeline> phaseTimelines(Collection<AuditRecord> records) {
        Map<Key, Map<MigrationPhase, PhaseSpan>> spans = new LinkedHashMap<>();
        Map<Key, Role> roles = new LinkedHashMap<>();
        for (AuditRecord r : records) {
            Optional<Key> key = key(r);
            if (key.isEmpty() || r.event().phases().isEmpty()) {
                continue;
            }
            roles.putIfAbsent(key.get(), r.event().role().orElseThrow());
            Map<MigrationPhase, PhaseSpan> m = spans.computeIfAbsent(key.get(), k -> new EnumMap<>(MigrationPhase.class));
            for (PhaseTiming t : r.event().phases()) {
                m.merge(t.phase(), new PhaseSpan(t.phase(), t.start(), t.end()), (a, b) -> new PhaseSpan(a.phase(),
                        a.start().isBefore(b.start()) ? a.start() : b.start(), a.end().isAfter(b.end()) ? a.end() : b.end()));
            }
        }
        List<MigrationTimeline> out = new ArrayList<>();
        spans.forEach((k, m) -> out.add(new MigrationTimeline(k.migrationId, k.hostId, roles.get(k),
                new ArrayList<>(m.values()))));
        out.sort(Comparator.comparing((MigrationTimeline t) -> t.phases().stream().map(PhaseSpan::start)
                .min(Comparator.naturalOrder()).orElseThrow()).thenComparing(MigrationTimeline::hostId)
                .thenComparing(MigrationTimeline::migrationId));
        return out;
    }

    /**
     * Per migration and host, each pre-copy round once (a later record's figures replace an
     * earlier record's for the same round); ordered by migration, host, round.
     */
    public static List<RoundThroughput> throughput(Collection<AuditRecord> records) {
        Map<Key, TreeMap<Integer, PreCopyRound>> rounds = new TreeMap<>(
                Comparator.comparing(Key::migrationId).thenComparing(Key::hostId));
        for (AuditRecord r : sortedBySequence(records)) {
            Optional<Key> key = key(r);
            if (key.isEmpty()) {
                continue;
            }
            for (PreCopyRound p : r.event().preCopyRounds()) {
                rounds.computeIfAbsent(key.get(), k -> new TreeMap<>()).put(p.round(), p);
            }
        }
        List<RoundThroughput> out = new ArrayList<>();
        rounds.forEach((k, m) -> m.values().forEach(p -> out.add(new RoundThroughput(k.migrationId, k.hostId,
                p.round(), p.bytes(), p.durationMillis(), p.bytesPerSecond()))));
        return out;
    }

    /** Per migration and host that recorded both the attestation and the key-establishment phase. */
    public static List<HandshakeLatency> handshakeLatencies(Collection<AuditRecord> records) {
        List<HandshakeLatency> out = new ArrayList<>();
        for (MigrationTimeline t : phaseTimelines(records)) {
            Optional<PhaseSpan> attestation = span(t, MigrationPhase.ATTESTATION);
            Optional<PhaseSpan> keys = span(t, MigrationPhase.KEY_ESTABLISHMENT);
            if (attestation.isPresent() && keys.isPresent()) {
                out.add(new HandshakeLatency(t.migrationId(), t.hostId(), t.role(),
                        keys.get().end().toEpochMilli() - attestation.get().start().toEpochMilli()));
            }
        }
        return out;
    }

    /** Per host, how many {@link EventKind#ATTESTATION_VERDICT} records say TRUSTED and REFUSED; hosts in name order. */
    public static List<VerdictCount> verdictsPerHost(Collection<AuditRecord> records) {
        Map<String, int[]> counts = new TreeMap<>();
        for (AuditRecord r : records) {
            r.event().verdict().ifPresent(v -> counts.computeIfAbsent(r.hostId(), h -> new int[2])[v.ordinal()]++);
        }
        List<VerdictCount> out = new ArrayList<>();
        counts.forEach((h, c) -> out.add(new VerdictCount(h, c[Verdict.TRUSTED.ordinal()], c[Verdict.REFUSED.ordinal()])));
        return out;
    }

    private static Optional<Key> key(AuditRecord r) {
        return r.event().migrationId().map(m -> new Key(m, r.hostId()));
    }

    private static Optional<PhaseSpan> span(MigrationTimeline t, MigrationPhase phase) {
        return t.phases().stream().filter(s -> s.phase() == phase).findFirst();
    }

    private static List<AuditRecord> sortedBySequence(Collection<AuditRecord> records) {
        List<AuditRecord> sorted = new ArrayList<>(records);
        sorted.sort(Comparator.comparing(AuditRecord::hostId).thenComparingLong(AuditRecord::sequence));
        return sorted;
    }
}
