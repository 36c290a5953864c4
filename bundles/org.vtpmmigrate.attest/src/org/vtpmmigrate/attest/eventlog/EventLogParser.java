package org.vtpmmigrate.attest.eventlog;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.eventlog.internal.EventDataDecoder;
import org.vtpmmigrate.attest.eventlog.internal.LittleEndianReader;
import org.vtpmmigrate.attest.eventlog.internal.LittleEndianReader.OutOfBoundsException;

/** Parses one log; single use. Every length is checked against the input and the limits first. */
final class EventLogParser {
    private static final byte[] SPEC_ID_03 = "Spec ID Event03\0".getBytes(StandardCharsets.US_ASCII);
    private static final int SHA1_EVENT_HEADER = 32;
    private static final int SPEC_ID_FIXED_PART = 28;
    /** ACPI tables that point to event logs; handed one instead of the log, say so. */
    private static final String[] ACPI_LOG_TABLES = {"TCPA", "TPM2", "CCEL"};
    private static final int ACPI_HEADER = 36;
    private static final int HCRTM_LOCALITY = 4;

    private final byte[] log;
    private final LittleEndianReader in;
    private final List<TcgEvent> events = new ArrayList<>();
    private final Set<EventLog.Quirk> quirks = EnumSet.noneOf(EventLog.Quirk.class);
    private SpecIdEvent specId;
    private int startupLocality = -1;
    private boolean hcrtm;
    private boolean pcr0Extended;
    private int eventStart;

    EventLogParser(byte[] log) {
        this.log = log;
        this.in = new LittleEndianReader(log);
    }

    EventLog parse() throws EventLogFormatException {
        if (log.length == 0) {
            throw new EventLogFormatException(-1, 0, "empty input: an event log has at least one event");
        }
        if (log.length > EventLog.MAX_LOG_BYTES) {
            throw new EventLogFormatException(-1, 0, "log is " + log.length + " bytes, more than the limit of "
                    + EventLog.MAX_LOG_BYTES);
        }
        rejectAcpiTable();
        EventLog.Format format = EventLog.Format.SHA1;
        try {
            readSha1Event();
            TcgEvent first = events.get(0);
            if (!first.isExtended() && new LittleEndianReader(first.data()).startsWith(SPEC_ID_03)) {
                format = EventLog.Format.CRYPTO_AGILE;
                specId = readSpecId(first);
                events.set(0, new TcgEvent(0, 0, first.pcrIndex(), first.typeValue(), first.digests(),
                        first.data(), specId));
            }
            while (in.hasRemaining()) {
                eventStart = in.offset();
                if (events.size() >= EventLog.MAX_EVENTS) {
                    throw error("more than " + EventLog.MAX_EVENTS + " events");
                }
                if (format == EventLog.Format.SHA1) {
                    readSha1Event();
                } else {
                    readEvent2();
                }
            }
        } catch (OutOfBoundsException e) {
            throw new EventLogFormatException(events.size(), e.offset(), e.getMessage() + textHint());
        }
        return new EventLog(format, specId, events, startupLocality, hcrtm, quirks);
    }

    private void rejectAcpiTable() throws EventLogFormatException {
        if (log.length < ACPI_HEADER) {
            return;
        }
        String signature = new String(log, 0, 4, StandardCharsets.ISO_8859_1);
        long length = (log[4] & 0xFFL) | (log[5] & 0xFFL) << 8 | (log[6] & 0xFFL) << 16 | (log[7] & 0xFFL) << 24;
        for (String table : ACPI_LOG_TABLES) {
            if (table.equals(signature) && length == log.length) {
                throw new EventLogFormatException(-1, 0, "input is an ACPI " + table + " table (" + length
                        + " bytes), which only points to an event log; it is not one");
            }
        }
    }

    private EventLogFormatException error(String problem) {
        return new EventLogFormatException(events.size(), eventStart, problem + textHint());
    }

    /** A binary log starts with small integers; printable text there means the wrong file. */
    private String textHint() {
        if (!events.isEmpty() || log.length < 8) {
            return "";
        }
        for (int i = 0; i < 8; i++) {
            int c = log[i] & 0xFF;
            if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c > 0x7E) {
                return "";
            }
        }
        return " (the input starts with printable text, so it is not a binary event log)";
    }

    /** TCG_PCR_EVENT: PCRIndex, EventType, SHA-1 digest, EventSize, Event. */
    private void readSha1Event() throws OutOfBoundsException, EventLogFormatException {
        eventStart = in.offset();
        if (in.remaining() < SHA1_EVENT_HEADER) {
            throw error(in.remaining() + " bytes left, too few for a " + SHA1_EVENT_HEADER
                    + "-byte TCG_PCR_EVENT header (truncated log or trailing bytes)");
        }
        long pcr = in.u32("PCRIndex");
        long type = in.u32("EventType");
        byte[] digest = in.bytes("Digest", HashAlgorithm.SHA1.digestSize());
        byte[] data = readEventData();
        addEvent(pcr, type, List.of(new EventDigest(HashAlgorithm.SHA1.tpmAlgId(), digest)), data);
    }

    /** TCG_PCR_EVENT2: PCRIndex, EventType, TPML_DIGEST_VALUES, EventSize, Event. */
    private void readEvent2() throws OutOfBoundsException, EventLogFormatException {
        eventStart = in.offset();
        long pcr = in.u32("PCRIndex");
        long type = in.u32("EventType");
        long count = in.u32("Digests.count");
        if (count > specId.algorithms().size()) {
            throw error("digest count " + count + " exceeds the " + specId.algorithms().size()
                    + " algorithms of the Spec ID event");
        }
        List<EventDigest> digests = new ArrayList<>((int) count);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < count; i++) {
            int alg = in.u16("Digests.hashAlg");
            Optional<Integer> size = specId.digestSize(alg);
            if (size.isEmpty()) {
                throw error(String.format("digest %d has algorithm 0x%04X, which the Spec ID event does not list", i,
                        alg));
            }
            if (!seen.add(alg)) {
                throw error(String.format("digest %d repeats algorithm 0x%04X", i, alg));
            }
            digests.add(new EventDigest(alg, in.bytes("Digests.digest", size.get())));
        }
        byte[] data = readEventData();
        addEvent(pcr, type, digests, data);
    }

    private byte[] readEventData() throws OutOfBoundsException {
        long size = in.u32("EventSize");
        int n = in.length("Event", size, EventLog.MAX_EVENT_DATA_BYTES);
        return in.bytes("Event", n);
    }

    private void addEvent(long pcr, long type, List<EventDigest> digests, byte[] data) throws EventLogFormatException {
        boolean extended = type != EventType.EV_NO_ACTION.value();
        if (extended && pcr >= PcrValues.PCR_COUNT) {
            throw error("PCR index " + pcr + " of an extended event is outside 0.." + (PcrValues.PCR_COUNT - 1));
        }
        int locality = extended ? -1 : EventDataDecoder.startupLocality(data);
        if (locality >= 0) {
            acceptStartupLocality(pcr, locality);
        }
        if (type == EventType.EV_EFI_HCRTM_EVENT.value()) {
            acceptHcrtm(pcr);
        }
        if (extended && pcr == 0) {
            pcr0Extended = true;
        }
        events.add(new TcgEvent(events.size(), eventStart, pcr, type, digests, data,
                EventDataDecoder.decode(type, data)));
    }

    private void acceptStartupLocality(long pcr, int locality) throws EventLogFormatException {
        if (pcr != 0) {
            throw error("StartupLocality event has PCR index " + pcr + "; it describes PCR 0");
        }
        if (startupLocality >= 0) {
            throw error("second StartupLocality event");
        }
        if (pcr0Extended) {
            throw error("StartupLocality event after PCR 0 was already extended");
        }
        if (locality > HCRTM_LOCALITY) {
            throw error("StartupLocality " + locality + " is not a TPM locality (0..4)");
        }
        startupLocality = locality;
    }

    private void acceptHcrtm(long pcr) throws EventLogFormatException {
        if (pcr != 0) {
            throw error("EV_EFI_HCRTM_EVENT has PCR index " + pcr + "; the H-CRTM measures into PCR 0");
        }
        if (pcr0Extended) {
            throw error("EV_EFI_HCRTM_EVENT after PCR 0 was already extended; it must come first");
        }
        hcrtm = true;
    }

    /** TCG_EfiSpecIDEvent, the data of the first event of a crypto-agile log. */
    private SpecIdEvent readSpecId(TcgEvent first) throws OutOfBoundsException, EventLogFormatException {
        eventStart = 0;
        if (first.pcrIndex() != 0) {
            throw new EventLogFormatException(0, 0, "Spec ID event has PCR index " + first.pcrIndex()
                    + "; a TPM event log puts it in PCR 0 (confidential-computing CCEL logs, which count"
                    + " measurement registers from 1, are not TPM event logs)");
        }
        int dataLength = first.dataLength();
        // read the event data in place so that offsets in errors are offsets in the log
        LittleEndianReader r = new LittleEndianReader(log, SHA1_EVENT_HEADER, SHA1_EVENT_HEADER + dataLength);
        if (r.remaining() < SPEC_ID_FIXED_PART) {
            throw new EventLogFormatException(0, 0, "Spec ID event data is " + dataLength + " bytes, fewer than the "
                    + SPEC_ID_FIXED_PART + " of its fixed part");
        }
        r.skip("signature", SPEC_ID_03.length);
        long platformClass = r.u32("platformClass");
        int minor = r.u8("specVersionMinor");
        int major = r.u8("specVersionMajor");
        int errata = r.u8("specErrata");
        int uintnSize = r.u8("uintnSize");
        if (uintnSize != 1 && uintnSize != 2) {
            throw specIdError(r, "uintnSize " + uintnSize + " is neither 1 (32-bit) nor 2 (64-bit)");
        }
        long count = r.u32("numberOfAlgorithms");
        if (count < 1 || count > EventLog.MAX_ALGORITHMS) {
            throw specIdError(r, "numberOfAlgorithms " + count + " is outside 1.." + EventLog.MAX_ALGORITHMS);
        }
        List<SpecIdEvent.AlgorithmSize> algorithms = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < count; i++) {
            int alg = r.u16("digestSizes.algorithmId");
            int size = r.u16("digestSizes.digestSize");
            if (!seen.add(alg)) {
                throw specIdError(r, String.format("algorithm 0x%04X listed twice", alg));
            }
            if (size < 1 || size > EventLog.MAX_DIGEST_BYTES) {
                throw specIdError(r, String.format("algorithm 0x%04X has digest size %d, outside 1..%d", alg, size,
                        EventLog.MAX_DIGEST_BYTES));
            }
            Optional<HashAlgorithm> known = HashAlgorithm.fromTpmAlgId(alg);
            if (known.isPresent() && known.get().digestSize() != size) {
                throw specIdError(r, String.format("algorithm %s has digest size %d, not %d", known.get().bankName(),
                        size, known.get().digestSize()));
            }
            algorithms.add(new SpecIdEvent.AlgorithmSize(alg, size));
        }
        int vendorInfoSize = r.u8("vendorInfoSize");
        byte[] vendorInfo;
        if (vendorInfoSize > r.remaining() && r.remaining() == 0 && in.remaining() >= vendorInfoSize) {
            // eventSize ends before vendorInfo; it is the next bytes of the log
            vendorInfo = in.bytes("vendorInfo", vendorInfoSize);
            quirks.add(EventLog.Quirk.SPEC_ID_VENDOR_INFO_OUTSIDE_EVENT);
        } else {
            vendorInfo = r.bytes("vendorInfo", vendorInfoSize);
        }
        if (r.hasRemaining()) {
            throw specIdError(r, r.remaining() + " unexpected bytes after vendorInfo");
        }
        return new SpecIdEvent(platformClass, major, minor, errata, uintnSize, algorithms, vendorInfo);
    }

    private EventLogFormatException specIdError(LittleEndianReader r, String problem) {
        return new EventLogFormatException(0, r.offset(), "Spec ID event: " + problem);
    }
}
