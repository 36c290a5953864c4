package org.vtpmmigrate.attest.eventlog;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;

/**
 * A parsed TCG PC Client platform firmware event log (what Linux exposes as
 * {@code /sys/kernel/security/tpm0/binary_bios_measurements}), in either format:
 * <ul>
 * <li>{@link Format#SHA1}: TCG_PCR_EVENT records with one SHA-1 digest (TPM 1.2, early TPM 2.0
 * firmware, Windows SHA-1 logs);</li>
 * <li>{@link Format#CRYPTO_AGILE}: a TCG_PCR_EVENT whose data is the "Spec ID Event03" listing
 * the digest algorithms and sizes, then TCG_PCR_EVENT2 records with one digest per algorithm.</li>
 * </ul>
 * Replay follows the PC Client Platform Firmware Profile and TPM 2.0 Part 1: EV_NO_ACTION events
 * are never extended; a StartupLocality event sets PCR 0's initial value to 0..0L; an
 * EV_EFI_HCRTM_EVENT (H-CRTM, TPM 2.0 Part 1 section 34.3) sets it to 0..04 and is itself
 * extended; all other PCRs start at zero. Immutable and thread-safe.
 */
public final class EventLog {
    /** Largest log accepted; real logs are tens to hundreds of KiB. */
    public static final int MAX_LOG_BYTES = 16 * 1024 * 1024;
    /** Most events accepted; real logs have tens to a few thousand. */
    public static final int MAX_EVENTS = 100_000;
    /** Largest event data accepted (a dbx variable event is tens of KiB). */
    public static final int MAX_EVENT_DATA_BYTES = 1024 * 1024;
    /** Most entries in the Spec ID algorithm table, and so digests per event. */
    public static final int MAX_ALGORITHMS = 16;
    /** Largest digest size the Spec ID table may give (TPMU_HA is 64 bytes). */
    public static final int MAX_DIGEST_BYTES = 64;

    /** The two record formats of the PC Client event log. */
    public enum Format {
        /** TCG_PCR_EVENT only, one SHA-1 digest per event. */
        SHA1,
        /** Spec ID Event03 followed by TCG_PCR_EVENT2 records. */
        CRYPTO_AGILE
    }

    /**
     * Deviations from the specification that real tools or firmware produce and that this
     * parser accepts because they cannot change the replay. Each accepted deviation is reported
     * in {@link #quirks()}, so policy can still refuse it.
     */
    public enum Quirk {
        /**
         * The Spec ID event's eventSize stops before its vendorInfo, which follows the event
         * (tpm2-tools' specid-vendordata fixture). The vendorInfo bytes are taken from after
         * the event.
         */
        SPEC_ID_VENDOR_INFO_OUTSIDE_EVENT
    }

    private final Format format;
    private final SpecIdEvent specId;
    private final List<TcgEvent> events;
    private final int startupLocality;
    private final boolean hcrtm;
    private final Set<Quirk> quirks;

    EventLog(Format format, SpecIdEvent specId, List<TcgEvent> events, int startupLocality, boolean hcrtm,
            Set<Quirk> quirks) {
        this.format = format;
        this.specId = specId;
        this.events = List.copyOf(events);
        this.startupLocality = startupLocality;
        this.hcrtm = hcrtm;
        this.quirks = quirks.isEmpty() ? Collections.emptySet() : Collections.unmodifiableSet(EnumSet.copyOf(quirks));
    }

    /**
     * Parses a whole log. Fails, with the event and byte offset, on anything that does not
     * follow the format: truncation, a length beyond the input or the limits above, a digest of
     * an algorithm the Spec ID event does not list, an extended event outside PCR 0..23, a
     * misplaced StartupLocality or H-CRTM event, trailing bytes that are not an event.
     */
    public static EventLog parse(byte[] log) throws EventLogFormatException {
        return new EventLogParser(log).parse();
    }

    /** Reads and parses a log file, refusing files over {@link #MAX_LOG_BYTES} before reading them. */
    public static EventLog read(Path file) throws IOException, EventLogFormatException {
        long size = Files.size(file);
        if (size > MAX_LOG_BYTES) {
            throw new EventLogFormatException(-1, 0, "file is " + size + " bytes, more than the limit of "
                    + MAX_LOG_BYTES);
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_LOG_BYTES + 1);
        }
        return parse(bytes);
    }

    public Format format() {
        return format;
    }

    /** The Spec ID event of a crypto-agile log. */
    public Optional<SpecIdEvent> specId() {
        return Optional.ofNullable(specId);
    }

    /** Every event in log order, EV_NO_ACTION events included; {@code events().get(i).index() == i}. */
    public List<TcgEvent> events() {
        return events;
    }

    /** The locality of the StartupLocality event, if the log has one. */
    public OptionalInt startupLocality() {
        return startupLocality < 0 ? OptionalInt.empty() : OptionalInt.of(startupLocality);
    }

    /** Whether the log starts PCR 0 with an H-CRTM event (EV_EFI_HCRTM_EVENT). */
    public boolean hasHcrtmEvent() {
        return hcrtm;
    }

    /** Accepted deviations from the specification; empty for a conforming log. */
    public Set<Quirk> quirks() {
        return quirks;
    }

    /**
     * The digest algorithms of the log, in Spec ID order (only SHA-1 for a SHA-1 log), including
     * algorithms this project does not implement.
     */
    public List<Integer> algorithmIds() {
        if (specId == null) {
            return List.of(HashAlgorithm.SHA1.tpmAlgId());
        }
        List<Integer> ids = new ArrayList<>();
        specId.algorithms().forEach(a -> ids.add(a.algorithmId()));
        return Collections.unmodifiableList(ids);
    }

    /** The banks {@link #replay()} computes: the log's algorithms that {@link HashAlgorithm} implements. */
    public Set<HashAlgorithm> banks() {
        Set<HashAlgorithm> banks = EnumSet.noneOf(HashAlgorithm.class);
        for (int id : algorithmIds()) {
            HashAlgorithm.fromTpmAlgId(id).ifPresent(banks::add);
        }
        return Collections.unmodifiableSet(banks);
    }

    /** Algorithms of the log that cannot be replayed because this project does not implement them. */
    public List<Integer> unreplayableAlgorithmIds() {
        List<Integer> ids = new ArrayList<>();
        for (int id : algorithmIds()) {
            if (HashAlgorithm.fromTpmAlgId(id).isEmpty()) {
                ids.add(id);
            }
        }
        return Collections.unmodifiableList(ids);
    }

    /** The value PCR {@code pcr} of {@code bank} has before the first event of this log is extended. */
    public byte[] initialValue(HashAlgorithm bank, int pcr) {
        byte[] value = bank.zeroDigest();
        if (pcr == 0) {
            if (hcrtm) {
                value[value.length - 1] = 4;
            } else if (startupLocality > 0) {
                value[value.length - 1] = (byte) startupLocality;
            }
        }
        return value;
    }

    /**
     * The PCR values the log replays to: for every bank of {@link #banks()}, every PCR that at
     * least one event extends with a digest of that bank. A bank no event has a digest for is
     * absent.
     */
    public PcrValues replay() {
        PcrValues.Builder out = PcrValues.builder();
        for (HashAlgorithm bank : banks()) {
            Map<Integer, byte[]> pcrs = new LinkedHashMap<>();
            for (TcgEvent e : events) {
                if (!e.isExtended()) {
                    continue;
                }
                Optional<byte[]> digest = e.digest(bank);
                if (digest.isPresent()) {
                    int pcr = (int) e.pcrIndex();
                    byte[] current = pcrs.computeIfAbsent(pcr, p -> initialValue(bank, p));
                    pcrs.put(pcr, bank.digest(current, digest.get()));
                }
            }
            pcrs.forEach((pcr, value) -> out.put(bank, pcr, value));
        }
        return out.build();
    }

    /** The events extended into {@code pcr} with a digest of {@code bank}, in log order. */
    public List<TcgEvent> extendedEvents(HashAlgorithm bank, int pcr) {
        List<TcgEvent> out = new ArrayList<>();
        for (TcgEvent e : events) {
            if (e.isExtended() && e.pcrIndex() == pcr && e.digest(bank).isPresent()) {
                out.add(e);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Compares the replay with PCR values a TPM reported (e.g. a verified quote). The result
     * lists every PCR that differs, with the events extended into it.
     */
    public ReplayCheck<TcgEvent> compare(PcrValues claimed) {
        return ReplayCheck.compare(replay(), claimed, this::extendedEvents,
                e -> "event " + e.index() + " " + e.typeName() + e.decoded().map(d -> " " + d).orElse(""));
    }
}
