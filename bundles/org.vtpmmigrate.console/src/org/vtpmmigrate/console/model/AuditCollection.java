package org.vtpmmigrate.console.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.eclipse.core.runtime.jobs.Job;
import org.vtpmmigrate.attest.tpm2.TpmFormatException;
import org.vtpmmigrate.attest.tpm2.TpmPublic;
import org.vtpmmigrate.audit.AuditLogException;
import org.vtpmmigrate.audit.AuditLogVerifier;
import org.vtpmmigrate.audit.AuditRecord;
import org.vtpmmigrate.audit.VerificationReport;
import org.vtpmmigrate.management.AuditPage;
import org.vtpmmigrate.management.ManagementException;
import org.vtpmmigrate.management.ManagementService;

/**
 * The attestation logs of every reachable agent, read through the management API and verified by the
 * console: each record's signed line (the management record's {@code encoded} field) is checked for
 * its chain link, hash and AK signature, with the AK of the host's last verified evidence when there
 * is one. Records of all hosts are kept in one list ordered by time.
 */
public final class AuditCollection {
    /** Most records read from one host; beyond it the oldest are left out and the host's status says so. */
    public static final int MAX_RECORDS_PER_HOST = 100_000;

    /** One host's log as loaded: its verification summary, or why it could not be loaded. */
    public record HostLog(String hostId, Optional<VerificationReport> report, Optional<Failure> problem,
            boolean truncated) {
    }

    /**
     * Which records to show; null members do not filter.
     *
     * @param vmText part of the VM id
     * @param verdict the verdict an ATTESTATION_VERDICT record must carry
     */
    public record Filter(String hostId, String vmText, org.vtpmmigrate.audit.Verdict verdict, Instant from,
            Instant to) {
        public static final Filter NONE = new Filter(null, null, null, null, null);

        public boolean accepts(AuditEntry e) {
            if (hostId != null && !hostId.equals(e.hostId())) {
                return false;
            }
            if (vmText != null && !vmText.isBlank() && e.vmId().filter(v -> v.contains(vmText.strip())).isEmpty()) {
                return false;
            }
            if (verdict != null && e.verdict().filter(verdict::equals).isEmpty()) {
                return false;
            }
            if (from != null && e.time().isBefore(from)) {
                return false;
            }
            return to == null || !e.time().isAfter(to);
        }
    }

    private final ConsoleModel model;
    private volatile List<AuditEntry> entries = List.of();
    private volatile Map<String, HostLog> hostLogs = Map.of();
    private volatile boolean loading;

    AuditCollection(ConsoleModel model) {
        this.model = model;
    }

    /** Every record loaded, oldest first. */
    public List<AuditEntry> entries() {
        return entries;
    }

    public List<AuditEntry> filtered(Filter filter) {
        return entries.stream().filter(filter::accepts).toList();
    }

    /** Per host, how its log was loaded. */
    public Map<String, HostLog> hostLogs() {
        return hostLogs;
    }

    public boolean isLoading() {
        return loading;
    }

    /** The records whose every check passed: the only ones charts are drawn from. */
    public List<AuditRecord> verifiedRecords(Filter filter) {
        List<AuditRecord> out = new ArrayList<>();
        for (AuditEntry e : entries) {
            if (filter.accepts(e)) {
                e.verified().ifPresent(out::add);
            }
        }
        return out;
    }

    /** Reads and verifies the logs of every listed agent in the background. */
    public Job load() {
        loading = true;
        model.fire(ModelEvents.Topic.AUDIT, null);
        Job job = model.job("Reading attestation logs", monitor -> {
            List<AuditEntry> all = new ArrayList<>();
            Map<String, HostLog> logs = new LinkedHashMap<>();
            try {
                for (Agent agent : model.agents().all()) {
                    if (monitor.isCanceled()) {
                        return;
                    }
                    logs.put(agent.hostId(), loadHost(agent, all));
                }
                all.sort(Comparator.comparing(AuditEntry::time).thenComparing(AuditEntry::hostId)
                        .thenComparingLong(e -> e.listed().sequence()));
                entries = List.copyOf(all);
                hostLogs = java.util.Collections.unmodifiableMap(logs);
            } finally {
                loading = false;
                model.fire(ModelEvents.Topic.AUDIT, null);
            }
        });
        job.schedule();
        return job;
    }

    private HostLog loadHost(Agent agent, List<AuditEntry> into) {
        Optional<ManagementService> client = model.client(agent);
        if (client.isEmpty()) {
            return new HostLog(agent.hostId(), Optional.empty(), model.identity().problem(), false);
        }
        List<org.vtpmmigrate.management.AuditRecord> listed = new ArrayList<>();
        boolean truncated = false;
        try {
            long from = 0;
            while (true) {
                AuditPage page = client.get().audit(from, AuditPage.MAX_LIMIT);
                listed.addAll(page.records());
                if (!page.hasMore()) {
                    break;
                }
                if (listed.size() >= MAX_RECORDS_PER_HOST) {
                    truncated = true;
                    break;
                }
                from = page.nextSequence();
            }
        } catch (ManagementException e) {
            return new HostLog(agent.hostId(), Optional.empty(), Optional.of(Failure.fromManagement(
                    "Reading the attestation log", agent.hostId(), agent.address(), e)), false);
        }
        try {
            VerificationReport report = verify(agent, listed);
            for (int i = 0; i < listed.size() && i < report.results().size(); i++) {
                into.add(new AuditEntry(agent.hostId(), listed.get(i), report.results().get(i)));
            }
            return new HostLog(agent.hostId(), Optional.of(report), Optional.empty(), truncated);
        } catch (IOException | AuditLogException e) {
            return new HostLog(agent.hostId(), Optional.empty(), Optional.of(new Failure(
                    "The attestation log of " + agent.hostId() + " could not be verified", e.getMessage(),
                    Failure.stackTrace(e))), truncated);
        }
    }

    /**
     * Verifies the records' signed lines as one log file. The AK is pinned to the one of the host's
     * last checked evidence when its quote verified, so a log re-signed with another key shows.
     */
    private static VerificationReport verify(Agent agent, List<org.vtpmmigrate.management.AuditRecord> listed)
            throws IOException, AuditLogException {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (org.vtpmmigrate.management.AuditRecord r : listed) {
            content.writeBytes(Base64.getDecoder().decode(r.encoded()));
            content.write('\n');
        }
        Path file = Files.createTempFile("vtpm-audit-" + agent.hostId() + "-", ".log");
        try {
            Files.write(file, content.toByteArray());
            Optional<TpmPublic> ak = verifiedAk(agent);
            AuditLogVerifier verifier = new AuditLogVerifier();
            if (ak.isPresent()) {
                try {
                    return verifier.verify(file, ak.get());
                } catch (IllegalArgumentException e) {
                    // an AK that cannot sign records: check the log against its own header's AK instead
                }
            }
            return verifier.verify(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static Optional<TpmPublic> verifiedAk(Agent agent) {
        Optional<EvidenceReport> report = agent.lastAttestation();
        if (report.isEmpty() || report.get().quoteCheck().map(q -> !q.passed()).orElse(true)) {
            return Optional.empty();
        }
        try {
            return Optional.of(TpmPublic.parseTpm2b(Base64.getDecoder().decode(report.get().evidence().akPublic())));
        } catch (TpmFormatException e) {
            return Optional.empty();
        }
    }

    /** The records of one migration on every host, oldest first. */
    public List<AuditEntry> ofMigration(String migrationId) {
        Objects.requireNonNull(migrationId, "migrationId");
        return entries.stream().filter(e -> e.migrationId().filter(migrationId::equals).isPresent()).toList();
    }
}
