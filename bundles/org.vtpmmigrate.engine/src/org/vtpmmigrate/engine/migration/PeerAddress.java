package org.vtpmmigrate.engine.migration;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a peer engine listens for migrations and enrolment: host name or IP literal, and TCP port.
 *
 * @param host a DNS name or an IPv4/IPv6 literal (IPv6 without brackets)
 * @param port 1..65535
 */
public record PeerAddress(String host, int port) {
    private static final String LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    private static final Pattern HOST_NAME = Pattern.compile("(?=.{1,253}$)" + LABEL + "(\\." + LABEL + ")*");
    private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    public PeerAddress {
        Objects.requireNonNull(host, "host");
        boolean ipv6 = host.contains(":");
        if (ipv6 ? !IPV6_LITERAL.matcher(host).matches() : !HOST_NAME.matcher(host).matches()) {
            throw new IllegalArgumentException("peer host '" + host + "' is not a host name or IP address");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("peer port " + port + " is outside 1..65535");
        }
    }

    /**
     * Parses {@code HOST:PORT} ({@code [V6]:PORT} for IPv6 literals).
     *
     * @throws IllegalArgumentException saying which part is wrong
     */
    public static PeerAddress parse(String text) {
        Objects.requireNonNull(text, "text");
        String trimmed = text.strip();
        if (trimmed.length() > 300) {
            throw new IllegalArgumentException("peer address is longer than 300 characters");
        }
        int colon = trimmed.lastIndexOf(':');
        if (colon <= 0 || colon == trimmed.length() - 1) {
            throw new IllegalArgumentException("peer address '" + trimmed + "': expected HOST:PORT");
        }
        String host = trimmed.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("peer address '" + trimmed
                    + "': write an IPv6 address in brackets, as in [::1]:7710");
        }
        String port = trimmed.substring(colon + 1);
        if (!port.matches("[0-9]{1,5}")) {
            throw new IllegalArgumentException("peer address '" + trimmed + "': port '" + port + "' is not a number");
        }
        return new PeerAddress(host, Integer.parseInt(port));
    }

    /** {@code HOST:PORT}, IPv6 literals in brackets. */
    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
