package org.vtpmmigrate.engine.internal.host;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.vtpmmigrate.audit.AuditEvent;
import org.vtpmmigrate.audit.AuditLogException;
import org.vtpmmigrate.audit.AuditLogVerifier;
import org.vtpmmigrate.audit.AuditRecord;
import org.vtpmmigrate.audit.ByteCounts;
import org.vtpmmigrate.audit.EventKind;
import org.vtpmmigrate.audit.MigrationPhase;
import org.vtpmmigrate.audit.PhaseTiming;
import org.vtpmmigrate.audit.Reason;
import org.vtpmmigrate.audit.RecordResult;
import org.vtpmmigrate.audit.RecordSigner;
import org.vtpmmigrate.audit.Severity;
import org.vtpmmigrate.audit.VerificationReport;
import org.vtpmmigrate.audit.AuditLogWriter;
import org.vtpmmigrate.engine.internal.migration.HostPlatform;
import org.vtpmmigrate.engine.migration.MigrationEvent;
import org.vtpmmigrate.engine.migration.MigrationListener;
import org.vtpmmigrate.engine.migration.MigrationResult;
import org.vtpmmigrate.engine.migration.PartyVerdict;
import org.vtpmmigrate.management.AuditPage;
import org.vtpmmigrate.protocol.Phase;
import org.vtpmmigrate.protocol.Role;
import org.vtpmmigrate.protocol.VerificationFailure;

/**
 * The host's attestation log: every step of every run, as the engine reports it, appended as a
 * hash-chained record signed by the platform TPM's attestation key (TPM2_Sign with a hash ticket).
 * Also serves the log in pages, each record with its exact line, so a reader can verify it.
 */
final class AuditTrail implements MigrationListener, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AuditTrail.class.getName());
    private static final int MAX_VALUE = Reason.MAX_VALUE;
    private static final int MAX_MESSAGE = 1000;

    /** Where a record's line is in the file. */
    private record Line(AuditRecord record, long offset, int length) {
    }

    private final AuditLogWriter writer;
    private final Path file;
    private final List<Line> lines = new ArrayList<>();
    /** Where the log's last line ends (guarded by this). */
    private long end;
    /** The peer of a run, by migration id (events do not carry it). */
    private final Function<String, Optional<String>> peerOf;

    private AuditTrail(AuditLogWriter writer, Path file, Function<String, Optional<String>> peerOf) {
        this.writer = writer;
        this.file = file;
        this.peerOf = peerOf;
    }

    /**
     * Opens (or creates) the log at {@code file}, signing with {@code platform}'s AK. A log that ends
     * in a torn line is recovered; a log whose records do not verify is refused.
     */
    static AuditTrail open(Path file, String hostId, HostPlatform platform, Function<String, Optional<String>> peerOf,
            Clock clock) throws AuditLogException {
        RecordSigner signer = new RecordSigner() {
            @Override
            public byte[] akPublicArea() {
                return platform.attestationKeyPublic().tpm2bPublic();
            }

            @Override
            public byte[] sign(byte[] recordBytes) throws GeneralSecurityException {
                try {
                    return platform.sign(recordBytes);
                } catch (org.vtpmmigrate.protocol.PlatformException e) {
                    throw new GeneralSecurityException("the platform TPM did not sign: " + e.getMessage(), e);
                }
            }
        };
        AuditLogWriter writer = AuditLogWriter.openRecovering(file, hostId, signer,
                platform.ekCertificate().orElse(new byte[0]), clock);
        AuditTrail trail = new AuditTrail(writer, file, peerOf);
        try {
            VerificationReport report = new AuditLogVerifier().verify(file);
            for (RecordResult r : report.results()) {
                r.record().ifPresent(record -> trail.lines.add(new Line(record, r.offset(), r.length())));
            }
            trail.end = Files.size(file);
        } catch (IOException e) {
            closeQuietly(writer);
            throw new AuditLogException("the attestation log " + file + " cannot be read: " + e.getMessage(), e);
        } catch (AuditLogException | RuntimeException e) {
            closeQuietly(writer);
            throw e;
        }
        return trail;
    }

    @Override
    public void onEvent(MigrationEvent event) {
        try {
            for (AuditEvent record : records(event)) {
                append(record);
            }
        } catch (AuditLogException | IOException | RuntimeException e) {
            // the run goes on: a log that cannot be written is an operator's problem, not the VM's
            LOG.log(System.Logger.Level.ERROR, "attestation log record of run " + event.migrationId()
                    + " not written: " + e.getMessage(), e);
        }
    }

    private synchronized void append(AuditEvent event) throws AuditLogException, IOException {
        // the trail is the log's only writer: a record's line starts where the previous one ended
        long start = end;
        AuditRecord record = writer.append(event);
        end = Files.size(file);
        lines.add(new Line(record, start, (int) (end - start)));
    }

    private List<AuditEvent> records(MigrationEvent event) {
        List<AuditEvent> out = new ArrayList<>();
        if (event instanceof MigrationEvent.PhaseChanged p) {
            if (p.previous().isEmpty()) {
                out.add(base(event, EventKind.MIGRATION_REQUESTED).build());
            } else if (p.phase() == Phase.TRANSFER) {
                out.add(base(event, EventKind.KEY_ESTABLISHED).build());
            }
        } else if (event instanceof MigrationEvent.VerdictReached v) {
            out.add(verdict(event, v.verdict()));
        } else if (event instanceof MigrationEvent.Finished f) {
            out.addAll(finished(event, f.result()));
        }
        return out;
    }

    private AuditEvent.Builder base(MigrationEvent event, EventKind kind) {
        AuditEvent.Builder b = AuditEvent.builder(kind).migration(event.migrationId()).vm(event.vmId())
                .role(event.role() == Role.SOURCE ? org.vtpmmigrate.audit.Role.SOURCE
                        : org.vtpmmigrate.audit.Role.DESTINATION);
        Optional<String> peer = event instanceof MigrationEvent.Finished f ? Optional.of(f.result().peer())
                : peerOf.apply(event.migrationId());
        peer.ifPresent(b::peer);
        return b;
    }

    private AuditEvent verdict(MigrationEvent event, PartyVerdict verdict) {
        AuditEvent.Builder b = base(event, EventKind.ATTESTATION_VERDICT)
                .verdict(verdict.accepted() ? org.vtpmmigrate.audit.Verdict.TRUSTED
                        : org.vtpmmigrate.audit.Verdict.REFUSED)
                .detail("party", verdict.party().name().toLowerCase(java.util.Locale.ROOT))
                .detail("origin", verdict.origin().name().toLowerCase(java.util.Locale.ROOT));
        List<Reason> reasons = new ArrayList<>();
        for (VerificationFailure f : verdict.reasons()) {
            if (reasons.size() == AuditEvent.MAX_REASONS) {
                break;
            }
            reasons.add(new Reason(Severity.ERROR, category(f.check().name()), verdict.party().name().toLowerCase(
                    java.util.Locale.ROOT), "", "", cut(f.detail(), MAX_MESSAGE)));
        }
        return b.reasons(reasons).build();
    }

    private List<AuditEvent> finished(MigrationEvent event, MigrationResult result) {
        List<AuditEvent> out = new ArrayList<>();
        boolean source = result.role() == Role.SOURCE;
        AuditEvent.Builder transfer = base(event, EventKind.TRANSFER_COMPLETE)
                .bytes(new ByteCounts(result.streamBytes(), 0, result.wireBytes()));
        result.timings().phaseStarts().forEach((phase, start) -> {
            Duration d = result.timings().phase(phase);
            MigrationPhase p = auditPhase(phase);
            if (p != null && d != null) {
                // records hold whole milliseconds
                transfer.phase(new PhaseTiming(p, start.truncatedTo(java.time.temporal.ChronoUnit.MILLIS), d.toMillis()));
            }
        });
        int round = 0;
        for (org.vtpmmigrate.engine.migration.PreCopyRound r : result.rounds()) {
            if (++round > AuditEvent.MAX_ROUNDS) {
                break;
            }
            transfer.preCopyRound(new org.vtpmmigrate.audit.PreCopyRound(r.round(), r.streamBytes(),
                    r.duration().toMillis()));
        }
        result.timings().qemuDowntime().ifPresent(d -> transfer.detail("downtime-ms", Long.toString(d.toMillis())));
        transfer.detail("handshake-ms", Long.toString(result.timings().handshake().toMillis()));
        transfer.detail("total-ms", Long.toString(result.timings().total().toMillis()));
        if (result.committed()) {
            out.add(transfer.build());
            out.add(base(event, source ? EventKind.COMMIT_RECEIVED : EventKind.COMMIT_SENT)
                    .detail("vtpm-epoch", Long.toString(result.vtpmEpoch())).build());
            if (source) {
                out.add(base(event, EventKind.VTPM_STATE_DELETED).build());
            }
            return out;
        }
        if (result.streamBytes() > 0) {
            out.add(transfer.build());
        }
        AuditEvent.Builder aborted = base(event, EventKind.MIGRATION_ABORTED)
                .detail("status", result.status().name().toLowerCase(java.util.Locale.ROOT))
                .detail("placement", result.placement().name().toLowerCase(java.util.Locale.ROOT));
        result.failure().ifPresent(f -> aborted.reason(new Reason(Severity.ERROR, category(f.reason().name()),
                f.state().name().toLowerCase(java.util.Locale.ROOT), "", f.peerReason().map(Enum::name).orElse(""),
                cut(f.detail(), MAX_MESSAGE))));
        out.add(aborted.build());
        if (source && result.placement() == MigrationResult.Placement.RUNNING_HERE) {
            out.add(base(event, EventKind.SOURCE_VM_RESUMED).build());
        } else if (!source && result.placement() == MigrationResult.Placement.NOT_HERE) {
            out.add(base(event, EventKind.INCOMING_STATE_DISCARDED).build());
        }
        return out;
    }

    private static MigrationPhase auditPhase(Phase phase) {
        return switch (phase) {
            case REQUEST -> MigrationPhase.REQUEST;
            case ATTESTATION -> MigrationPhase.ATTESTATION;
            case KEY_ESTABLISHMENT -> MigrationPhase.KEY_ESTABLISHMENT;
            case TRANSFER -> MigrationPhase.TRANSFER;
            case COMMIT -> MigrationPhase.COMMIT;
            case DONE -> null;
        };
    }

    /** Reason categories are identifiers: {@code PCR_DIGEST} becomes {@code pcr-digest}. */
    private static String category(String name) {
        return name.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    private static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }

    /** Records from sequence {@code from}, at most {@code limit}, each with its line as written. */
    synchronized AuditPage page(long from, int limit) throws IOException {
        List<org.vtpmmigrate.management.AuditRecord> page = new ArrayList<>();
        int first = 0;
        while (first < lines.size() && lines.get(first).record().sequence() < from) {
            first++;
        }
        int end = Math.min(lines.size(), first + limit);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            for (Line line : lines.subList(first, end)) {
                ByteBuffer buffer = ByteBuffer.allocate(line.length());
                while (buffer.hasRemaining() && channel.read(buffer, line.offset() + buffer.position()) > 0) {
                    // read the whole line
                }
                String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).stripTrailing();
                AuditRecord r = line.record();
                page.add(new org.vtpmmigrate.management.AuditRecord(r.sequence(), r.time(), r.kind().name(),
                        r.event().migrationId().orElse(null), null, AuditSummaries.of(r),
                        Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)),
                        Base64.getEncoder().encodeToString(r.signature())));
            }
        }
        long next = end == first ? from : lines.get(end - 1).record().sequence() + 1;
        return new AuditPage(from, page, next, end < lines.size());
    }

    Path file() {
        return file;
    }

    @Override
    public synchronized void close() {
        closeQuietly(writer);
    }

    private static void closeQuietly(AuditLogWriter writer) {
        try {
            writer.close();
        } catch (AuditLogException e) {
            LOG.log(System.Logger.Level.WARNING, "attestation log not closed cleanly: " + e.getMessage());
        }
    }
}
