package org.vtpmmigrate.attest.policy.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.vtpmmigrate.attest.policy.PolicyFormatException;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

/**
 * A JSON document read strictly (RFC 8259, no duplicate member names, bounded depth and node
 * count) into nodes that remember their line and their path, so a schema check further on can
 * say "line 12: pcrs.7.sha256: ..." about any value.
 */
public final class JsonTree {
    /** Nesting deeper than any schema here needs. */
    static final int MAX_DEPTH = 32;

    private static final Pattern LOCATION = Pattern.compile(" at line (\\d+) column (\\d+)");

    private JsonTree() {
    }

    /** The JSON value kinds. */
    public enum Kind {
        OBJECT, ARRAY, STRING, NUMBER, BOOLEAN, NULL;

        String article() {
            return switch (this) {
                case OBJECT -> "an object";
                case ARRAY -> "an array";
                case STRING -> "a string";
                case NUMBER -> "a number";
                case BOOLEAN -> "true or false";
                case NULL -> "null";
            };
        }
    }

    /** One value with its position; the path is built from the parent chain only when needed. */
    public static final class Node {
        private final Kind kind;
        private final Node parent;
        private final String key;
        private final int arrayIndex;
        private final int line;
        private final int column;
        private final String text;
        private final Map<String, Node> members;
        private final List<Node> elements;
        private final String source;

        private Node(Kind kind, Node parent, String key, int arrayIndex, int line, int column, String text,
                String source) {
            this.kind = kind;
            this.parent = parent;
            this.key = key;
            this.arrayIndex = arrayIndex;
            this.line = line;
            this.column = column;
            this.text = text;
            this.source = source;
            this.members = kind == Kind.OBJECT ? new LinkedHashMap<>() : null;
            this.elements = kind == Kind.ARRAY ? new ArrayList<>() : null;
        }

        public Kind kind() {
            return kind;
        }

        public int line() {
            return line;
        }

        /** The members of an object, in document order. */
        public Map<String, Node> members() {
            return Collections.unmodifiableMap(members);
        }

        /** The elements of an array. */
        public List<Node> elements() {
            return Collections.unmodifiableList(elements);
        }

        /** The text of a string, the literal of a number, "true"/"false" of a boolean. */
        public String text() {
            return text;
        }

        /**
         * The path from the document root, e.g. {@code pcrs.7.sha256[0]}; member names that are not
         * plain words are quoted ({@code ima.allowlist["/usr/bin/bash"]}).
         */
        public String path() {
            if (parent == null) {
                return "(document)";
            }
            StringBuilder sb = new StringBuilder();
            appendPath(sb);
            return sb.toString();
        }

        private void appendPath(StringBuilder sb) {
            if (parent == null) {
                return;
            }
            parent.appendPath(sb);
            if (key != null) {
                if (key.matches("[A-Za-z0-9_-]+")) {
                    if (sb.length() > 0) {
                        sb.append('.');
                    }
                    sb.append(key);
                } else {
                    sb.append("[\"").append(key.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"]");
                }
            } else {
                sb.append('[').append(arrayIndex).append(']');
            }
        }

        /** An error about this value: source, line, path and the problem. */
        public PolicyFormatException error(String problem) {
            return new PolicyFormatException(source, line, column, parent == null ? "" : path(), problem);
        }

        /** Fails unless this value is of {@code expected} kind. */
        public Node expect(Kind expected) throws PolicyFormatException {
            if (kind != expected) {
                throw error("expected " + expected.article() + ", found " + kind.article());
            }
            return this;
        }
    }

    /**
     * Reads one JSON document whose top level is an object.
     *
     * @param source   the name used in messages, e.g. the file name
     * @param maxNodes most values accepted (bounds memory before any schema check runs)
     */
    public static Node parse(String json, String source, int maxNodes) throws PolicyFormatException {
        if (json.isBlank()) {
            throw new PolicyFormatException(source, 0, 0, "", "the document is empty");
        }
        JsonReader reader = new JsonReader(new StringReader(json));
        reader.setStrictness(Strictness.STRICT);
        reader.setNestingLimit(MAX_DEPTH);
        int[] count = {0};
        try {
            if (reader.peek() != JsonToken.BEGIN_OBJECT) {
                int[] at = location(reader.toString());
                throw new PolicyFormatException(source, at[0], at[1], "",
                        "expected a JSON object at the top level, found " + describe(reader.peek()));
            }
            Node root = read(reader, null, null, -1, 0, source, count, maxNodes);
            boolean trailing;
            try {
                trailing = reader.peek() != JsonToken.END_DOCUMENT;
            } catch (IOException e) {
                trailing = true; // a strict reader refuses a second top-level value outright
            }
            if (trailing) {
                int[] at = location(reader.toString());
                throw new PolicyFormatException(source, at[0], at[1], "", "content after the top-level object");
            }
            return root;
        } catch (EOFException e) {
            int[] at = location(e.getMessage());
            throw new PolicyFormatException(source, at[0], at[1], "", "the document ends too early");
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            int[] at = location(e.getMessage());
            throw new PolicyFormatException(source, at[0], at[1], "", "not valid JSON: " + gsonProblem(e.getMessage()));
        }
    }

    private static Node read(JsonReader r, Node parent, String key, int index, int depth, String source, int[] count,
            int maxNodes) throws IOException, PolicyFormatException {
        JsonToken token = r.peek();
        int[] at = location(r.toString());
        if (++count[0] > maxNodes) {
            throw new PolicyFormatException(source, at[0], at[1], "", "more than " + maxNodes
                    + " JSON values; the document is larger than any valid one");
        }
        if (depth > MAX_DEPTH) {
            throw new PolicyFormatException(source, at[0], at[1], "", "nested deeper than " + MAX_DEPTH + " levels");
        }
        switch (token) {
            case BEGIN_OBJECT: {
                Node node = new Node(Kind.OBJECT, parent, key, index, at[0], at[1], null, source);
                r.beginObject();
                while (r.hasNext()) {
                    String name = r.nextName();
                    if (node.members.containsKey(name)) {
                        int[] dup = location(r.toString());
                        throw new PolicyFormatException(source, dup[0], dup[1], node.parent == null ? "" : node.path(),
                                "member \"" + abbreviate(name) + "\" appears twice");
                    }
                    node.members.put(name, read(r, node, name, -1, depth + 1, source, count, maxNodes));
                }
                r.endObject();
                return node;
            }
            case BEGIN_ARRAY: {
                Node node = new Node(Kind.ARRAY, parent, key, index, at[0], at[1], null, source);
                r.beginArray();
                int i = 0;
                while (r.hasNext()) {
                    node.elements.add(read(r, node, null, i++, depth + 1, source, count, maxNodes));
                }
                r.endArray();
                return node;
            }
            case STRING:
                return new Node(Kind.STRING, parent, key, index, at[0], at[1], r.nextString(), source);
            case NUMBER:
                return new Node(Kind.NUMBER, parent, key, index, at[0], at[1], r.nextString(), source);
            case BOOLEAN:
                return new Node(Kind.BOOLEAN, parent, key, index, at[0], at[1], Boolean.toString(r.nextBoolean()),
                        source);
            case NULL:
                r.nextNull();
                return new Node(Kind.NULL, parent, key, index, at[0], at[1], null, source);
            default:
                throw new PolicyFormatException(source, at[0], at[1], "", "unexpected " + describe(token));
        }
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case BEGIN_ARRAY -> "an array";
            case BEGIN_OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case END_DOCUMENT -> "the end of the document";
            default -> t.name();
        };
    }

    /** Line and column from Gson's "... at line L column C ..." text; zeros when absent. */
    static int[] location(String gsonText) {
        if (gsonText != null) {
            Matcher m = LOCATION.matcher(gsonText);
            if (m.find()) {
                try {
                    return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
                } catch (NumberFormatException e) {
                    return new int[] {0, 0};
                }
            }
        }
        return new int[] {0, 0};
    }

    /** Gson's message without location and advice ("Unterminated object", "Expected name"). */
    static String gsonProblem(String message) {
        if (message == null) {
            return "malformed";
        }
        String first = message.lines().findFirst().orElse("malformed");
        int at = first.indexOf(" at line ");
        String problem = at >= 0 ? first.substring(0, at) : first;
        if (problem.startsWith("Use JsonReader.setStrictness")) {
            return "malformed JSON (a comment, an unquoted name or value such as NaN, a single-quoted string or a"
                    + " trailing comma)";
        }
        if (problem.startsWith("Unterminated object") || problem.startsWith("Unterminated array")) {
            return problem + " (a missing comma or closing bracket?)";
        }
        return problem;
    }

    static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }
}
