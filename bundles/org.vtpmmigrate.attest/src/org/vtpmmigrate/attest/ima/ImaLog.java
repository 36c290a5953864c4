package org.vtpmmigrate.attest.ima;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.eventlog.ReplayCheck;

/**
 * A parsed IMA measurement list, from the ASCII form ({@code <pcr> <template-hash> <template>
 * <fields...>} per line) or the binary form (little-endian PCR, SHA-1 template hash, template
 * name, template data; the {@code ima} template without the data length and with its own
 * field encoding). Immutable and thread-safe.
 * <p>
 * Replay per bank follows the kernel (ima_add_template_entry, ima_calc_field_array_hash): the
 * SHA-1 bank is extended with the logged template hash, every other bank with that bank's hash
 * of the template data, and a violation extends all-ones of the bank's size. The logged
 * template hash is what the TPM received, so a SHA-1 replay alone cannot show altered fields:
 * check {@link #templateHashProblems()} too (a non-SHA-1 bank replay would show them).
 */
public final class ImaLog {
    /** Largest list accepted (a busy host's list after weeks of uptime is tens of MiB). */
    public static final int MAX_LOG_BYTES = 64 * 1024 * 1024;
    /** Most entries accepted. */
    public static final int MAX_ENTRIES = 1_000_000;
    /** Longest line of the ASCII list (a path is at most 4 KiB; signatures and buffers are hex). */
    public static final int MAX_LINE_BYTES = 1024 * 1024;
    /** Largest template data of one binary entry. */
    public static final int MAX_TEMPLATE_DATA_BYTES = 512 * 1024;

    /** The two forms the kernel exports. */
    public enum Format {
        ASCII, BINARY
    }

    /**
     * A binary list whose input ends inside an entry (a capture cut short, or trailing bytes):
     * parsing kept the whole entries before it. The cut-off entry was not replayed.
     */
    public record IncompleteTail(long offset, int length) {
    }

    private final Format format;
    private final List<ImaEntry> entries;
    private final IncompleteTail tail;

    ImaLog(Format format, List<ImaEntry> entries, IncompleteTail tail) {
        this.format = format;
        this.entries = List.copyOf(entries);
        this.tail = tail;
    }

    /**
     * Parses either form: a binary list starts with a little-endian 32-bit PCR index below 24
     * (three zero bytes follow the first), which no text does; anything else is read as ASCII.
     */
    public static ImaLog parse(byte[] list) throws ImaFormatException {
        boolean binary = list.length >= 4 && (list[0] & 0xFF) < PcrValues.PCR_COUNT && list[1] == 0 && list[2] == 0
                && list[3] == 0;
        return binary ? parseBinary(list) : parseAscii(list);
    }

    /** Parses the ASCII form ({@code ascii_runtime_measurements}). */
    public static ImaLog parseAscii(byte[] list) throws ImaFormatException {
        return new ImaAsciiParser(list).parse();
    }

    /** Parses the binary form ({@code binary_runtime_measurements}), little-endian. */
    public static ImaLog parseBinary(byte[] list) throws ImaFormatException {
        return new ImaBinaryParser(list).parse();
    }

    /** Reads and parses a list file of either form, refusing files over {@link #MAX_LOG_BYTES} first. */
    public static ImaLog read(Path file) throws IOException, ImaFormatException {
        long size = Files.size(file);
        if (size > MAX_LOG_BYTES) {
            throw new ImaFormatException(-1, 0, 0, "file is " + size + " bytes, more than the limit of "
                    + MAX_LOG_BYTES);
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_LOG_BYTES + 1);
        }
        return parse(bytes);
    }

    static void checkSize(byte[] list) throws ImaFormatException {
        if (list.length == 0) {
            throw new ImaFormatException(-1, 0, 0, "empty input: a measurement list starts with boot_aggregate");
        }
        if (list.length > MAX_LOG_BYTES) {
            throw new ImaFormatException(-1, 0, 0, "list is " + list.length + " bytes, more than the limit of "
                    + MAX_LOG_BYTES);
        }
    }

    public Format format() {
        return format;
    }

    /** The entries in list order; {@code entries().get(i).index() == i}. */
    public List<ImaEntry> entries() {
        return entries;
    }

    /** Set when a binary list ends inside an entry. */
    public Optional<IncompleteTail> incompleteTail() {
        return Optional.ofNullable(tail);
    }

    /** The first entry if it is the {@code boot_aggregate}, which summarises PCRs 0-7 (0-9) at IMA start. */
    public Optional<ImaEntry> bootAggregate() {
        if (entries.isEmpty() || !entries.get(0).filePath().equals(Optional.of("boot_aggregate"))) {
            return Optional.empty();
        }
        return Optional.of(entries.get(0));
    }

    /** Number of violation entries (all-zero template hash). */
    public int violationCount() {
        return (int) entries.stream().filter(ImaEntry::isViolation).count();
    }

    /**
     * Entries whose template hash is not the SHA-1 of their template data
     * ({@link ImaEntry.TemplateHashStatus#MISMATCH}) or cannot be checked
     * ({@link ImaEntry.TemplateHashStatus#UNVERIFIABLE}). Violations are not listed here.
     */
    public List<ImaEntry> templateHashProblems() {
        List<ImaEntry> out = new ArrayList<>();
        for (ImaEntry e : entries) {
            ImaEntry.TemplateHashStatus s = e.templateHashStatus();
            if (s == ImaEntry.TemplateHashStatus.MISMATCH || s == ImaEntry.TemplateHashStatus.UNVERIFIABLE) {
                out.add(e);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** The PCRs the list extends. */
    public SortedSet<Integer> pcrs() {
        SortedSet<Integer> out = new TreeSet<>();
        entries.forEach(e -> out.add(e.pcr()));
        return Collections.unmodifiableSortedSet(out);
    }

    /** The entries extended into {@code pcr}, in list order. */
    public List<ImaEntry> entriesOf(int pcr) {
        List<ImaEntry> out = new ArrayList<>();
        for (ImaEntry e : entries) {
            if (e.pcr() == pcr) {
                out.add(e);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** Replays the list into the given banks; every PCR an entry names starts at zero. */
    public PcrValues replay(Collection<HashAlgorithm> banks) throws ImaReplayException {
        PcrValues.Builder out = PcrValues.builder();
        Set<HashAlgorithm> ordered = EnumSet.noneOf(HashAlgorithm.class);
        ordered.addAll(banks);
        for (HashAlgorithm bank : ordered) {
            Map<Integer, byte[]> pcrs = new HashMap<>();
            for (ImaEntry e : entries) {
                byte[] current = pcrs.computeIfAbsent(e.pcr(), p -> bank.zeroDigest());
                pcrs.put(e.pcr(), bank.digest(current, e.extendValue(bank)));
            }
            pcrs.forEach((pcr, value) -> out.put(bank, pcr, value));
        }
        return out.build();
    }

    /** {@link #replay(Collection)} for the banks named. */
    public PcrValues replay(HashAlgorithm first, HashAlgorithm... more) throws ImaReplayException {
        Set<HashAlgorithm> banks = EnumSet.of(first, more);
        return replay(banks);
    }

    /**
     * Replays the banks {@code claimed} has and compares: every PCR the list extends that
     * differs is named with its entries.
     */
    public ReplayCheck<ImaEntry> compare(PcrValues claimed) throws ImaReplayException {
        return ReplayCheck.compare(replay(claimed.banks()), claimed, (bank, pcr) -> entriesOf(pcr),
                ImaEntry::toString);
    }
}
