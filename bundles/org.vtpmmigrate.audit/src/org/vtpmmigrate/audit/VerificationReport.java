package org.vtpmmigrate.audit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of verifying one log file: a result per line, in file order, and what the log
 * header says. Immutable.
 */
public final class VerificationReport {
    private final String source;
    private final List<RecordResult> results;
    private final LogHeader header;
    private final String hostId;
    private final boolean akPinned;
    private final boolean tornTail;

    /**
     * @param source the file, as named to the verifier
     * @param header the header of the log's first record, or null if there is none
     * @param akPinned whether signatures were checked against an AK given by the caller rather than the header's
     * @param tornTail whether the last line lacks its newline
     */
    public VerificationReport(String source, List<RecordResult> results, LogHeader header, String hostId,
            boolean akPinned, boolean tornTail) {
        this.source = source;
        this.results = List.copyOf(results);
        this.header = header;
        this.hostId = hostId;
        this.akPinned = akPinned;
        this.tornTail = tornTail;
    }

    public String source() {
        return source;
    }

    /** One result per line, in file order. */
    public List<RecordResult> results() {
        return results;
    }

    /** The header as the first record states it (trust it only if that record is OK). */
    public Optional<LogHeader> header() {
        return Optional.ofNullable(header);
    }

    /** The host named in the header record. */
    public Optional<String> hostId() {
        return Optional.ofNullable(hostId);
    }

    /**
     * Whether the signatures were checked against an AK the caller supplied. If not, the log
     * vouches only for itself: it was signed by the AK its header names, and whether that AK is
     * the host's enrolled AK is a separate question.
     */
    public boolean akPinned() {
        return akPinned;
    }

    /** True when the file holds at least one record and every line is OK. */
    public boolean verified() {
        return !results.isEmpty() && results.stream().allMatch(RecordResult::ok);
    }

    /** The first line that is not OK. */
    public Optional<RecordResult> firstBroken() {
        return results.stream().filter(r -> !r.ok()).findFirst();
    }

    /** The incomplete last line a crash during a write leaves behind, if any. */
    public Optional<RecordResult> tornTail() {
        return tornTail ? Optional.of(results.get(results.size() - 1)) : Optional.empty();
    }

    /** How many lines have each status; every status is present, most with 0. */
    public Map<RecordStatus, Integer> statusCounts() {
        Map<RecordStatus, Integer> counts = new EnumMap<>(RecordStatus.class);
        for (RecordStatus s : RecordStatus.values()) {
            counts.put(s, 0);
        }
        results.forEach(r -> counts.merge(r.status(), 1, Integer::sum));
        return Collections.unmodifiableMap(counts);
    }

    /** The records of the lines that are OK, in file order: the only ones whose content can be trusted. */
    public List<AuditRecord> verifiedRecords() {
        List<AuditRecord> out = new ArrayList<>();
        for (RecordResult r : results) {
            if (r.ok()) {
                out.add(r.record().orElseThrow());
            }
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The parsed records of several logs (typically one per host) as one list ordered by record
     * time, then host, then sequence number: the cross-host view. Lines that could not be parsed
     * are left out; every entry keeps its own result, so unverified records stay recognisable.
     */
    public static List<RecordResult> mergeByTime(Collection<VerificationReport> reports) {
        List<RecordResult> all = new ArrayList<>();
        for (VerificationReport report : reports) {
            for (RecordResult r : report.results) {
                if (r.record().isPresent()) {
                    all.add(r);
                }
            }
        }
        all.sort(Comparator.comparing((RecordResult r) -> r.record().orElseThrow().time())
                .thenComparing(r -> r.record().orElseThrow().hostId())
                .thenComparingLong(r -> r.record().orElseThrow().sequence()));
        return Collections.unmodifiableList(all);
    }

    /** One line for people: what was checked and the first problem, if any. */
    public String summary() {
        String who = (hostId != null ? "host " + hostId : "unknown host") + (header != null
                ? ", AK " + HexFormat.of().formatHex(header.akName()) + (akPinned ? " (expected AK)" : " (from the log header)")
                : "");
        if (results.isEmpty()) {
            return source + ": empty, no records";
        }
        if (verified()) {
            return source + ": " + who + ", " + results.size() + " records, all verified";
        }
        RecordResult first = firstBroken().orElseThrow();
        long broken = results.stream().filter(r -> !r.ok()).count();
        return source + ": " + who + ", " + results.size() + " lines, " + broken + " not verified; first: "
                + first.location() + " " + first.mainProblem().orElseThrow();
    }

    @Override
    public String toString() {
        return "VerificationReport[" + summary() + "]";
    }
}
