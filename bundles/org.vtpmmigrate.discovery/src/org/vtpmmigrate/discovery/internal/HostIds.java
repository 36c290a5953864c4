package org.vtpmmigrate.discovery.internal;

import java.util.regex.Pattern;

/** The one definition of a valid host id, shared by the inventory and DNS-SD. */
public final class HostIds {
    /** Also a valid DNS-SD instance name and DNS label: at most 63 bytes, ASCII only. */
    public static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    /** How an invalid host id is described in error messages. */
    public static final String RULE = "1-63 letters, digits, '.', '_' or '-', starting with a letter or digit";

    private HostIds() {
    }

    public static boolean isValid(String hostId) {
        return hostId != null && PATTERN.matcher(hostId).matches();
    }
}
