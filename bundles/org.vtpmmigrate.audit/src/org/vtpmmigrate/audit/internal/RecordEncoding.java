package org.vtpmmigrate.audit.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.audit.AuditEvent;
import org.vtpmmigrate.audit.ByteCounts;
import org.vtpmmigrate.audit.PhaseTiming;
import org.vtpmmigrate.audit.PreCopyRound;
import org.vtpmmigrate.audit.Reason;

/**
 * The bytes a record's hash and signature cover: a domain label, then each present field as
 * tag (1 byte), length (4 bytes, big-endian) and value, in ascending tag order. Integers are
 * 8-byte big-endian, text is UTF-8, enumerations are their names, lists and maps carry a 4-byte
 * count and length-prefixed items. The label makes the bytes start with 'v', so a restricted AK
 * will sign them (only data starting with TPM_GENERATED_VALUE is refused) and they cannot be
 * mistaken for anything else the AK signs.
 * <p>
 * Per field there is also a check value: the first 4 bytes of SHA-256 over the field's
 * tag-length-value (or over the tag alone when the field is absent). Check values are stored
 * beside the hash so that a record whose content no longer matches its hash tells which field
 * changed.
 */
public final class RecordEncoding {
    /** "vTPM-Migrate audit record v1" and a zero byte. */
    public static final byte[] DOMAIN = "vTPM-Migrate audit record v1\0".getBytes(StandardCharsets.US_ASCII);
    public static final int CHECK_LENGTH = 4;

    /** The fields in tag order; names are the log line's keys. */
    public enum Field {
        SEQ(0x01, "seq"), TIME(0x02, "time"), HOST(0x03, "host"), KIND(0x04, "kind"), MIGRATION(0x05, "migration"),
        VM(0x06, "vm"), PEER(0x07, "peer"), ROLE(0x08, "role"), PHASES(0x09, "phases"), BYTES(0x0A, "bytes"),
        ROUNDS(0x0B, "rounds"), VERDICT(0x0C, "verdict"), REASONS(0x0D, "reasons"), DETAILS(0x0E, "details"),
        AK_PUBLIC(0x10, "akPublic"), AK_NAME(0x11, "akName"), EK_CERT(0x12, "ekCert"), PREV(0x1F, "prev");

        private final int tag;
        private final String key;

        Field(int tag, String key) {
            this.tag = tag;
            this.key = key;
        }

        public int tag() {
            return tag;
        }

        /** The key in the JSON line. */
        public String key() {
            return key;
        }
    }

    /** Length of the stored check values: one per field. */
    public static final int CHECKS_LENGTH = CHECK_LENGTH * Field.values().length;

    private RecordEncoding() {
    }

    /** The signed bytes; the record hash is their SHA-256. */
    public static byte[] signedBytes(RecordContent c) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        out.writeBytes(DOMAIN);
        for (Map.Entry<Field, byte[]> e : values(c).entrySet()) {
            out.writeBytes(tlv(e.getKey(), e.getValue()));
        }
        return out.toByteArray();
    }

    public static byte[] hash(byte[] signedBytes) {
        return HashAlgorithm.SHA256.digest(signedBytes);
    }

    /** One check value per {@link Field}, in tag order. */
    public static byte[] checks(RecordContent c) {
        Map<Field, byte[]> present = values(c);
        ByteBuffer out = ByteBuffer.allocate(CHECKS_LENGTH);
        for (Field f : Field.values()) {
            byte[] v = present.get(f);
            byte[] digest = HashAlgorithm.SHA256.digest(v == null ? new byte[] {(byte) f.tag} : tlv(f, v));
            out.put(digest, 0, CHECK_LENGTH);
        }
        return out.array();
    }

    /** The fields whose check values differ, in tag order. */
    public static List<Field> differingFields(byte[] storedChecks, byte[] computedChecks) {
        List<Field> out = new ArrayList<>();
        for (Field f : Field.values()) {
            int at = f.ordinal() * CHECK_LENGTH;
            if (!Arrays.equals(storedChecks, at, at + CHECK_LENGTH, computedChecks, at, at + CHECK_LENGTH)) {
                out.add(f);
            }
        }
        return out;
    }

    /** Whether {@code sequence} has the stored check value of the seq field: the original number of a record whose seq was changed. */
    public static boolean matchesSequenceCheck(byte[] storedChecks, long sequence) {
        byte[] digest = HashAlgorithm.SHA256.digest(tlv(Field.SEQ, u64(sequence)));
        int at = Field.SEQ.ordinal() * CHECK_LENGTH;
        return Arrays.equals(storedChecks, at, at + CHECK_LENGTH, digest, 0, CHECK_LENGTH);
    }

    private static byte[] tlv(Field f, byte[] value) {
        return ByteBuffer.allocate(1 + 4 + value.length).put((byte) f.tag).putInt(value.length).put(value).array();
    }

    /** The values of the present fields, in tag order. */
    private static Map<Field, byte[]> values(RecordContent c) {
        Map<Field, byte[]> m = new EnumMap<>(Field.class);
        AuditEvent e = c.event();
        m.put(Field.SEQ, u64(c.sequence()));
        m.put(Field.TIME, u64(c.time().toEpochMilli()));
        m.put(Field.HOST, utf8(c.hostId()));
        m.put(Field.KIND, utf8(e.kind().name()));
        e.migrationId().ifPresent(v -> m.put(Field.MIGRATION, utf8(v)));
        e.vmId().ifPresent(v -> m.put(Field.VM, utf8(v)));
        e.peerHost().ifPresent(v -> m.put(Field.PEER, utf8(v)));
        e.role().ifPresent(v -> m.put(Field.ROLE, utf8(v.name())));
        if (!e.phases().isEmpty()) {
            Items items = new Items(e.phases().size());
            for (PhaseTiming p : e.phases()) {
                items.text(p.phase().name()).u64(p.start().toEpochMilli()).u64(p.durationMillis());
            }
            m.put(Field.PHASES, items.bytes());
        }
        e.bytes().ifPresent(b -> m.put(Field.BYTES, byteCounts(b)));
        if (!e.preCopyRounds().isEmpty()) {
            Items items = new Items(e.preCopyRounds().size());
            for (PreCopyRound r : e.preCopyRounds()) {
                items.u32(r.round()).u64(r.bytes()).u64(r.durationMillis());
            }
            m.put(Field.ROUNDS, items.bytes());
        }
        e.verdict().ifPresent(v -> m.put(Field.VERDICT, utf8(v.name())));
        if (!e.reasons().isEmpty()) {
            Items items = new Items(e.reasons().size());
            for (Reason r : e.reasons()) {
                items.text(r.severity().name()).text(r.category()).text(r.subject()).text(r.expected())
                        .text(r.actual()).text(r.message());
            }
            m.put(Field.REASONS, items.bytes());
        }
        if (!e.details().isEmpty()) {
            Items items = new Items(e.details().size());
            e.details().forEach((k, v) -> items.text(k).text(v));
            m.put(Field.DETAILS, items.bytes());
        }
        if (c.header() != null) {
            m.put(Field.AK_PUBLIC, c.header().akPublicArea());
            m.put(Field.AK_NAME, c.header().akName());
            if (c.header().ekCertificate().length > 0) {
                m.put(Field.EK_CERT, c.header().ekCertificate());
            }
        }
        m.put(Field.PREV, c.previousHash());
        return m;
    }

    private static byte[] byteCounts(ByteCounts b) {
        return ByteBuffer.allocate(24).putLong(b.vmStream()).putLong(b.vtpmState()).putLong(b.onWire()).array();
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A 4-byte item count followed by items made of 4-byte integers, 8-byte integers and length-prefixed text. */
    private static final class Items {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Items(int count) {
            u32(count);
        }

        Items u32(int v) {
            out.writeBytes(ByteBuffer.allocate(4).putInt(v).array());
            return this;
        }

        Items u64(long v) {
            out.writeBytes(RecordEncoding.u64(v));
            return this;
        }

        Items text(String s) {
            byte[] b = utf8(s);
            u32(b.length);
            out.writeBytes(b);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

}
