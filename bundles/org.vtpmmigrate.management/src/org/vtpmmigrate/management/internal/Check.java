package org.vtpmmigrate.management.internal;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Field checks for the management DTOs. Every DTO validates itself in its constructor through these,
 * so a value that arrives over the network and a value that the engine fills in pass the same rules;
 * each failure is an {@link InvalidFieldException} naming the field.
 */
public final class Check {
    /** Ids of hosts, VMs, policies and migrations: safe in a URL path segment, a file name and a log. */
    public static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    /** Enumerated values travel as upper-case tokens; unknown tokens are kept for forward compatibility. */
    private static final Pattern TOKEN = Pattern.compile("[A-Z][A-Z0-9_]{0,47}");
    private static final Pattern LOWER_HEX = Pattern.compile("([0-9a-f]{2})+");
    private static final Pattern DNS_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final int SHOWN_CHARACTERS = 64;

    /** Longest free text (messages, reasons, summaries) a DTO accepts. */
    public static final int MAX_TEXT = 4096;
    /** Longest short label (versions, descriptions, names). */
    public static final int MAX_LABEL = 256;

    private Check() {
    }

    public static <T> T required(String field, T value) {
        if (value == null) {
            throw new InvalidFieldException(field, "is required");
        }
        return value;
    }

    public static String identifier(String field, String value) {
        required(field, value);
        if (!IDENTIFIER.matcher(value).matches()) {
            throw new InvalidFieldException(field, show(value) + " is not an id of 1..128 characters [A-Za-z0-9._-]"
                    + " starting with a letter or digit");
        }
        return value;
    }

    public static String optionalIdentifier(String field, String value) {
        return value == null ? null : identifier(field, value);
    }

    /** An upper-case enumeration token such as {@code TRANSFER}. */
    public static String token(String field, String value) {
        required(field, value);
        if (!TOKEN.matcher(value).matches()) {
            throw new InvalidFieldException(field, show(value) + " is not an upper-case token [A-Z][A-Z0-9_]*");
        }
        return value;
    }

    /** Printable text of 1..maxLength characters; line breaks and tabs allowed, other control characters not. */
    public static String text(String field, String value, int maxLength) {
        required(field, value);
        if (value.isEmpty()) {
            throw new InvalidFieldException(field, "must not be empty");
        }
        if (value.length() > maxLength) {
            throw new InvalidFieldException(field, value.length() + " characters, at most " + maxLength + " allowed");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) && c != '\n' && c != '\t' && c != '\r') {
                throw new InvalidFieldException(field, String.format(Locale.ROOT,
                        "control character U+%04X at index %d", (int) c, i));
            }
        }
        return value;
    }

    public static String optionalText(String field, String value, int maxLength) {
        return value == null ? null : text(field, value, maxLength);
    }

    /** Standard base64 (RFC 4648, with padding) of arbitrary bytes, possibly empty. */
    public static String base64(String field, String value) {
        required(field, value);
        try {
            Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidFieldException(field, "is not standard base64 (" + e.getMessage() + ")");
        }
        return value;
    }

    public static String optionalBase64(String field, String value) {
        return value == null ? null : base64(field, value);
    }

    /** Base64 whose decoded length lies in min..max bytes (nonces). */
    public static String base64(String field, String value, int minBytes, int maxBytes) {
        base64(field, value);
        int length = Base64.getDecoder().decode(value).length;
        if (length < minBytes || length > maxBytes) {
            throw new InvalidFieldException(field, "decodes to " + length + " bytes, allowed " + minBytes + ".."
                    + maxBytes);
        }
        return value;
    }

    /** Lower-case hex of min..max bytes (digests, TPM names). */
    public static String hex(String field, String value, int minBytes, int maxBytes) {
        required(field, value);
        if (value.length() > 2 * maxBytes + 2 || !LOWER_HEX.matcher(value).matches()) {
            throw new InvalidFieldException(field, show(value) + " is not lower-case hex of " + minBytes + ".."
                    + maxBytes + " bytes");
        }
        int bytes = value.length() / 2;
        if (bytes < minBytes || bytes > maxBytes) {
            throw new InvalidFieldException(field, bytes + " bytes of hex, allowed " + minBytes + ".." + maxBytes);
        }
        return value;
    }

    public static String optionalHex(String field, String value, int minBytes, int maxBytes) {
        return value == null ? null : hex(field, value, minBytes, maxBytes);
    }

    /** A SHA-256 digest in lower-case hex (64 characters). */
    public static String sha256Hex(String field, String value) {
        return hex(field, value, 32, 32);
    }

    /** The digest size of a TPM PCR bank name, or an error naming the field. */
    public static int digestSize(String field, String bank) {
        required(field, bank);
        switch (bank) {
            case "sha1":
                return 20;
            case "sha256":
            case "sm3_256":
                return 32;
            case "sha384":
                return 48;
            case "sha512":
                return 64;
            default:
                throw new InvalidFieldException(field, show(bank)
                        + " is not a PCR bank (sha1, sha256, sha384, sha512, sm3_256)");
        }
    }

    public static long nonNegative(String field, long value) {
        if (value < 0) {
            throw new InvalidFieldException(field, value + " is negative");
        }
        return value;
    }

    /** A count or size that is either -1 (unknown) or non-negative. */
    public static long nonNegativeOrUnknown(String field, long value) {
        if (value < -1) {
            throw new InvalidFieldException(field, value + " is neither -1 (unknown) nor non-negative");
        }
        return value;
    }

    public static int range(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new InvalidFieldException(field, value + " is outside " + min + ".." + max);
        }
        return value;
    }

    /** A non-null list of min..max non-null entries, copied unmodifiable. */
    public static <T> List<T> list(String field, List<T> value, int min, int max) {
        required(field, value);
        if (value.size() < min || value.size() > max) {
            throw new InvalidFieldException(field, value.size() + " entries, allowed " + min + ".." + max);
        }
        List<T> copy = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            T entry = value.get(i);
            if (entry == null) {
                throw new InvalidFieldException(field, "entry " + i + " is null");
            }
            copy.add(entry);
        }
        return List.copyOf(copy);
    }

    /** A list whose entries must all be different. */
    public static <T> List<T> distinct(String field, List<T> value, int min, int max) {
        List<T> copy = list(field, value, min, max);
        Set<T> seen = new HashSet<>();
        for (int i = 0; i < copy.size(); i++) {
            if (!seen.add(copy.get(i))) {
                throw new InvalidFieldException(field, "entry " + i + " (" + copy.get(i) + ") appears twice");
            }
        }
        return copy;
    }

    /**
     * A network address {@code host:port} where host is a DNS name, an IPv4 literal or a bracketed IPv6
     * literal; nothing is resolved here.
     */
    public static String hostAndPort(String field, String value) {
        required(field, value);
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1 || value.length() > 300) {
            throw new InvalidFieldException(field, show(value) + " is not host:port");
        }
        String host = value.substring(0, colon);
        String port = value.substring(colon + 1);
        int portNumber;
        try {
            portNumber = port.chars().allMatch(Character::isDigit) && port.length() <= 5 ? Integer.parseInt(port) : -1;
        } catch (NumberFormatException e) {
            portNumber = -1;
        }
        if (portNumber < 1 || portNumber > 65535) {
            throw new InvalidFieldException(field, "port " + show(port) + " is not a number in 1..65535");
        }
        boolean validHost;
        if (host.startsWith("[") && host.endsWith("]")) {
            validHost = NetworkNames.isIpv6Literal(host.substring(1, host.length() - 1));
        } else {
            validHost = NetworkNames.isIpv4Literal(host) || NetworkNames.isDnsName(host);
        }
        if (!validHost) {
            throw new InvalidFieldException(field, "host " + show(host)
                    + " is neither a DNS name, an IPv4 address nor a bracketed IPv6 address");
        }
        return value;
    }

    /**
     * Text made fit for {@link #text}: control characters other than line breaks and tabs escaped,
     * cut to {@code maxLength} characters; empty text becomes "-".
     */
    public static String printable(String value, int maxLength) {
        if (value == null || value.isEmpty()) {
            return "-";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length() && out.length() <= maxLength; i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) && c != '\n' && c != '\t' && c != '\r') {
                out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (out.length() <= maxLength) {
            return out.toString();
        }
        String suffix = "...";
        out.setLength(maxLength - suffix.length());
        return out.append(suffix).toString();
    }

    /** A value quoted for an error message: shortened, with control characters escaped. */
    public static String show(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("'");
        int shown = Math.min(value.length(), SHOWN_CHARACTERS);
        for (int i = 0; i < shown; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && Character.isISOControl(c))) {
                out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('\'');
        if (value.length() > shown) {
            out.append("... (").append(value.length()).append(" characters)");
        }
        return out.toString();
    }

    /** DNS label syntax (letters, digits, inner hyphens; 1..63 characters). */
    static boolean isDnsLabel(String label) {
        return DNS_LABEL.matcher(label).matches();
    }
}
