package org.vtpmmigrate.console.model;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import org.vtpmmigrate.audit.AuditRecord;
import org.vtpmmigrate.audit.RecordProblem;
import org.vtpmmigrate.audit.RecordResult;
import org.vtpmmigrate.audit.RecordStatus;

/**
 * One attestation-log record of one host as the console verified it: what the agent's management API
 * listed, and the outcome of checking the signed record line itself (chain link, record hash, AK
 * signature). The typed fields of the API listing are only for display; filters and charts read the
 * verified record.
 *
 * @param hostId the host whose log holds the record
 * @param listed the record as the agent's API listed it
 * @param result the verification of the record's signed line
 */
public record AuditEntry(String hostId, org.vtpmmigrate.management.AuditRecord listed, RecordResult result) {
    public AuditEntry {
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(listed, "listed");
        Objects.requireNonNull(result, "result");
    }

    public Instant time() {
        return listed.recordedAt();
    }

    /** The record parsed from its signed line, even when a check failed (then it is not to be trusted). */
    public Optional<AuditRecord> record() {
        return result.record();
    }

    /** The verified record, only when every check passed. */
    public Optional<AuditRecord> verified() {
        return result.ok() ? result.record() : Optional.empty();
    }

    public Optional<String> vmId() {
        return record().flatMap(r -> r.event().vmId());
    }

    public Optional<String> migrationId() {
        return record().flatMap(r -> r.event().migrationId()).or(() -> Optional.ofNullable(listed.migrationId()));
    }

    public Optional<org.vtpmmigrate.audit.Verdict> verdict() {
        return record().flatMap(r -> r.event().verdict());
    }

    /** The kind of event, from the signed line when it parses. */
    public String kind() {
        return record().map(r -> r.kind().name()).orElse(listed.type());
    }

    /** The chain link and record hash: "intact", or what is wrong. */
    public String chainStatus() {
        return result.problems().stream().filter(p -> p.status() != RecordStatus.BAD_SIGNATURE).findFirst()
                .map(AuditEntry::describe).orElse("intact");
    }

    /** The AK signature: "valid", "not checked" when the line could not be read, or what is wrong. */
    public String signatureStatus() {
        if (result.status() == RecordStatus.MALFORMED) {
            return "not checked";
        }
        return result.problems().stream().filter(p -> p.status() == RecordStatus.BAD_SIGNATURE).findFirst()
                .map(AuditEntry::describe).orElse("valid");
    }

    private static String describe(RecordProblem p) {
        return p.status().name().toLowerCase().replace('_', ' ') + (p.field().isEmpty() ? "" : " (" + p.field() + ")")
                + ": " + p.message();
    }
}
