package org.vtpmmigrate.audit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.vtpmmigrate.audit.internal.Fields;
import org.vtpmmigrate.audit.internal.InvalidFieldException;

/**
 * What happened, as the engine reports it: the content of one audit record apart from what the
 * log adds (sequence number, time, host, chain and signature). Immutable; build one with
 * {@link #builder(EventKind)}, which refuses values the log cannot hold and names the field.
 * <p>
 * Rules: migration steps ({@link EventKind#isMigrationStep()}) name the migration and this
 * host's role; log events ({@code LOG_*}) carry neither, nor timings or a verdict; a verdict is
 * present exactly in {@link EventKind#ATTESTATION_VERDICT} records.
 */
public final class AuditEvent {
    public static final int MAX_REASONS = 64;
    public static final int MAX_DETAILS = 32;
    public static final int MAX_ROUNDS = 256;
    /** Detail keys: lower-case ASCII identifiers, so their order is the same in every encoding. */
    public static final Pattern DETAIL_KEY = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private final EventKind kind;
    private final String migrationId;
    private final String vmId;
    private final String peerHost;
    private final Role role;
    private final List<PhaseTiming> phases;
    private final ByteCounts bytes;
    private final List<PreCopyRound> rounds;
    private final Verdict verdict;
    private final List<Reason> reasons;
    private final SortedMap<String, String> details;

    private AuditEvent(Builder b) {
        this.kind = b.kind;
        this.migrationId = b.migrationId;
        this.vmId = b.vmId;
        this.peerHost = b.peerHost;
        this.role = b.role;
        this.phases = List.copyOf(b.phases.values());
        this.bytes = b.bytes;
        this.rounds = List.copyOf(b.rounds.values());
        this.verdict = b.verdict;
        this.reasons = List.copyOf(b.reasons);
        this.details = Collections.unmodifiableSortedMap(new TreeMap<>(b.details));
    }

    public static Builder builder(EventKind kind) {
        return new Builder(kind);
    }

    public EventKind kind() {
        return kind;
    }

    public Optional<String> migrationId() {
        return Optional.ofNullable(migrationId);
    }

    public Optional<String> vmId() {
        return Optional.ofNullable(vmId);
    }

    /** The other host of the migration. */
    public Optional<String> peerHost() {
        return Optional.ofNullable(peerHost);
    }

    public Optional<Role> role() {
        return Optional.ofNullable(role);
    }

    /** Phase timings in {@link MigrationPhase} order, at most one per phase. */
    public List<PhaseTiming> phases() {
        return phases;
    }

    public Optional<ByteCounts> bytes() {
        return Optional.ofNullable(bytes);
    }

    /** Pre-copy rounds in ascending round order, at most one per round number. */
    public List<PreCopyRound> preCopyRounds() {
        return rounds;
    }

    public Optional<Verdict> verdict() {
        return Optional.ofNullable(verdict);
    }

    /** Reasons in the order they were given. */
    public List<Reason> reasons() {
        return reasons;
    }

    /** Free-form key/value details, keys ascending. */
    public SortedMap<String, String> details() {
        return details;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuditEvent e && kind == e.kind && Objects.equals(migrationId, e.migrationId)
                && Objects.equals(vmId, e.vmId) && Objects.equals(peerHost, e.peerHost) && role == e.role
                && phases.equals(e.phases) && Objects.equals(bytes, e.bytes) && rounds.equals(e.rounds)
                && verdict == e.verdict && reasons.equals(e.reasons) && details.equals(e.details);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, migrationId, vmId, peerHost, role, phases, bytes, rounds, verdict, reasons, details);
    }

    @Override
    public String toString() {
        return "AuditEvent[" + kind + (migrationId != null ? " migration " + migrationId : "")
                + (role != null ? " as " + role : "") + (verdict != null ? " " + verdict : "") + "]";
    }

    /** Collects the fields of an event; {@link #build()} checks the rules across fields. */
    public static final class Builder {
        private final EventKind kind;
        private String migrationId;
        private String vmId;
        private String peerHost;
        private Role role;
        private final Map<MigrationPhase, PhaseTiming> phases = new EnumMap<>(MigrationPhase.class);
        private ByteCounts bytes;
        private final SortedMap<Integer, PreCopyRound> rounds = new TreeMap<>();
        private Verdict verdict;
        private final List<Reason> reasons = new ArrayList<>();
        private final SortedMap<String, String> details = new TreeMap<>();

        private Builder(EventKind kind) {
            this.kind = Objects.requireNonNull(kind, "kind");
        }

        public Builder migration(String migrationId) {
            this.migrationId = Fields.identifier("migration", migrationId);
            return this;
        }

        public Builder vm(String vmId) {
            this.vmId = Fields.identifier("vm", vmId);
            return this;
        }

        public Builder peer(String peerHost) {
            this.peerHost = Fields.identifier("peer", peerHost);
            return this;
        }

        public Builder role(Role role) {
            this.role = Objects.requireNonNull(role, "role");
            return this;
        }

        /** Adds a phase timing; a phase may be given once. */
        public Builder phase(PhaseTiming timing) {
            Objects.requireNonNull(timing, "timing");
            if (phases.putIfAbsent(timing.phase(), timing) != null) {
                throw new InvalidFieldException("phases", timing.phase() + " given twice");
            }
            return this;
        }

        public Builder bytes(ByteCounts bytes) {
            this.bytes = Objects.requireNonNull(bytes, "bytes");
            return this;
        }

        /** Adds a pre-copy round; a round number may be given once. */
        public Builder preCopyRound(PreCopyRound round) {
            Objects.requireNonNull(round, "round");
            if (rounds.size() == MAX_ROUNDS) {
                throw new InvalidFieldException("rounds", "more than " + MAX_ROUNDS + " pre-copy rounds in one record");
            }
            if (rounds.putIfAbsent(round.round(), round) != null) {
                throw new InvalidFieldException("rounds", "round " + round.round() + " given twice");
            }
            return this;
        }

        public Builder verdict(Verdict verdict) {
            this.verdict = Objects.requireNonNull(verdict, "verdict");
            return this;
        }

        public Builder reason(Reason reason) {
            Objects.requireNonNull(reason, "reason");
            if (reasons.size() == MAX_REASONS) {
                throw new InvalidFieldException("reasons", "more than " + MAX_REASONS + " reasons in one record");
            }
            reasons.add(reason);
            return this;
        }

        public Builder reasons(List<Reason> all) {
            all.forEach(this::reason);
            return this;
        }

        /** Adds a detail; keys match {@link AuditEvent#DETAIL_KEY} and are given once. */
        public Builder detail(String key, String value) {
            if (key == null || !DETAIL_KEY.matcher(key).matches()) {
                throw new InvalidFieldException("details", "key '" + key + "' does not match " + DETAIL_KEY.pattern());
            }
            Fields.text("details." + key, value, Fields.MAX_TEXT);
            if (details.size() == MAX_DETAILS && !details.containsKey(key)) {
                throw new InvalidFieldException("details", "more than " + MAX_DETAILS + " entries");
            }
            if (details.putIfAbsent(key, value) != null) {
                throw new InvalidFieldException("details", "key '" + key + "' given twice");
            }
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the field that breaks the rules in the class comment
         */
        public AuditEvent build() {
            if (kind.isMigrationStep()) {
                if (migrationId == null) {
                    throw new InvalidFieldException("migration", "a " + kind + " record must name its migration");
                }
                if (role == null) {
                    throw new InvalidFieldException("role", "a " + kind + " record must give this host's role");
                }
            } else {
                String present = migrationId != null ? "migration" : vmId != null ? "vm" : peerHost != null ? "peer"
                        : role != null ? "role" : !phases.isEmpty() ? "phases" : bytes != null ? "bytes"
                        : !rounds.isEmpty() ? "rounds" : null;
                if (present != null) {
                    throw new InvalidFieldException(present, "a " + kind + " record belongs to no migration");
                }
            }
            if ((verdict != null) != (kind == EventKind.ATTESTATION_VERDICT)) {
                throw new InvalidFieldException("verdict", (verdict == null ? "an " + kind + " record needs one"
                        : "only " + EventKind.ATTESTATION_VERDICT + " records carry one, not " + kind));
            }
            if (kind == EventKind.LOG_OPENED && (!reasons.isEmpty() || !details.isEmpty())) {
                throw new InvalidFieldException(reasons.isEmpty() ? "details" : "reasons", "the "
                        + EventKind.LOG_OPENED + " record carries only the log header");
            }
            return new AuditEvent(this);
        }
    }
}
