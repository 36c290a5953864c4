package org.vtpmmigrate.management.internal;

import org.bouncycastle.util.IPAddress;

/** Syntax of host names and IP literals, checked without any name resolution. */
public final class NetworkNames {
    private NetworkNames() {
    }

    /** A DNS name of labels separated by dots, at most 253 characters; no trailing dot, no wildcard. */
    public static boolean isDnsName(String name) {
        if (name == null || name.isEmpty() || name.length() > 253) {
            return false;
        }
        String[] labels = name.split("\\.", -1);
        for (String label : labels) {
            if (!Check.isDnsLabel(label)) {
                return false;
            }
        }
        // An all-numeric last label would read as a malformed IPv4 address.
        return !labels[labels.length - 1].chars().allMatch(Character::isDigit);
    }

    public static boolean isIpv4Literal(String text) {
        return text != null && IPAddress.isValidIPv4(text) && canonicalIpv4(text);
    }

    public static boolean isIpv6Literal(String text) {
        return text != null && IPAddress.isValidIPv6(text);
    }

    public static boolean isIpLiteral(String text) {
        return isIpv4Literal(text) || isIpv6Literal(text);
    }

    /** Leading zeros ("010.0.0.1") are read as octal by some resolvers: refuse them. */
    private static boolean canonicalIpv4(String text) {
        for (String part : text.split("\\.", -1)) {
            if (part.length() > 1 && part.charAt(0) == '0') {
                return false;
            }
        }
        return true;
    }
}
