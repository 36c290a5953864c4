package org.vtpmmigrate.audit.internal;

import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;

import org.vtpmmigrate.attest.tpm2.TpmFormatException;
import org.vtpmmigrate.attest.tpm2.TpmPublic;
import org.vtpmmigrate.audit.AuditLogException;
import org.vtpmmigrate.audit.AuditRecord;
import org.vtpmmigrate.audit.LogHeader;
import org.vtpmmigrate.audit.RecordProblem;
import org.vtpmmigrate.audit.RecordResult;
import org.vtpmmigrate.audit.RecordStatus;
import org.vtpmmigrate.audit.VerificationReport;

/**
 * Checks every line of a log: form, content against stored hash (naming the changed field by its
 * check value), signature with the AK, sequence (gaps, reordering, replays) and the link to the
 * predecessor. Sequence and links are judged by sequence number over the whole file, so a swap
 * marks the record that comes too late, a deletion marks the record after the hole, and a copy
 * marks the copy; the records around them stay OK.
 */
public final class ChainVerification {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] NO_PREVIOUS = new byte[AuditRecord.HASH_LENGTH];

    /** One line under examination. */
    private static final class Entry {
        final LogLines.RawLine raw;
        final List<RecordProblem> problems = new ArrayList<>();
        AuditRecord record;
        byte[] storedChecks;
        byte[] signedBytes;
        byte[] computedHash;
        boolean contentIntact;
        /** The sequence number used for ordering: as written, or the original if seq was changed and its check value tells it. */
        long sequence;

        Entry(LogLines.RawLine raw) {
            this.raw = raw;
        }

        void problem(RecordStatus status, String field, String message) {
            problems.add(new RecordProblem(status, field, message));
        }
    }

    private ChainVerification() {
    }

    /**
     * @param expectedAk the AK the caller trusts, or null to take the AK from the log header
     * @throws AuditLogException if the file has more lines than {@code maxRecords}
     */
    public static VerificationReport verify(String source, byte[] data, AttestationKeyCheck expectedAk, int maxRecords)
            throws AuditLogException {
        List<LogLines.RawLine> lines = LogLines.split(source, data, AuditRecord.MAX_LINE_BYTES, maxRecords);
        List<Entry> entries = new ArrayList<>(lines.size());
        Entry headerEntry = null;
        for (LogLines.RawLine raw : lines) {
            Entry e = new Entry(raw);
            entries.add(e);
            parse(e);
            if (headerEntry == null && e.record != null && e.record.sequence() == 0) {
                headerEntry = e;
            }
        }
        AuditRecord header = headerEntry == null ? null : headerEntry.record;
        AttestationKeyCheck ak = headerKey(headerEntry, expectedAk);
        String hostId = header == null ? null : header.hostId();
        if (headerEntry != null) {
            checkContent(headerEntry, ak, null, new long[] {0});
        }
        // records are compared with the header's host only if the header itself is intact
        String headerHost = headerEntry != null && headerEntry.contentIntact ? hostId : null;
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (e.record != null && e != headerEntry) {
                checkContent(e, ak, headerHost, neighbourSequences(entries, i));
            }
        }
        TreeMap<Long, Entry> firstBySequence = new TreeMap<>();
        // a line too broken to parse but showing its number is there: its successor is not after a gap
        TreeSet<Long> present = new TreeSet<>();
        for (Entry e : entries) {
            if (e.record != null) {
                firstBySequence.putIfAbsent(e.sequence, e);
                present.add(e.sequence);
            } else if (e.raw.text() != null && RecordLine.writtenSequence(e.raw.text()) >= 0) {
                present.add(RecordLine.writtenSequence(e.raw.text()));
            }
        }
        long maxSequence = -1;
        Entry maxEntry = null;
        for (Entry e : entries) {
            if (e.record == null) {
                continue;
            }
            long seq = e.sequence;
            Entry first = firstBySequence.get(seq);
            if (first != e) {
                boolean copy = e.contentIntact && first.contentIntact
                        && Arrays.equals(e.record.recordHash(), first.record.recordHash());
                e.problem(RecordStatus.REORDERED, "seq", copy
                        ? "replay: a copy of record " + seq + ", which is already at line " + first.raw.number()
                        : "a second record with sequence " + seq + " (the first is at line " + first.raw.number() + ")");
            } else {
                if (seq < maxSequence) {
                    e.problem(RecordStatus.REORDERED, "seq", "record " + seq + " comes after record " + maxSequence
                            + " (line " + maxEntry.raw.number() + "): out of order");
                } else if (seq > 0 && !present.contains(seq - 1)) {
                    e.problem(RecordStatus.GAP, "seq", missing(seq, present));
                }
                checkLink(e, firstBySequence.get(seq - 1));
            }
            if (seq > maxSequence) {
                maxSequence = seq;
                maxEntry = e;
            }
        }

        List<RecordResult> results = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            long written = e.record != null ? e.record.sequence()
                    : e.raw.text() == null ? -1 : RecordLine.writtenSequence(e.raw.text());
            results.add(new RecordResult(e.raw.number(), e.raw.offset(), e.raw.length(),
                    written < 0 ? OptionalLong.empty() : OptionalLong.of(written), Optional.ofNullable(e.record),
                    e.problems));
        }
        boolean torn = !lines.isEmpty() && !lines.get(lines.size() - 1).terminated();
        LogHeader logHeader = header == null ? null : header.header().orElse(null);
        return new VerificationReport(source, results, logHeader, hostId, expectedAk != null, torn);
    }

    private static void parse(Entry e) {
        LogLines.RawLine raw = e.raw;
        if (!raw.terminated()) {
            // a line cut short by a crash may still parse; it was never completely written, so it is not trusted
            e.problem(RecordStatus.MALFORMED, "", "incomplete last line: " + raw.length()
                    + " bytes without a terminating newline (a write was interrupted)");
            return;
        }
        if (raw.problem() != null) {
            e.problem(RecordStatus.MALFORMED, "", raw.problem());
            return;
        }
        if (raw.text().isEmpty()) {
            e.problem(RecordStatus.MALFORMED, "", "empty line");
            return;
        }
        try {
            RecordLine.Parsed p = RecordLine.parse(raw.text());
            e.record = p.record();
            e.storedChecks = p.checks();
        } catch (LineFormatException x) {
            e.problem(RecordStatus.MALFORMED, x.field(), x.problem());
        }
    }

    /** The key signatures are checked with; header problems go to the header's entry. */
    private static AttestationKeyCheck headerKey(Entry headerEntry, AttestationKeyCheck expectedAk) {
        if (headerEntry == null) {
            return expectedAk;
        }
        LogHeader h = headerEntry.record.header().orElseThrow();
        AttestationKeyCheck fromHeader = null;
        try {
            TpmPublic p = TpmPublic.parseTpm2b(h.akPublicArea());
            if (!Arrays.equals(p.name(), h.akName())) {
                headerEntry.problem(RecordStatus.MALFORMED, "akName", "is " + HEX.formatHex(h.akName())
                        + " but the name of akPublic is " + HEX.formatHex(p.name()));
            }
            fromHeader = AttestationKeyCheck.of(p);
        } catch (TpmFormatException x) {
            headerEntry.problem(RecordStatus.MALFORMED, "akPublic", "not a TPM2B_PUBLIC: " + x.getMessage());
        } catch (InvalidKeyException x) {
            headerEntry.problem(RecordStatus.BAD_SIGNATURE, "akPublic", "not usable as the log's AK: " + x.getMessage());
        }
        if (expectedAk != null) {
            if (!Arrays.equals(expectedAk.publicArea().name(), h.akName())) {
                headerEntry.problem(RecordStatus.BAD_SIGNATURE, "akPublic", "the header names AK "
                        + HEX.formatHex(h.akName()) + ", but the expected AK is " + expectedAk.nameHex());
            }
            return expectedAk;
        }
        return fromHeader;
    }

    /** What the sequence numbers of the parsed lines before and after suggest this line's number is. */
    private static long[] neighbourSequences(List<Entry> entries, int index) {
        long before = -1;
        for (int i = index - 1; i >= 0 && before < 0; i--) {
            before = entries.get(i).record == null ? -1 : entries.get(i).record.sequence() + 1;
        }
        long after = -1;
        for (int i = index + 1; i < entries.size() && after < 0; i++) {
            after = entries.get(i).record == null ? -1 : entries.get(i).record.sequence() - 1;
        }
        return new long[] {before, after};
    }

    private static void checkContent(Entry e, AttestationKeyCheck ak, String hostId, long[] likelySequences) {
        AuditRecord r = e.record;
        e.sequence = r.sequence();
        RecordContent content = RecordContent.of(r);
        e.signedBytes = RecordEncoding.signedBytes(content);
        e.computedHash = RecordEncoding.hash(e.signedBytes);
        List<RecordEncoding.Field> changed = RecordEncoding.differingFields(e.storedChecks, RecordEncoding.checks(content));
        e.contentIntact = MessageDigest.isEqual(e.computedHash, r.recordHash());
        if (!e.contentIntact) {
            if (changed.isEmpty()) {
                e.problem(RecordStatus.BROKEN_CHAIN, "hash", "stored hash " + HEX.formatHex(r.recordHash())
                        + " differs from the hash of the content " + HEX.formatHex(e.computedHash)
                        + ", while every field matches its check value: the stored hash was changed");
            }
            for (RecordEncoding.Field f : changed) {
                String original = "";
                if (f == RecordEncoding.Field.SEQ) {
                    for (long candidate : likelySequences) {
                        if (candidate >= 0 && RecordEncoding.matchesSequenceCheck(e.storedChecks, candidate)) {
                            // ordered by its original number, so the records around it are not blamed
                            e.sequence = candidate;
                            original = " (written as " + r.sequence() + "; its check value matches " + candidate + ")";
                        }
                    }
                }
                e.problem(RecordStatus.BROKEN_CHAIN, f.key(), "changed after signing" + original
                        + ": the field no longer matches its check value, and the record no longer matches its hash");
            }
            return;
        }
        for (RecordEncoding.Field f : changed) {
            e.problem(RecordStatus.MALFORMED, "check", "the check value of field '" + f.key()
                    + "' was changed (the signed content is intact)");
        }
        if (ak == null) {
            e.problem(RecordStatus.BAD_SIGNATURE, "sig", "cannot be checked: the log has no usable header with an AK");
        } else {
            ak.signatureProblem(e.signedBytes, r.signature())
                    .ifPresent(p -> e.problem(RecordStatus.BAD_SIGNATURE, "sig", p));
        }
        if (hostId != null && !hostId.equals(r.hostId())) {
            e.problem(RecordStatus.MALFORMED, "host", "names host '" + r.hostId() + "', the log header host '" + hostId + "'");
        }
    }

    /** The previous-record hash must be that of the record before in sequence (stored or recomputed, so a fault is blamed on one record only). */
    private static void checkLink(Entry e, Entry predecessor) {
        byte[] prev = e.record.previousHash();
        if (e.sequence == 0) {
            if (!Arrays.equals(prev, NO_PREVIOUS)) {
                e.problem(RecordStatus.BROKEN_CHAIN, "prev", "the first record must link to 32 zero bytes, links to "
                        + HEX.formatHex(prev));
            }
            return;
        }
        if (predecessor == null) {
            return;
        }
        if (!Arrays.equals(prev, predecessor.record.recordHash()) && !Arrays.equals(prev, predecessor.computedHash)) {
            e.problem(RecordStatus.BROKEN_CHAIN, "prev", "links to " + HEX.formatHex(prev) + ", but record "
                    + predecessor.sequence + " (line " + predecessor.raw.number() + ") has hash "
                    + HEX.formatHex(predecessor.record.recordHash()));
        }
    }

    private static String missing(long seq, TreeSet<Long> present) {
        Long below = present.lower(seq);
        long from = below == null ? 0 : below + 1;
        String range = from == seq - 1 ? "record " + from + " is" : "records " + from + " to " + (seq - 1) + " are";
        return range + " missing" + (from == 0 ? ", including the log header" : "");
    }
}
