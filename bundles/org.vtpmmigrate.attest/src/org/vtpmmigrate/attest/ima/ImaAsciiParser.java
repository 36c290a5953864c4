package org.vtpmmigrate.attest.ima;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.ima.internal.TemplateFields;

/**
 * Parses {@code ascii_runtime_measurements}. The kernel prints "%2d %40phN %s" and then each
 * field after one space (ima_ascii_measurements_show); names are printed raw, so a name may hold
 * spaces: the name is whatever lies between the first field and the last one.
 */
final class ImaAsciiParser {
    private static final int MAX_TEMPLATE_NAME = 15;
    private static final int[] TEMPLATE_HASH_SIZES = {20, 32, 48, 64};

    private final byte[] in;
    private final List<ImaEntry> entries = new ArrayList<>();
    private int lineNumber;
    private int lineStart;

    ImaAsciiParser(byte[] in) {
        this.in = in;
    }

    ImaLog parse() throws ImaFormatException {
        ImaLog.checkSize(in);
        int pos = 0;
        while (pos < in.length) {
            lineNumber++;
            lineStart = pos;
            int end = pos;
            while (end < in.length && in[end] != '\n') {
                if (end - pos >= ImaLog.MAX_LINE_BYTES) {
                    throw error("line longer than " + ImaLog.MAX_LINE_BYTES + " bytes");
                }
                end++;
            }
            if (end == pos) {
                throw error("empty line");
            }
            if (entries.size() >= ImaLog.MAX_ENTRIES) {
                throw error("more than " + ImaLog.MAX_ENTRIES + " entries");
            }
            entries.add(parseLine(new String(in, pos, end - pos, StandardCharsets.ISO_8859_1)));
            pos = end + 1;
        }
        return new ImaLog(ImaLog.Format.ASCII, entries, null);
    }

    private ImaFormatException error(String problem) {
        return new ImaFormatException(entries.size(), lineNumber, lineStart, problem);
    }

    /** {@code line} holds the line's bytes one char per byte (ISO-8859-1), so names keep their exact bytes. */
    private ImaEntry parseLine(String line) throws ImaFormatException {
        int p = 0;
        while (p < line.length() && line.charAt(p) == ' ') {
            p++;
        }
        int sp1 = line.indexOf(' ', p);
        if (sp1 < 0) {
            throw error("expected '<pcr> <template-hash> <template> <fields>', got " + quote(line));
        }
        int pcr = pcr(line.substring(p, sp1));
        int sp2 = line.indexOf(' ', sp1 + 1);
        if (sp2 < 0) {
            throw error("missing template name after the template hash");
        }
        byte[] templateHash = hex(line.substring(sp1 + 1, sp2), "template hash");
        if (!isTemplateHashSize(templateHash.length)) {
            throw error("template hash is " + templateHash.length + " bytes, not the size of a hash");
        }
        int sp3 = line.indexOf(' ', sp2 + 1);
        String templateName = line.substring(sp2 + 1, sp3 < 0 ? line.length() : sp3);
        if (templateName.isEmpty() || templateName.length() > MAX_TEMPLATE_NAME
                || !templateName.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            throw error("template name " + quote(templateName) + " is not 1.." + MAX_TEMPLATE_NAME
                    + " printable characters");
        }
        String rest = sp3 < 0 ? null : line.substring(sp3 + 1);
        Optional<ImaTemplate> template = ImaTemplate.fromName(templateName);
        if (template.isEmpty()) {
            String raw = rest == null ? "" : new String(bytes(rest), StandardCharsets.UTF_8);
            return new ImaEntry(entries.size(), lineNumber, lineStart, pcr, templateName, templateHash, null, null,
                    null, raw);
        }
        if (rest == null) {
            throw error(templateName + " entry has no fields");
        }
        List<byte[]> fields = fields(template.get(), rest);
        try {
            ImaFieldDecoder.Decoded d = ImaFieldDecoder.decode(template.get(), fields);
            return new ImaEntry(entries.size(), lineNumber, lineStart, pcr, templateName, templateHash,
                    template.get(), d.templateData(), d.fields(), null);
        } catch (ImaFieldDecoder.FieldException e) {
            throw error(e.getMessage());
        }
    }

    /** Rebuilds the fields' bytes from their printed form. */
    private List<byte[]> fields(ImaTemplate template, String rest) throws ImaFormatException {
        int first = rest.indexOf(' ');
        if (first < 0) {
            throw error(template.templateName() + " entry needs a digest and a name, got " + quote(rest));
        }
        String digestText = rest.substring(0, first);
        String afterDigest = rest.substring(first + 1);
        List<byte[]> fields = new ArrayList<>();
        if (template == ImaTemplate.IMA) {
            fields.add(hex(digestText, "digest"));
            fields.add(bytes(afterDigest));
            return fields;
        }
        int colon = digestText.lastIndexOf(':');
        if (colon <= 0) {
            throw error("digest " + quote(digestText) + " is not algorithm:hex");
        }
        byte[] digest = hex(digestText.substring(colon + 1), "digest");
        fields.add(TemplateFields.digestNg(digestText.substring(0, colon), digest));
        if (template == ImaTemplate.IMA_NG) {
            fields.add(TemplateFields.nameNg(bytes(afterDigest)));
            return fields;
        }
        int last = afterDigest.lastIndexOf(' ');
        if (last < 0) {
            throw error(template.templateName() + " entry needs a " + template.fieldIds().get(2)
                    + " field after the name (empty allowed)");
        }
        fields.add(TemplateFields.nameNg(bytes(afterDigest.substring(0, last))));
        fields.add(hex(afterDigest.substring(last + 1), template.fieldIds().get(2)));
        return fields;
    }

    private int pcr(String s) throws ImaFormatException {
        if (s.isEmpty() || s.length() > 2 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw error("PCR " + quote(s) + " is not a number");
        }
        int pcr = Integer.parseInt(s);
        if (pcr >= PcrValues.PCR_COUNT) {
            throw error("PCR " + pcr + " is outside 0.." + (PcrValues.PCR_COUNT - 1));
        }
        return pcr;
    }

    private byte[] hex(String s, String what) throws ImaFormatException {
        if (s.length() % 2 != 0 || !s.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f'
                || c >= 'A' && c <= 'F')) {
            throw error(what + " " + quote(s) + " is not hex");
        }
        return HexFormat.of().parseHex(s);
    }

    private static boolean isTemplateHashSize(int n) {
        for (int size : TEMPLATE_HASH_SIZES) {
            if (size == n) {
                return true;
            }
        }
        return false;
    }

    private static byte[] bytes(String iso) {
        return iso.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String quote(String s) {
        String shown = s.length() <= 60 ? s : s.substring(0, 60) + "...";
        return "\"" + shown.replaceAll("[^\\x20-\\x7e]", "?") + "\"";
    }
}
