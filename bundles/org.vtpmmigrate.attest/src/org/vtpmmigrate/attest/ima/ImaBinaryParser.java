package org.vtpmmigrate.attest.ima;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.eventlog.internal.LittleEndianReader;
import org.vtpmmigrate.attest.eventlog.internal.LittleEndianReader.OutOfBoundsException;
import org.vtpmmigrate.attest.ima.internal.TemplateFields;

/**
 * Parses {@code binary_runtime_measurements} (ima_measurements_show): PCR (u32), template hash
 * (20 bytes), template name length and name, then the template data length and data, except for
 * the {@code ima} template, which has no data length and prints its digest without a length and
 * its name without the NUL.
 */
final class ImaBinaryParser {
    private static final int MAX_TEMPLATE_NAME = 15;

    private final byte[] in;
    private final List<ImaEntry> entries = new ArrayList<>();
    private int entryStart;

    ImaBinaryParser(byte[] in) {
        this.in = in;
    }

    ImaLog parse() throws ImaFormatException {
        ImaLog.checkSize(in);
        LittleEndianReader r = new LittleEndianReader(in);
        ImaLog.IncompleteTail tail = null;
        while (r.hasRemaining()) {
            entryStart = r.offset();
            if (entries.size() >= ImaLog.MAX_ENTRIES) {
                throw error(entryStart, "more than " + ImaLog.MAX_ENTRIES + " entries");
            }
            try {
                entries.add(readEntry(r));
            } catch (OutOfBoundsException e) {
                if (!e.endOfInput()) {
                    throw error(e.offset(), e.getMessage());
                }
                tail = new ImaLog.IncompleteTail(entryStart, in.length - entryStart);
                break;
            }
        }
        if (entries.isEmpty()) {
            throw error(0, "no complete entry: the input ends inside the first one");
        }
        return new ImaLog(ImaLog.Format.BINARY, entries, tail);
    }

    private ImaFormatException error(long offset, String problem) {
        return new ImaFormatException(entries.size(), 0, offset, problem);
    }

    private ImaEntry readEntry(LittleEndianReader r) throws OutOfBoundsException, ImaFormatException {
        long pcr = r.u32("pcr");
        if (pcr >= PcrValues.PCR_COUNT) {
            throw error(entryStart, "PCR " + pcr + " is outside 0.." + (PcrValues.PCR_COUNT - 1));
        }
        byte[] templateHash = r.bytes("template hash", TemplateFields.SHA1_SIZE);
        int nameOffset = r.offset();
        int nameLength = r.length("template name", r.u32("template name length"), MAX_TEMPLATE_NAME);
        String name = new String(r.bytes("template name", nameLength), StandardCharsets.ISO_8859_1);
        if (name.isEmpty() || !name.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            throw error(nameOffset, "template name is not 1.." + MAX_TEMPLATE_NAME + " printable characters");
        }
        Optional<ImaTemplate> template = ImaTemplate.fromName(name);
        List<byte[]> fields;
        if (template.equals(Optional.of(ImaTemplate.IMA))) {
            byte[] digest = r.bytes("ima digest", TemplateFields.SHA1_SIZE);
            int n = r.length("ima name", r.u32("ima name length"), TemplateFields.IMA_EVENT_NAME_LEN_MAX);
            fields = List.of(digest, r.bytes("ima name", n));
        } else {
            int dataLength = r.length("template data", r.u32("template data length"), ImaLog.MAX_TEMPLATE_DATA_BYTES);
            int dataOffset = r.offset();
            byte[] data = r.bytes("template data", dataLength);
            if (template.isEmpty()) {
                return new ImaEntry(entries.size(), 0, entryStart, (int) pcr, name, templateHash, null, data, null,
                        null);
            }
            try {
                fields = TemplateFields.split(in, dataOffset, dataLength, template.get().fieldIds().size());
            } catch (OutOfBoundsException e) {
                // inside the data, running out means the field lengths do not add up
                throw error(e.offset(), name + " template data: " + e.getMessage());
            }
        }
        try {
            ImaFieldDecoder.Decoded d = ImaFieldDecoder.decode(template.get(), fields);
            return new ImaEntry(entries.size(), 0, entryStart, (int) pcr, name, templateHash, template.get(),
                    d.templateData(), d.fields(), null);
        } catch (ImaFieldDecoder.FieldException e) {
            throw error(entryStart, e.getMessage());
        }
    }
}
