package org.vtpmmigrate.audit;

import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

import org.vtpmmigrate.audit.internal.Fields;
import org.vtpmmigrate.audit.internal.InvalidFieldException;

/**
 * One record of a host's audit log as written: its place in the chain, the event, and the hash
 * and signature stored with it. Holding an instance proves nothing; {@link AuditLogVerifier} says
 * whether the stored hash matches the content, links to the previous record and carries a valid
 * AK signature. Immutable; byte arrays are copied in and out.
 * <p>
 * The first record (sequence 0) is always of kind {@link EventKind#LOG_OPENED} and carries the
 * {@link LogHeader}; no other record does.
 */
public final class AuditRecord {
    /** Length of the record hash and of the previous-record hash (SHA-256). */
    public static final int HASH_LENGTH = 32;
    /** Largest TPMT_SIGNATURE stored: an RSA-4096 signature with its headers. */
    public static final int MAX_SIGNATURE = 2 + 2 + 2 + 512;
    /** Longest line a record may occupy in the log file, its newline included. */
    public static final int MAX_LINE_BYTES = 16384;

    private final long sequence;
    private final Instant time;
    private final String hostId;
    private final AuditEvent event;
    private final LogHeader header;
    private final byte[] previousHash;
    private final byte[] recordHash;
    private final byte[] signature;

    /**
     * @param header present exactly when {@code event} is of kind {@link EventKind#LOG_OPENED}
     * @param previousHash the previous record's hash; 32 zero bytes for the first record
     * @param recordHash the hash stored with the record
     * @param signature the TPMT_SIGNATURE stored with the record
     * @throws IllegalArgumentException naming the field that is out of bounds or breaks the rules above
     */
    public AuditRecord(long sequence, Instant time, String hostId, AuditEvent event, LogHeader header,
            byte[] previousHash, byte[] recordHash, byte[] signature) {
        this.sequence = Fields.nonNegative("seq", sequence);
        this.time = Fields.time("time", time);
        this.hostId = Fields.identifier("host", hostId);
        this.event = Objects.requireNonNull(event, "event");
        boolean opening = event.kind() == EventKind.LOG_OPENED;
        if (opening != (sequence == 0)) {
            throw new InvalidFieldException(opening ? "seq" : "kind", "the " + EventKind.LOG_OPENED
                    + " record is the first record (sequence 0) and only it; here kind " + event.kind()
                    + " has sequence " + sequence);
        }
        if (opening != (header != null)) {
            throw new InvalidFieldException("akPublic", opening ? "the " + EventKind.LOG_OPENED
                    + " record must carry the AK" : "only the " + EventKind.LOG_OPENED + " record carries the AK");
        }
        this.header = header;
        this.previousHash = hash("prev", previousHash);
        this.recordHash = hash("hash", recordHash);
        if (signature == null || signature.length == 0 || signature.length > MAX_SIGNATURE) {
            throw new InvalidFieldException("sig", "needs 1 to " + MAX_SIGNATURE + " bytes, has "
                    + (signature == null ? "none" : signature.length));
        }
        this.signature = signature.clone();
    }

    private static byte[] hash(String field, byte[] value) {
        if (value == null || value.length != HASH_LENGTH) {
            throw new InvalidFieldException(field, "needs " + HASH_LENGTH + " bytes, has "
                    + (value == null ? "none" : value.length));
        }
        return value.clone();
    }

    /** Position in the log: 0 for the header, then 1, 2, ... without gaps. */
    public long sequence() {
        return sequence;
    }

    /** When the host wrote the record (its clock, UTC, whole milliseconds). */
    public Instant time() {
        return time;
    }

    public String hostId() {
        return hostId;
    }

    public AuditEvent event() {
        return event;
    }

    public EventKind kind() {
        return event.kind();
    }

    /** The log header, present in the first record only. */
    public Optional<LogHeader> header() {
        return Optional.ofNullable(header);
    }

    public byte[] previousHash() {
        return previousHash.clone();
    }

    /** The hash stored with the record (SHA-256 of its signed encoding if the record is intact). */
    public byte[] recordHash() {
        return recordHash.clone();
    }

    /** The stored TPMT_SIGNATURE. */
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuditRecord r && sequence == r.sequence && time.equals(r.time) && hostId.equals(r.hostId)
                && event.equals(r.event) && Objects.equals(header, r.header) && Arrays.equals(previousHash, r.previousHash)
                && Arrays.equals(recordHash, r.recordHash) && Arrays.equals(signature, r.signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sequence, time, hostId, event, header, Arrays.hashCode(recordHash));
    }

    @Override
    public String toString() {
        return "AuditRecord[" + hostId + " #" + sequence + " " + time + " " + event + " hash "
                + HexFormat.of().formatHex(recordHash, 0, 8) + "…]";
    }
}
