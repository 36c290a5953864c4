package org.vtpmmigrate.console.model;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the administrator configures: whom to trust, who the console is, and where agents are listed.
 *
 * @param administratorCa the administrator CA certificate: agents must present certificates it issued
 * @param identityCertificate the console's administrator certificate (issued by that CA)
 * @param identityKey the key of that certificate
 * @param ekCaCertificates CA certificates of TPM manufacturers that EK certificates must chain to
 * @param inventoryFile the static inventory ({@code host-id address:port} per line), or empty
 * @param discoveryEnabled whether agents announced by DNS-SD are listed
 * @param addedHosts agents the administrator added by hand
 * @param refreshSeconds how often every agent is contacted again, in seconds; 0 for never
 */
public record ConsoleSettings(Optional<Path> administratorCa, Optional<Path> identityCertificate,
        Optional<Path> identityKey, List<Path> ekCaCertificates, Optional<Path> inventoryFile, boolean discoveryEnabled,
        List<AddedHost> addedHosts, int refreshSeconds) {

    /** Most EK CA files and added hosts kept: a console lists dozens, not thousands. */
    public static final int MAX_ENTRIES = 256;
    /** The refresh interval of a new console. */
    public static final int DEFAULT_REFRESH_SECONDS = 10;
    /** The longest refresh interval accepted: one hour. */
    public static final int MAX_REFRESH_SECONDS = 3600;

    public ConsoleSettings {
        Objects.requireNonNull(administratorCa, "administratorCa");
        Objects.requireNonNull(identityCertificate, "identityCertificate");
        Objects.requireNonNull(identityKey, "identityKey");
        Objects.requireNonNull(inventoryFile, "inventoryFile");
        ekCaCertificates = bounded(ekCaCertificates, "EK CA certificates");
        addedHosts = bounded(addedHosts, "added hosts");
        if (refreshSeconds < 0 || refreshSeconds > MAX_REFRESH_SECONDS) {
            throw new IllegalArgumentException("refresh interval " + refreshSeconds + " s is not 0 (never) to "
                    + MAX_REFRESH_SECONDS + " s");
        }
    }

    /** A host entered by hand: its id and management API address. */
    public record AddedHost(String hostId, URI baseUri) {
        public AddedHost {
            Objects.requireNonNull(hostId, "hostId");
            Objects.requireNonNull(baseUri, "baseUri");
        }
    }

    /** Nothing configured; discovery on, refresh every {@value #DEFAULT_REFRESH_SECONDS} s. */
    public static ConsoleSettings empty() {
        return new ConsoleSettings(Optional.empty(), Optional.empty(), Optional.empty(), List.of(), Optional.empty(),
                true, List.of(), DEFAULT_REFRESH_SECONDS);
    }

    public ConsoleSettings withTrust(Optional<Path> administratorCa, List<Path> ekCaCertificates) {
        return new ConsoleSettings(administratorCa, identityCertificate, identityKey, ekCaCertificates, inventoryFile,
                discoveryEnabled, addedHosts, refreshSeconds);
    }

    public ConsoleSettings withIdentity(Optional<Path> certificate, Optional<Path> key) {
        return new ConsoleSettings(administratorCa, certificate, key, ekCaCertificates, inventoryFile,
                discoveryEnabled, addedHosts, refreshSeconds);
    }

    public ConsoleSettings withHosts(Optional<Path> inventory, boolean discovery) {
        return new ConsoleSettings(administratorCa, identityCertificate, identityKey, ekCaCertificates, inventory,
                discovery, addedHosts, refreshSeconds);
    }

    public ConsoleSettings withAddedHosts(List<AddedHost> hosts) {
        return new ConsoleSettings(administratorCa, identityCertificate, identityKey, ekCaCertificates, inventoryFile,
                discoveryEnabled, hosts, refreshSeconds);
    }

    public ConsoleSettings withRefreshSeconds(int seconds) {
        return new ConsoleSettings(administratorCa, identityCertificate, identityKey, ekCaCertificates, inventoryFile,
                discoveryEnabled, addedHosts, seconds);
    }

    private static <T> List<T> bounded(List<T> list, String what) {
        Objects.requireNonNull(list, what);
        if (list.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException(list.size() + " " + what + ", more than " + MAX_ENTRIES);
        }
        return List.copyOf(list);
    }
}
