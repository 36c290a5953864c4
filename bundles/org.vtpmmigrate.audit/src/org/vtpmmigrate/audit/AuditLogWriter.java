package org.vtpmmigrate.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.tpm2.TpmFormatException;
import org.vtpmmigrate.audit.internal.AttestationKeyCheck;
import org.vtpmmigrate.audit.internal.Fields;
import org.vtpmmigrate.audit.internal.LogFiles;
import org.vtpmmigrate.audit.internal.RecordContent;
import org.vtpmmigrate.audit.internal.RecordEncoding;
import org.vtpmmigrate.audit.internal.RecordLine;

/**
 * Appends signed records to one host's audit log file, one line per record, each forced to disk
 * before {@link #append} returns. Opening an existing log verifies all of it first, with the
 * signer's AK as the expected AK, and refuses to continue a log that does not verify, belongs to
 * another host or ends in an incomplete line. The file is locked while open, so one writer at a
 * time. Every signature is checked against the AK before the record is written. Thread-safe.
 * <p>
 * After a failed write the writer refuses further appends; opening the log again shows what
 * reached the disk.
 */
public final class AuditLogWriter implements AutoCloseable {
    private static final AuditLogVerifier VERIFIER = new AuditLogVerifier();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final String hostId;
    private final RecordSigner signer;
    private final AttestationKeyCheck ak;
    private final Clock clock;
    private long size;
    private AuditRecord last;
    private AuditRecord recovery;
    private String failure;

    private AuditLogWriter(Path file, FileChannel channel, FileLock lock, String hostId, RecordSigner signer,
            AttestationKeyCheck ak, Clock clock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.hostId = hostId;
        this.signer = signer;
        this.ak = ak;
        this.clock = clock;
    }

    /**
     * Opens the log, creating it with its header record if it does not exist or is empty.
     *
     * @param ekCertificate the EK certificate (DER) for a new log's header, empty for none
     * @throws TornRecordException if the log ends in an incomplete line
     * @throws UnverifiedLogException if the existing log does not verify with the signer's AK
     * @throws AuditLogException if the file cannot be opened, locked, read or written, belongs to
     *         another host, or the signer's AK cannot sign records
     */
    public static AuditLogWriter open(Path file, String hostId, RecordSigner signer, byte[] ekCertificate, Clock clock)
            throws AuditLogException {
        return open(file, hostId, signer, ekCertificate, clock, false);
    }

    /**
     * Like {@link #open}, but a log that ends in an incomplete line (and is otherwise intact) is
     * recovered: the incomplete bytes are saved next to the log as {@code <name>.torn-<offset>},
     * cut off, and a {@link EventKind#LOG_RECOVERED} record naming their offset, length, SHA-256
     * and the saved file is appended, so the chain itself records the recovery.
     */
    public static AuditLogWriter openRecovering(Path file, String hostId, RecordSigner signer, byte[] ekCertificate,
            Clock clock) throws AuditLogException {
        return open(file, hostId, signer, ekCertificate, clock, true);
    }

    private static AuditLogWriter open(Path file, String hostId, RecordSigner signer, byte[] ekCertificate, Clock clock,
            boolean recover) throws AuditLogException {
        Fields.identifier("host", hostId);
        Objects.requireNonNull(signer, "signer");
        Objects.requireNonNull(clock, "clock");
        LogHeader newHeader;
        AttestationKeyCheck ak;
        try {
            byte[] akPublic = signer.akPublicArea();
            ak = AttestationKeyCheck.ofTpm2b(akPublic);
            newHeader = new LogHeader(akPublic, ak.publicArea().name(), ekCertificate);
        } catch (TpmFormatException | InvalidKeyException e) {
            throw new AuditLogException("the signer's AK cannot sign audit records: " + e.getMessage(), e);
        }
        boolean created = !Files.exists(file);
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new AuditLogException(file + ": cannot be opened for writing: " + e, e);
        }
        try {
            FileLock lock = lock(channel, file);
            AuditLogWriter w = new AuditLogWriter(file, channel, lock, hostId, signer, ak, clock);
            if (created) {
                try {
                    syncDirectory(file);
                } catch (IOException e) {
                    throw new AuditLogException(file + ": the new log's directory cannot be synced: " + e, e);
                }
            }
            w.continueLog(newHeader, recover);
            return w;
        } catch (AuditLogException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static FileLock lock(FileChannel channel, Path file) throws AuditLogException {
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new AuditLogException(file + ": another process is writing this log");
            }
            return lock;
        } catch (OverlappingFileLockException e) {
            throw new AuditLogException(file + ": already open for writing in this process", e);
        } catch (IOException e) {
            throw new AuditLogException(file + ": cannot be locked: " + e, e);
        }
    }

    private void continueLog(LogHeader newHeader, boolean recover) throws AuditLogException {
        byte[] data = LogFiles.read(channel, file, VERIFIER.maxFileBytes());
        if (data.length == 0) {
            writeHeader(newHeader);
            return;
        }
        VerificationReport report = VERIFIER.verify(file.toString(), data, ak);
        Optional<RecordResult> torn = report.tornTail();
        List<RecordResult> complete = torn.isPresent() ? report.results().subList(0, report.results().size() - 1)
                : report.results();
        if (!complete.stream().allMatch(RecordResult::ok)) {
            throw new UnverifiedLogException(report);
        }
        if (report.hostId().isPresent() && !report.hostId().get().equals(hostId)) {
            throw new AuditLogException(file + ": the log belongs to host '" + report.hostId().get() + "', not '"
                    + hostId + "'");
        }
        size = data.length;
        last = complete.isEmpty() ? null : complete.get(complete.size() - 1).record().orElseThrow();
        if (torn.isPresent()) {
            RecordResult t = torn.get();
            if (!recover) {
                throw new TornRecordException(file.toString(), t.line(), t.offset(), t.length());
            }
            recoverFrom(t, Arrays.copyOfRange(data, (int) t.offset(), data.length), newHeader);
        }
    }

    private void recoverFrom(RecordResult torn, byte[] tornBytes, LogHeader newHeader) throws AuditLogException {
        Path saved = file.resolveSibling(file.getFileName() + ".torn-" + torn.offset());
        try {
            save(saved, tornBytes);
            channel.truncate(torn.offset());
            channel.force(true);
        } catch (IOException e) {
            throw new AuditLogException(file + ": recovering from the incomplete line at offset " + torn.offset()
                    + " failed: " + e, e);
        }
        size = torn.offset();
        if (last == null) {
            writeHeader(newHeader);
        }
        String sha256 = HexFormat.of().formatHex(HashAlgorithm.SHA256.digest(tornBytes));
        AuditEvent event = AuditEvent.builder(EventKind.LOG_RECOVERED)
                .detail("torn.line", Integer.toString(torn.line()))
                .detail("torn.offset", Long.toString(torn.offset()))
                .detail("torn.length", Integer.toString(tornBytes.length))
                .detail("torn.sha256", sha256)
                .detail("torn.saved-as", saved.getFileName().toString())
                .reason(new Reason(Severity.WARNING, "crash-recovery", "line " + torn.line(), "", "",
                        "an interrupted write left " + tornBytes.length + " bytes without a newline; they were saved to "
                                + saved.getFileName() + " and cut off the log"))
                .build();
        recovery = write(event, null);
    }

    /** Writes the torn bytes aside; a file left by an earlier attempt must hold the same bytes. */
    private static void save(Path saved, byte[] bytes) throws IOException {
        try (FileChannel out = FileChannel.open(saved, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                out.write(b);
            }
            out.force(true);
        } catch (FileAlreadyExistsException e) {
            if (!Arrays.equals(Files.readAllBytes(saved), bytes)) {
                throw new IOException(saved + " exists with other content", e);
            }
        }
        syncDirectory(saved);
    }

    private void writeHeader(LogHeader header) throws AuditLogException {
        write(AuditEvent.builder(EventKind.LOG_OPENED).build(), header);
    }

    /**
     * Signs and appends one record; when this returns, the record is on disk.
     *
     * @throws IllegalArgumentException for the kinds only the writer itself writes ({@code LOG_*}),
     *         or an event too large for one log line
     * @throws AuditLogException if signing fails, the signature does not verify with the AK, or
     *         the write fails (the writer then refuses further appends)
     */
    public synchronized AuditRecord append(AuditEvent event) throws AuditLogException {
        Objects.requireNonNull(event, "event");
        if (!event.kind().isMigrationStep()) {
            throw new IllegalArgumentException(event.kind() + " records are written by the log itself");
        }
        return write(event, null);
    }

    private AuditRecord write(AuditEvent event, LogHeader header) throws AuditLogException {
        if (!channel.isOpen()) {
            throw new AuditLogException(file + ": the writer is closed");
        }
        if (failure != null) {
            throw new AuditLogException(file + ": not writable: " + failure);
        }
        long sequence = last == null ? 0 : last.sequence() + 1;
        Instant time = Instant.now(clock).truncatedTo(ChronoUnit.MILLIS);
        byte[] prev = last == null ? new byte[AuditRecord.HASH_LENGTH] : last.recordHash();
        RecordContent content = new RecordContent(sequence, time, hostId, event, header, prev);
        byte[] checks = RecordEncoding.checks(content);
        checkLineLength(content, checks);
        byte[] signed = RecordEncoding.signedBytes(content);
        byte[] signature;
        try {
            signature = signer.sign(signed);
        } catch (GeneralSecurityException e) {
            throw new AuditLogException(file + ": signing record " + sequence + " failed: " + e.getMessage(), e);
        }
        Optional<String> bad = ak.signatureProblem(signed, signature);
        if (bad.isPresent()) {
            throw new AuditLogException(file + ": the signer's signature over record " + sequence
                    + " is not usable, nothing was written: " + bad.get());
        }
        AuditRecord record = new AuditRecord(sequence, time, hostId, event, header, prev, RecordEncoding.hash(signed),
                signature);
        byte[] line = (RecordLine.write(record, checks) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            ByteBuffer b = ByteBuffer.wrap(line);
            long at = size;
            while (b.hasRemaining()) {
                at += channel.write(b, at);
            }
            // fdatasync: the content and the file size that makes it reachable
            channel.force(false);
            size = at;
        } catch (IOException e) {
            failure = "writing record " + sequence + " failed (" + e + "); reopen the log to see what reached the disk";
            throw new AuditLogException(file + ": " + failure, e);
        }
        last = record;
        return record;
    }

    /** Refuses, before anything is signed, a record whose line would exceed the limit even with the largest signature. */
    private static void checkLineLength(RecordContent c, byte[] checks) {
        AuditRecord largest = new AuditRecord(c.sequence(), c.time(), c.hostId(), c.event(), c.header(), c.previousHash(),
                new byte[AuditRecord.HASH_LENGTH], new byte[AuditRecord.MAX_SIGNATURE]);
        int bytes = RecordLine.write(largest, checks).getBytes(StandardCharsets.UTF_8).length + 1;
        if (bytes > AuditRecord.MAX_LINE_BYTES) {
            throw new IllegalArgumentException("the record could take " + bytes + " bytes, more than the "
                    + AuditRecord.MAX_LINE_BYTES + " of a log line; shorten its reasons or details");
        }
    }

    /** Makes a newly created file's directory entry durable. */
    private static void syncDirectory(Path file) throws IOException {
        try (FileChannel d = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    public Path file() {
        return file;
    }

    /** The last record in the log (the header right after creation). */
    public synchronized AuditRecord lastRecord() {
        return last;
    }

    /** The {@link EventKind#LOG_RECOVERED} record, if opening recovered from an incomplete line. */
    public synchronized Optional<AuditRecord> recoveryRecord() {
        return Optional.ofNullable(recovery);
    }

    @Override
    public synchronized void close() throws AuditLogException {
        if (!channel.isOpen()) {
            return;
        }
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new AuditLogException(file + ": closing failed: " + e, e);
        }
    }
}
