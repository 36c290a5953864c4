package org.vtpmmigrate.attest;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;

/**
 * The two file forms of {@link PcrValues} used by the CLI and in reports:
 * <ul>
 * <li>JSON: {@code {"banks": {"sha256": {"0": "<hex>", "7": "<hex>"}, "sha1": {...}}}}, banks in
 * {@link HashAlgorithm} order, PCR indices ascending, lowercase hex without prefix;</li>
 * <li>text: one line per PCR, {@code sha256:7=<hex>}, in the same order.</li>
 * </ul>
 * Reading is strict and bounded: unknown banks, indices outside 0..23, values of the wrong
 * length, duplicates and unknown members are refused with {@link FormatException}.
 */
public final class PcrValuesJson {
    /** Largest input accepted by the readers (24 PCRs in 5 banks need about 5 KiB). */
    public static final int MAX_INPUT_CHARS = 1024 * 1024;

    /** Input that is not PCR values in the expected form; says where and what. */
    public static final class FormatException extends Exception {
        private static final long serialVersionUID = 1L;

        public FormatException(String message) {
            super(message);
        }
    }

    private PcrValuesJson() {
    }

    /** The JSON form, indented by two spaces. */
    public static String toJson(PcrValues values) {
        StringWriter out = new StringWriter();
        try (JsonWriter w = new JsonWriter(out)) {
            w.setIndent("  ");
            w.beginObject().name("banks").beginObject();
            for (HashAlgorithm bank : values.banks()) {
                w.name(bank.bankName()).beginObject();
                for (int pcr : values.indices(bank)) {
                    w.name(Integer.toString(pcr)).value(HexFormat.of().formatHex(values.get(bank, pcr).orElseThrow()));
                }
                w.endObject();
            }
            w.endObject().endObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing to a string cannot fail", e);
        }
        return out.toString();
    }

    /** Reads the JSON form. */
    public static PcrValues fromJson(String json) throws FormatException {
        checkSize(json);
        PcrValues.Builder out = PcrValues.builder();
        try (JsonReader r = new JsonReader(new StringReader(json))) {
            r.setStrictness(Strictness.STRICT);
            r.beginObject();
            boolean sawBanks = false;
            while (r.hasNext()) {
                String member = r.nextName();
                if (!member.equals("banks") || sawBanks) {
                    throw new FormatException("unexpected member \"" + member + "\" at " + r.getPath());
                }
                sawBanks = true;
                readBanks(r, out);
            }
            r.endObject();
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw new FormatException("content after the object at " + r.getPath());
            }
            if (!sawBanks) {
                throw new FormatException("missing member \"banks\"");
            }
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new FormatException("not PCR values JSON: " + where(e.getMessage()));
        }
        return out.build();
    }

    /** Gson's messages end with advice and a link; keep the location ("at line 1 column 16 path $"). */
    private static String where(String gsonMessage) {
        String first = gsonMessage == null ? "malformed" : gsonMessage.lines().findFirst().orElse("malformed");
        int at = first.indexOf(" at line ");
        boolean advice = first.startsWith("Use JsonReader.setStrictness");
        return at >= 0 && advice ? "malformed JSON" + first.substring(at) : first;
    }

    private static void readBanks(JsonReader r, PcrValues.Builder out) throws IOException, FormatException {
        r.beginObject();
        Set<String> seenBanks = new HashSet<>();
        while (r.hasNext()) {
            String bankName = r.nextName();
            HashAlgorithm bank = bank(bankName, r.getPath());
            if (!seenBanks.add(bankName)) {
                throw new FormatException("bank " + bankName + " appears twice");
            }
            r.beginObject();
            Set<Integer> seen = new HashSet<>();
            while (r.hasNext()) {
                String index = r.nextName();
                String path = r.getPath();
                int pcr = index(index, path);
                if (!seen.add(pcr)) {
                    throw new FormatException("PCR " + bankName + ":" + pcr + " appears twice");
                }
                if (r.peek() != JsonToken.STRING) {
                    throw new FormatException("value at " + path + " is not a hex string");
                }
                put(out, bank, pcr, r.nextString(), path);
            }
            r.endObject();
        }
        r.endObject();
    }

    /** The text form: {@code bank:index=hex}, one line each, newline-terminated. */
    public static String toText(PcrValues values) {
        StringBuilder sb = new StringBuilder();
        for (HashAlgorithm bank : values.banks()) {
            for (int pcr : values.indices(bank)) {
                sb.append(bank.bankName()).append(':').append(pcr).append('=')
                        .append(HexFormat.of().formatHex(values.get(bank, pcr).orElseThrow())).append('\n');
            }
        }
        return sb.toString();
    }

    /** Reads the text form; blank lines are ignored. */
    public static PcrValues fromText(String text) throws FormatException {
        checkSize(text);
        PcrValues.Builder out = PcrValues.builder();
        Set<String> seen = new HashSet<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = "line " + (i + 1);
            int colon = line.indexOf(':');
            int eq = line.indexOf('=');
            if (colon < 0 || eq < colon) {
                throw new FormatException(where + ": expected bank:index=hex, got \"" + abbreviate(line) + "\"");
            }
            HashAlgorithm bank = bank(line.substring(0, colon), where);
            int pcr = index(line.substring(colon + 1, eq), where);
            if (!seen.add(bank.bankName() + ":" + pcr)) {
                throw new FormatException(where + ": PCR " + bank.bankName() + ":" + pcr + " appears twice");
            }
            put(out, bank, pcr, line.substring(eq + 1), where);
        }
        return out.build();
    }

    private static void checkSize(String input) throws FormatException {
        if (input.length() > MAX_INPUT_CHARS) {
            throw new FormatException("input is " + input.length() + " characters, more than the limit of "
                    + MAX_INPUT_CHARS);
        }
    }

    private static HashAlgorithm bank(String name, String where) throws FormatException {
        Optional<HashAlgorithm> bank = HashAlgorithm.fromBankName(name);
        if (bank.isEmpty() || !bank.get().bankName().equals(name)) {
            throw new FormatException(where + ": unknown bank \"" + abbreviate(name) + "\"");
        }
        return bank.get();
    }

    private static int index(String s, String where) throws FormatException {
        if (s.isEmpty() || s.length() > 2 || !s.chars().allMatch(c -> c >= '0' && c <= '9')
                || s.length() == 2 && s.charAt(0) == '0') {
            throw new FormatException(where + ": PCR index \"" + abbreviate(s) + "\" is not a number 0.."
                    + (PcrValues.PCR_COUNT - 1));
        }
        int pcr = Integer.parseInt(s);
        if (pcr >= PcrValues.PCR_COUNT) {
            throw new FormatException(where + ": PCR index " + pcr + " is outside 0.." + (PcrValues.PCR_COUNT - 1));
        }
        return pcr;
    }

    private static void put(PcrValues.Builder out, HashAlgorithm bank, int pcr, String hex, String where)
            throws FormatException {
        boolean lowercaseHex = hex.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f');
        if (hex.length() != 2 * bank.digestSize() || !lowercaseHex) {
            throw new FormatException(where + ": value of " + bank.bankName() + ":" + pcr + " is not "
                    + bank.digestSize() + " bytes of lowercase hex");
        }
        out.put(bank, pcr, HexFormat.of().parseHex(hex));
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
