package org.vtpmmigrate.audit.internal;

import java.io.IOException;
import java.io.StringReader;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.vtpmmigrate.audit.AuditEvent;
import org.vtpmmigrate.audit.AuditRecord;
import org.vtpmmigrate.audit.ByteCounts;
import org.vtpmmigrate.audit.EventKind;
import org.vtpmmigrate.audit.LogHeader;
import org.vtpmmigrate.audit.MigrationPhase;
import org.vtpmmigrate.audit.PhaseTiming;
import org.vtpmmigrate.audit.PreCopyRound;
import org.vtpmmigrate.audit.Reason;
import org.vtpmmigrate.audit.Role;
import org.vtpmmigrate.audit.Severity;
import org.vtpmmigrate.audit.Verdict;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

/**
 * A record as one JSON line, in exactly one (canonical) form: keys in the order of the format
 * description, no whitespace, integers without sign, fraction or exponent, times as
 * {@code yyyy-MM-ddTHH:mm:ss.SSSZ}, binary values as lower-case hex, and in strings only
 * {@code "} and {@code \} escaped with a backslash and U+0000..U+001F and U+007F as
 * {@code \}{@code u00xx}; everything else is written as UTF-8. Reading is strict and ends by
 * writing the record again and comparing: a line that says the same thing in another way is
 * refused, so every byte of the file is fixed by what it records.
 */
public final class RecordLine {
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC).withResolverStyle(ResolverStyle.STRICT);
    private static final Pattern UNSIGNED = Pattern.compile("0|[1-9][0-9]{0,18}");
    private static final Pattern LOWER_HEX = Pattern.compile("([0-9a-f]{2})*");
    private static final HexFormat HEX = HexFormat.of();
    private static final Pattern WRITTEN_SEQUENCE = Pattern.compile("\\{\"seq\":(0|[1-9][0-9]{0,17})[,}]");

    /** A parsed line: the record and the check values stored with it. */
    public record Parsed(AuditRecord record, byte[] checks) {
    }

    private record Span(String key, int start) {
    }

    private RecordLine() {
    }

    /** The canonical line (without the newline). */
    public static String write(AuditRecord r, byte[] checks) {
        return new Writer(r, checks).line.toString();
    }

    /** The top-level key whose member contains character {@code index} of the canonical line. */
    static String keyAt(AuditRecord r, byte[] checks, int index) {
        String key = "";
        for (Span s : new Writer(r, checks).spans) {
            if (s.start <= index) {
                key = s.key;
            }
        }
        return key;
    }

    /**
     * The sequence number at the start of a line that may not parse as a whole, or -1: tells
     * which record a broken line was.
     */
    public static long writtenSequence(String line) {
        Matcher m = WRITTEN_SEQUENCE.matcher(line);
        return m.lookingAt() ? Long.parseLong(m.group(1)) : -1;
    }

    /** Formats a time the way the log writes it. */
    public static String formatTime(Instant t) {
        return TIME.format(t);
    }

    // ------------------------------------------------------------------ writing

    private static final class Writer {
        final StringBuilder line = new StringBuilder(1024);
        final List<Span> spans = new ArrayList<>();

        Writer(AuditRecord r, byte[] checks) {
            AuditEvent e = r.event();
            line.append('{');
            member("seq").append(r.sequence());
            stringMember("time", formatTime(r.time()));
            stringMember("host", r.hostId());
            stringMember("kind", e.kind().name());
            e.migrationId().ifPresent(v -> stringMember("migration", v));
            e.vmId().ifPresent(v -> stringMember("vm", v));
            e.peerHost().ifPresent(v -> stringMember("peer", v));
            e.role().ifPresent(v -> stringMember("role", v.name()));
            if (!e.phases().isEmpty()) {
                member("phases").append('[');
                for (int i = 0; i < e.phases().size(); i++) {
                    PhaseTiming p = e.phases().get(i);
                    line.append(i == 0 ? "{" : ",{").append("\"phase\":");
                    string(p.phase().name());
                    line.append(",\"start\":");
                    string(formatTime(p.start()));
                    line.append(",\"ms\":").append(p.durationMillis()).append('}');
                }
                line.append(']');
            }
            e.bytes().ifPresent(b -> member("bytes").append("{\"vmStream\":").append(b.vmStream())
                    .append(",\"vtpmState\":").append(b.vtpmState()).append(",\"onWire\":").append(b.onWire())
                    .append('}'));
            if (!e.preCopyRounds().isEmpty()) {
                member("rounds").append('[');
                for (int i = 0; i < e.preCopyRounds().size(); i++) {
                    PreCopyRound p = e.preCopyRounds().get(i);
                    line.append(i == 0 ? "{" : ",{").append("\"round\":").append(p.round()).append(",\"bytes\":")
                            .append(p.bytes()).append(",\"ms\":").append(p.durationMillis()).append('}');
                }
                line.append(']');
            }
            e.verdict().ifPresent(v -> stringMember("verdict", v.name()));
            if (!e.reasons().isEmpty()) {
                member("reasons").append('[');
                for (int i = 0; i < e.reasons().size(); i++) {
                    Reason x = e.reasons().get(i);
                    line.append(i == 0 ? "{" : ",{").append("\"severity\":");
                    string(x.severity().name());
                    line.append(",\"category\":");
                    string(x.category());
                    line.append(",\"subject\":");
                    string(x.subject());
                    line.append(",\"expected\":");
                    string(x.expected());
                    line.append(",\"actual\":");
                    string(x.actual());
                    line.append(",\"message\":");
                    string(x.message());
                    line.append('}');
                }
                line.append(']');
            }
            if (!e.details().isEmpty()) {
                member("details").append('{');
                boolean first = true;
                for (Map.Entry<String, String> d : e.details().entrySet()) {
                    line.append(first ? "" : ",");
                    first = false;
                    string(d.getKey());
                    line.append(':');
                    string(d.getValue());
                }
                line.append('}');
            }
            r.header().ifPresent(h -> {
                stringMember("akPublic", HEX.formatHex(h.akPublicArea()));
                stringMember("akName", HEX.formatHex(h.akName()));
                if (h.ekCertificate().length > 0) {
                    stringMember("ekCert", HEX.formatHex(h.ekCertificate()));
                }
            });
            stringMember("prev", HEX.formatHex(r.previousHash()));
            stringMember("hash", HEX.formatHex(r.recordHash()));
            stringMember("check", HEX.formatHex(checks));
            stringMember("sig", HEX.formatHex(r.signature()));
            line.append('}');
        }

        StringBuilder member(String key) {
            if (!spans.isEmpty()) {
                line.append(',');
            }
            spans.add(new Span(key, line.length()));
            return line.append('"').append(key).append("\":");
        }

        void stringMember(String key, String value) {
            member(key);
            string(value);
        }

        void string(String s) {
            line.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '"' || c == '\\') {
                    line.append('\\').append(c);
                } else if (c < 0x20 || c == 0x7f) {
                    line.append(String.format("\\u%04x", (int) c));
                } else {
                    line.append(c);
                }
            }
            line.append('"');
        }
    }

    // ------------------------------------------------------------------ reading

    /**
     * Parses one line (without its newline).
     *
     * @throws LineFormatException naming the field when the line is not a record in canonical form
     */
    public static Parsed parse(String line) throws LineFormatException {
        JsonReader in = new JsonReader(new StringReader(line));
        in.setStrictness(Strictness.STRICT);
        Parsed parsed;
        try {
            parsed = read(in);
        } catch (InvalidFieldException e) {
            throw new LineFormatException(topLevel(e.field()), e.getMessage());
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new LineFormatException(topLevel(pathKey(in.getPath())), "not valid JSON: " + gsonMessage(e));
        }
        String canonical = write(parsed.record, parsed.checks);
        if (!canonical.equals(line)) {
            int i = 0;
            while (i < canonical.length() && i < line.length() && canonical.charAt(i) == line.charAt(i)) {
                i++;
            }
            throw new LineFormatException(keyAt(parsed.record, parsed.checks, i), "not in canonical form at character "
                    + (i + 1) + ": expected " + excerpt(canonical, i) + ", found " + excerpt(line, i));
        }
        return parsed;
    }

    private static Parsed read(JsonReader in) throws IOException, LineFormatException {
        Set<String> seen = new HashSet<>();
        Long seq = null;
        Instant time = null;
        String host = null;
        EventKind kind = null;
        byte[] akPublic = null;
        byte[] akName = null;
        byte[] ekCert = null;
        byte[] prev = null;
        byte[] hash = null;
        byte[] checks = null;
        byte[] sig = null;
        List<Runnable> eventFields = new ArrayList<>();
        AuditEvent.Builder[] builder = new AuditEvent.Builder[1];
        in.beginObject();
        while (in.hasNext()) {
            String key = in.nextName();
            if (!seen.add(key)) {
                throw new LineFormatException(key, "appears twice");
            }
            switch (key) {
                case "seq" -> seq = unsigned(in, key);
                case "time" -> time = time(in, key);
                case "host" -> host = string(in, key);
                case "kind" -> kind = enumValue(in, key, EventKind.class);
                case "migration" -> {
                    String v = string(in, key);
                    eventFields.add(() -> builder[0].migration(v));
                }
                case "vm" -> {
                    String v = string(in, key);
                    eventFields.add(() -> builder[0].vm(v));
                }
                case "peer" -> {
                    String v = string(in, key);
                    eventFields.add(() -> builder[0].peer(v));
                }
                case "role" -> {
                    Role v = enumValue(in, key, Role.class);
                    eventFields.add(() -> builder[0].role(v));
                }
                case "phases" -> {
                    List<PhaseTiming> v = phases(in);
                    eventFields.add(() -> v.forEach(builder[0]::phase));
                }
                case "bytes" -> {
                    ByteCounts v = byteCounts(in);
                    eventFields.add(() -> builder[0].bytes(v));
                }
                case "rounds" -> {
                    List<PreCopyRound> v = rounds(in);
                    eventFields.add(() -> v.forEach(builder[0]::preCopyRound));
                }
                case "verdict" -> {
                    Verdict v = enumValue(in, key, Verdict.class);
                    eventFields.add(() -> builder[0].verdict(v));
                }
                case "reasons" -> {
                    List<Reason> v = reasons(in);
                    eventFields.add(() -> builder[0].reasons(v));
                }
                case "details" -> {
                    Map<String, String> v = details(in);
                    eventFields.add(() -> v.forEach(builder[0]::detail));
                }
                case "akPublic" -> akPublic = hex(in, key);
                case "akName" -> akName = hex(in, key);
                case "ekCert" -> ekCert = hex(in, key);
                case "prev" -> prev = hex(in, key);
                case "hash" -> hash = hex(in, key);
                case "check" -> checks = hex(in, key);
                case "sig" -> sig = hex(in, key);
                default -> throw new LineFormatException(key, "unknown field");
            }
        }
        in.endObject();
        if (in.peek() != JsonToken.END_DOCUMENT) {
            throw new LineFormatException("", "data after the record's closing brace");
        }
        for (String required : List.of("seq", "time", "host", "kind", "prev", "hash", "check", "sig")) {
            if (!seen.contains(required)) {
                throw new LineFormatException(required, "missing");
            }
        }
        if (checks.length != RecordEncoding.CHECKS_LENGTH) {
            throw new LineFormatException("check", "has " + checks.length + " bytes, expected "
                    + RecordEncoding.CHECKS_LENGTH);
        }
        builder[0] = AuditEvent.builder(kind);
        eventFields.forEach(Runnable::run);
        AuditEvent event = builder[0].build();
        LogHeader header = akPublic == null && akName == null && ekCert == null ? null
                : new LogHeader(akPublic, akName, ekCert == null ? new byte[0] : ekCert);
        if (ekCert != null && ekCert.length == 0) {
            throw new LineFormatException("ekCert", "is empty; a log without an EK certificate leaves the field out");
        }
        return new Parsed(new AuditRecord(seq, time, host, event, header, prev, hash, sig), checks);
    }

    private static List<PhaseTiming> phases(JsonReader in) throws IOException, LineFormatException {
        List<PhaseTiming> out = new ArrayList<>();
        in.beginArray();
        while (in.hasNext()) {
            Map<String, Object> m = object(in, "phases", Set.of("phase", "start", "ms"), key -> switch (key) {
                case "phase" -> enumValue(in, "phases", MigrationPhase.class);
                case "start" -> time(in, "phases");
                default -> unsigned(in, "phases");
            });
            out.add(new PhaseTiming((MigrationPhase) m.get("phase"), (Instant) m.get("start"), (Long) m.get("ms")));
        }
        in.endArray();
        return out;
    }

    private static ByteCounts byteCounts(JsonReader in) throws IOException, LineFormatException {
        Map<String, Object> m = object(in, "bytes", Set.of("vmStream", "vtpmState", "onWire"), key -> unsigned(in, "bytes"));
        return new ByteCounts((Long) m.get("vmStream"), (Long) m.get("vtpmState"), (Long) m.get("onWire"));
    }

    private static List<PreCopyRound> rounds(JsonReader in) throws IOException, LineFormatException {
        List<PreCopyRound> out = new ArrayList<>();
        in.beginArray();
        while (in.hasNext()) {
            Map<String, Object> m = object(in, "rounds", Set.of("round", "bytes", "ms"), key -> unsigned(in, "rounds"));
            long round = (Long) m.get("round");
            if (round > Integer.MAX_VALUE) {
                throw new LineFormatException("rounds", "round number " + round + " is too large");
            }
            out.add(new PreCopyRound((int) round, (Long) m.get("bytes"), (Long) m.get("ms")));
        }
        in.endArray();
        return out;
    }

    private static List<Reason> reasons(JsonReader in) throws IOException, LineFormatException {
        List<Reason> out = new ArrayList<>();
        in.beginArray();
        while (in.hasNext()) {
            Map<String, Object> m = object(in, "reasons",
                    Set.of("severity", "category", "subject", "expected", "actual", "message"),
                    key -> key.equals("severity") ? enumValue(in, "reasons", Severity.class) : string(in, "reasons"));
            out.add(new Reason((Severity) m.get("severity"), (String) m.get("category"), (String) m.get("subject"),
                    (String) m.get("expected"), (String) m.get("actual"), (String) m.get("message")));
        }
        in.endArray();
        return out;
    }

    private static Map<String, String> details(JsonReader in) throws IOException, LineFormatException {
        Map<String, String> out = new TreeMap<>();
        in.beginObject();
        while (in.hasNext()) {
            String key = in.nextName();
            if (out.put(key, string(in, "details")) != null) {
                throw new LineFormatException("details", "key '" + key + "' appears twice");
            }
        }
        in.endObject();
        return out;
    }

    @FunctionalInterface
    private interface ValueReader {
        Object read(String key) throws IOException, LineFormatException;
    }

    /** Reads an object with exactly the given keys. */
    private static Map<String, Object> object(JsonReader in, String field, Set<String> keys, ValueReader values)
            throws IOException, LineFormatException {
        Map<String, Object> m = new TreeMap<>();
        in.beginObject();
        while (in.hasNext()) {
            String key = in.nextName();
            if (!keys.contains(key)) {
                throw new LineFormatException(field, "unknown key '" + key + "'");
            }
            if (m.put(key, values.read(key)) != null) {
                throw new LineFormatException(field, "key '" + key + "' appears twice");
            }
        }
        in.endObject();
        if (m.size() != keys.size()) {
            Set<String> missing = new java.util.TreeSet<>(keys);
            missing.removeAll(m.keySet());
            throw new LineFormatException(field, "an entry lacks " + missing);
        }
        return m;
    }

    private static long unsigned(JsonReader in, String field) throws IOException, LineFormatException {
        expect(in, JsonToken.NUMBER, field);
        String text = in.nextString();
        if (!UNSIGNED.matcher(text).matches()) {
            throw new LineFormatException(field, "'" + text + "' is not an unsigned integer without sign, fraction or exponent");
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new LineFormatException(field, text + " is too large");
        }
    }

    private static String string(JsonReader in, String field) throws IOException, LineFormatException {
        expect(in, JsonToken.STRING, field);
        return in.nextString();
    }

    private static Instant time(JsonReader in, String field) throws IOException, LineFormatException {
        String text = string(in, field);
        try {
            return TIME.parse(text, Instant::from);
        } catch (DateTimeParseException e) {
            throw new LineFormatException(field, excerpt(text, 0) + " is not a time of the form 2025-01-31T23:59:59.999Z");
        }
    }

    private static byte[] hex(JsonReader in, String field) throws IOException, LineFormatException {
        String text = string(in, field);
        if (!LOWER_HEX.matcher(text).matches()) {
            throw new LineFormatException(field, "is not lower-case hex with an even number of digits");
        }
        return HEX.parseHex(text);
    }

    private static <E extends Enum<E>> E enumValue(JsonReader in, String field, Class<E> type)
            throws IOException, LineFormatException {
        String text = string(in, field);
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(text)) {
                return e;
            }
        }
        throw new LineFormatException(field, "unknown value " + excerpt(text, 0) + "; expected one of "
                + Arrays.toString(type.getEnumConstants()));
    }

    private static void expect(JsonReader in, JsonToken token, String field) throws IOException, LineFormatException {
        JsonToken found = in.peek();
        if (found != token) {
            throw new LineFormatException(field, "expected a " + token.name().toLowerCase() + ", found "
                    + found.name().toLowerCase() + " at " + in.getPath());
        }
    }

    /** "$.reasons[0].message" becomes "reasons". */
    private static String pathKey(String path) {
        String p = path.startsWith("$.") ? path.substring(2) : "";
        int end = 0;
        while (end < p.length() && p.charAt(end) != '.' && p.charAt(end) != '[') {
            end++;
        }
        return p.substring(0, end);
    }

    /** Nested names from field checks ("reasons.message", "phases.ATTESTATION.start") belong to their top-level key. */
    private static String topLevel(String field) {
        int dot = field.indexOf('.');
        int bracket = field.indexOf('[');
        int end = dot < 0 ? bracket : bracket < 0 ? dot : Math.min(dot, bracket);
        return end < 0 ? field : field.substring(0, end);
    }

    /** Gson's message without its pointer to the troubleshooting guide. */
    private static String gsonMessage(Exception e) {
        String m = String.valueOf(e.getMessage());
        int see = m.indexOf("\nSee ");
        return see < 0 ? m : m.substring(0, see);
    }

    /** Up to 24 characters from {@code at}, quoted, with control characters shown as escapes. */
    static String excerpt(String s, int at) {
        if (at >= s.length()) {
            return "end of line";
        }
        String part = s.substring(at, Math.min(s.length(), at + 24));
        StringBuilder b = new StringBuilder("'");
        part.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.append(at + 24 < s.length() ? "…'" : "'").toString();
    }
}
