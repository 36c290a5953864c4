package org.vtpmmigrate.management.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A path such as {@code /v1/vms/{vmId}}: literal segments and named parameters, each parameter one whole
 * segment. The server matches decoded request segments against it; the client expands it with
 * percent-encoded values, so both ends share one definition of every route.
 */
public final class PathTemplate {
    private final String template;
    private final List<String> segments;

    public PathTemplate(String template) {
        if (!template.startsWith("/") || template.endsWith("/") || template.contains("//")) {
            throw new IllegalArgumentException("template '" + template + "' must be /segment/segment...");
        }
        this.template = template;
        this.segments = List.of(template.substring(1).split("/"));
    }

    public String template() {
        return template;
    }

    /** The parameter values if {@code decodedSegments} fit this template. */
    public Optional<Map<String, String>> match(List<String> decodedSegments) {
        if (decodedSegments.size() != segments.size()) {
            return Optional.empty();
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 0; i < segments.size(); i++) {
            String segment = segments.get(i);
            if (isParameter(segment)) {
                parameters.put(segment.substring(1, segment.length() - 1), decodedSegments.get(i));
            } else if (!segment.equals(decodedSegments.get(i))) {
                return Optional.empty();
            }
        }
        return Optional.of(parameters);
    }

    /** The raw path with {@code values} (in template order) percent-encoded into the parameters. */
    public String expand(String... values) {
        StringBuilder path = new StringBuilder();
        int next = 0;
        for (String segment : segments) {
            path.append('/');
            if (isParameter(segment)) {
                if (next >= values.length) {
                    throw new IllegalArgumentException("template " + template + " needs more than " + values.length
                            + " values");
                }
                path.append(encodeSegment(values[next++]));
            } else {
                path.append(segment);
            }
        }
        if (next != values.length) {
            throw new IllegalArgumentException("template " + template + " takes " + next + " values, got "
                    + values.length);
        }
        return path.toString();
    }

    private static boolean isParameter(String segment) {
        return segment.startsWith("{") && segment.endsWith("}");
    }

    /**
     * Splits a raw request path into decoded segments; empty segments (a trailing or double slash) are
     * kept, so such paths match no template.
     *
     * @throws IllegalArgumentException on a path that is not absolute or has bad percent-encoding
     */
    public static List<String> decodeSegments(String rawPath) {
        if (rawPath == null || !rawPath.startsWith("/")) {
            throw new IllegalArgumentException("the path must start with '/'");
        }
        List<String> decoded = new ArrayList<>();
        for (String raw : rawPath.substring(1).split("/", -1)) {
            decoded.add(percentDecode(raw));
        }
        return decoded;
    }

    /** Strict percent-decoding of UTF-8 ('+' stays '+'). */
    public static String percentDecode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length() || Character.digit(raw.charAt(i + 1), 16) < 0
                        || Character.digit(raw.charAt(i + 2), 16) < 0) {
                    throw new IllegalArgumentException("bad percent-encoding at index " + i + " of "
                            + Check.show(raw));
                }
                bytes.write(Character.digit(raw.charAt(i + 1), 16) * 16 + Character.digit(raw.charAt(i + 2), 16));
                i += 2;
            } else if (c < 0x80) {
                bytes.write(c);
            } else {
                byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(utf8, 0, utf8.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("percent-encoded bytes of " + Check.show(raw) + " are not UTF-8");
        }
    }

    /** Percent-encodes everything but RFC 3986 unreserved characters. */
    public static String encodeSegment(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return template;
    }
}
