package org.vtpmmigrate.protocol.wire;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/** Field checks shared by the message constructors; each failure names the field. */
final class Require {
    /** Identifiers end up in logs, file names and the console: printable ASCII without spaces. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@+/-]*");

    private Require() {
    }

    static Bytes length(String field, Bytes value, int exact) {
        Objects.requireNonNull(value, field);
        if (value.length() != exact) {
            throw new IllegalArgumentException(field + ": expected " + exact + " bytes, got " + value.length());
        }
        return value;
    }

    static Bytes length(String field, Bytes value, int min, int max) {
        Objects.requireNonNull(value, field);
        if (value.length() < min || value.length() > max) {
            throw new IllegalArgumentException(field + ": " + value.length() + " bytes, allowed " + min + ".." + max);
        }
        return value;
    }

    static String name(String field, String value) {
        Objects.requireNonNull(value, field);
        if (value.isEmpty() || value.length() > Limits.MAX_NAME_LENGTH || !NAME.matcher(value).matches()) {
            String shown = value.length() > 60 ? value.substring(0, 60) + "..." : value;
            throw new IllegalArgumentException(field + ": '" + printable(shown) + "' is not a name of 1.."
                    + Limits.MAX_NAME_LENGTH + " characters [A-Za-z0-9._:@+/-] starting with a letter or digit");
        }
        return value;
    }

    static int u16(String field, int value) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException(field + ": " + value + " is outside 0..65535");
        }
        return value;
    }

    static int algorithm(String field, int value) {
        if (value <= 0 || value > 0xFFFF) {
            throw new IllegalArgumentException(field + ": hash algorithm id " + value + " is outside 1..65535");
        }
        return value;
    }

    static long nonNegative(String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(field + ": " + value + " is negative");
        }
        return value;
    }

    static <T> List<T> list(String field, List<T> value, int min, int max) {
        Objects.requireNonNull(value, field);
        if (value.size() < min || value.size() > max) {
            throw new IllegalArgumentException(field + ": " + value.size() + " entries, allowed " + min + ".." + max);
        }
        for (T t : value) {
            Objects.requireNonNull(t, field + " entry");
        }
        return List.copyOf(value);
    }

    static List<Integer> suiteIds(String field, List<Integer> value) {
        List<Integer> ids = list(field, value, 1, Limits.MAX_OFFERED_SUITES);
        Set<Integer> seen = new HashSet<>();
        for (int id : ids) {
            if (id <= 0 || id > 0xFFFF) {
                throw new IllegalArgumentException(field + ": cipher suite id " + id + " is outside 1..65535");
            }
            if (!seen.add(id)) {
                throw new IllegalArgumentException(field + ": cipher suite " + MessageType.hex(id) + " listed twice");
            }
        }
        return ids;
    }

    /** Replaces control characters so a peer-supplied string cannot forge log lines. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b.toString();
    }
}
