package org.vtpmmigrate.attest.ima;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

import org.vtpmmigrate.attest.HashAlgorithm;

/**
 * One measurement of an IMA list. Immutable.
 * <p>
 * The kernel extends the entry's template hash into its PCR (SHA-1 bank) and the hash of the
 * same template data with each other bank's algorithm; a <em>violation</em> (a file measured
 * while open for writing, or the reverse) is logged with an all-zero template hash and extends
 * all-ones into every bank instead, so the PCR can never be explained by a clean list.
 */
public final class ImaEntry {

    /** Whether the logged template hash is the SHA-1 of the template data, as the kernel computes it. */
    public enum TemplateHashStatus {
        /** Recomputed and equal. */
        VALID,
        /** Recomputed and different, or not a 20-byte SHA-1: the fields were altered. */
        MISMATCH,
        /** All-zero: a violation, for which the kernel extends all-ones. */
        VIOLATION,
        /** An unknown template read from the ASCII list, whose template data cannot be rebuilt. */
        UNVERIFIABLE
    }

    private final int index;
    private final int lineNumber;
    private final long offset;
    private final int pcr;
    private final String templateName;
    private final byte[] templateHash;
    private final ImaTemplate template;
    private final byte[] templateData;
    private final String fileDigestAlgorithm;
    private final byte[] fileDigest;
    private final byte[] name;
    private final byte[] signature;
    private final byte[] buffer;
    private final String unparsedFields;
    private final TemplateHashStatus status;

    /** Decoded fields of a known template; null members for fields the template lacks. */
    record Fields(String fileDigestAlgorithm, byte[] fileDigest, byte[] name, byte[] signature, byte[] buffer) {
    }

    ImaEntry(int index, int lineNumber, long offset, int pcr, String templateName, byte[] templateHash,
            ImaTemplate template, byte[] templateData, Fields fields, String unparsedFields) {
        this.index = index;
        this.lineNumber = lineNumber;
        this.offset = offset;
        this.pcr = pcr;
        this.templateName = templateName;
        this.templateHash = templateHash.clone();
        this.template = template;
        this.templateData = templateData;
        this.fileDigestAlgorithm = fields == null ? null : fields.fileDigestAlgorithm();
        this.fileDigest = fields == null ? null : fields.fileDigest();
        this.name = fields == null ? null : fields.name();
        this.signature = fields == null ? null : fields.signature();
        this.buffer = fields == null ? null : fields.buffer();
        this.unparsedFields = unparsedFields;
        this.status = computeStatus();
    }

    private TemplateHashStatus computeStatus() {
        if (isViolation()) {
            return TemplateHashStatus.VIOLATION;
        }
        if (templateData == null) {
            return TemplateHashStatus.UNVERIFIABLE;
        }
        return Arrays.equals(HashAlgorithm.SHA1.digest(templateData), templateHash) ? TemplateHashStatus.VALID
                : TemplateHashStatus.MISMATCH;
    }

    /** Zero-based position in the list. */
    public int index() {
        return index;
    }

    /** One-based line in an ASCII list; 0 for a binary list. */
    public int lineNumber() {
        return lineNumber;
    }

    /** Byte offset of the entry (its line, in an ASCII list) in the input. */
    public long offset() {
        return offset;
    }

    /** Where the entry is, for messages: "line 12" or "offset 3456". */
    public String location() {
        return lineNumber > 0 ? "line " + lineNumber : "offset " + offset;
    }

    /** The PCR the kernel extended (CONFIG_IMA_MEASURE_PCR_IDX, 10, unless a policy rule says otherwise). */
    public int pcr() {
        return pcr;
    }

    /** The template name as logged, e.g. {@code ima-ng}. */
    public String templateName() {
        return templateName;
    }

    /** The template if this package knows it. */
    public Optional<ImaTemplate> template() {
        return Optional.ofNullable(template);
    }

    /** The template hash as logged (SHA-1 of the template data; all-zero for a violation). */
    public byte[] templateHash() {
        return templateHash.clone();
    }

    public boolean isViolation() {
        for (byte b : templateHash) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    public TemplateHashStatus templateHashStatus() {
        return status;
    }

    /**
     * The template data as the kernel hashes it: for every template but {@code ima}, each field
     * as a little-endian 32-bit length and its bytes (what the binary list carries); for
     * {@code ima}, the 20-byte digest followed by the name padded with NULs to 256 bytes. Empty
     * for an unknown template read from the ASCII list.
     */
    public Optional<byte[]> templateData() {
        return Optional.ofNullable(templateData).map(byte[]::clone);
    }

    /** The file digest's algorithm as the kernel names it ("sha256", "sha1", "sm3"); "sha1" for {@code ima}. */
    public Optional<String> fileDigestAlgorithm() {
        return Optional.ofNullable(fileDigestAlgorithm);
    }

    /** The file digest's algorithm, if this project implements it. */
    public Optional<HashAlgorithm> fileDigestHashAlgorithm() {
        return fileDigestAlgorithm().flatMap(ImaEntry::algorithmOf);
    }

    /** The kernel's and Keylime's names of the hash algorithms this project implements. */
    static Optional<HashAlgorithm> algorithmOf(String kernelName) {
        switch (kernelName) {
            case "sm3":
            case "sm3-256":
            case "sm3_256":
                return Optional.of(HashAlgorithm.SM3_256);
            default:
                return HashAlgorithm.fromBankName(kernelName).filter(a -> a.bankName().equals(kernelName));
        }
    }

    /** The measured file's digest (for {@code ima-buf}, the buffer's). */
    public Optional<byte[]> fileDigest() {
        return Optional.ofNullable(fileDigest).map(byte[]::clone);
    }

    /** The file digest as {@code algorithm:hex}, the form allowlists and runtime policies use. */
    public Optional<String> fileDigestText() {
        if (fileDigest == null) {
            return Optional.empty();
        }
        return Optional.of(fileDigestAlgorithm + ":" + HexFormat.of().formatHex(fileDigest));
    }

    /**
     * The name field: the file path for file measurements ({@code boot_aggregate} for the first
     * entry), the buffer's name for {@code ima-buf} (e.g. {@code .ima}, {@code kexec-cmdline}).
     * Decoded as UTF-8; {@link #filePathBytes()} has the exact bytes.
     */
    public Optional<String> filePath() {
        return Optional.ofNullable(name).map(n -> new String(n, StandardCharsets.UTF_8));
    }

    public Optional<byte[]> filePathBytes() {
        return Optional.ofNullable(name).map(byte[]::clone);
    }

    /** The {@code security.ima} signature of an {@code ima-sig} entry; empty when the file had none. */
    public Optional<byte[]> signature() {
        return Optional.ofNullable(signature).filter(s -> s.length > 0).map(byte[]::clone);
    }

    /** The measured buffer of an {@code ima-buf} entry. */
    public Optional<byte[]> buffer() {
        return Optional.ofNullable(buffer).map(byte[]::clone);
    }

    /** For an unknown template read from the ASCII list: the text after the template name. */
    public Optional<String> unparsedFields() {
        return Optional.ofNullable(unparsedFields);
    }

    /** What the kernel extended into {@code bank} for this entry. */
    byte[] extendValue(HashAlgorithm bank) throws ImaReplayException {
        if (isViolation()) {
            byte[] ones = new byte[bank.digestSize()];
            Arrays.fill(ones, (byte) 0xFF);
            return ones;
        }
        if (bank == HashAlgorithm.SHA1) {
            if (templateHash.length != bank.digestSize()) {
                throw new ImaReplayException(index, bank, "template hash at " + location() + " is "
                        + templateHash.length + " bytes; the kernel extends a 20-byte SHA-1 template hash into the"
                        + " sha1 bank");
            }
            return templateHash.clone();
        }
        if (templateData == null) {
            throw new ImaReplayException(index, bank, "template " + templateName + " at " + location()
                    + " is unknown, so its template data cannot be rebuilt from the ASCII list");
        }
        return bank.digest(templateData);
    }

    @Override
    public String toString() {
        return "entry " + index + " (" + location() + ") PCR " + pcr + " " + templateName + " "
                + fileDigestText().orElse("") + " " + filePath().orElse(unparsedFields == null ? "" : unparsedFields);
    }
}
