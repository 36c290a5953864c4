package org.vtpmmigrate.tpm;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a TPM is reached, written as a short specification:
 * <ul>
 * <li>{@code swtpm:HOST:PORT}: an swtpm TCP server port that takes raw TPM commands, for example
 * {@code swtpm:127.0.0.1:2321} ({@code swtpm:[::1]:2321} for IPv6 literals);</li>
 * <li>{@code device:PATH}: a Linux TPM character device, for example {@code device:/dev/tpmrm0};
 * {@code device} alone means {@value #DEFAULT_DEVICE}.</li>
 * </ul>
 * {@link #toString()} gives back the specification.
 */
public final class TpmEndpoint {

    /** The kernel resource-managed TPM device. */
    public static final String DEFAULT_DEVICE = "/dev/tpmrm0";

    private static final int MAX_SPEC_LENGTH = 1024;
    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

    /** How the TPM is reached. */
    public enum Transport {
        /** swtpm's TCP server port (raw TPM command bytes, no framing). */
        SWTPM,
        /** A TPM character device such as /dev/tpmrm0 or /dev/tpm0. */
        DEVICE
    }

    private final Transport transport;
    private final String host;
    private final int port;
    private final Path devicePath;

    private TpmEndpoint(Transport transport, String host, int port, Path devicePath) {
        this.transport = transport;
        this.host = host;
        this.port = port;
        this.devicePath = devicePath;
    }

    /**
     * Parses an endpoint specification.
     *
     * @throws IllegalArgumentException saying which part is wrong and what is expected
     */
    public static TpmEndpoint parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        if (spec.length() > MAX_SPEC_LENGTH) {
            throw new IllegalArgumentException("TPM endpoint specification is longer than " + MAX_SPEC_LENGTH
                    + " characters");
        }
        String trimmed = spec.strip();
        if (trimmed.equals("device")) {
            return device(Path.of(DEFAULT_DEVICE));
        }
        if (trimmed.startsWith("device:")) {
            String path = trimmed.substring("device:".length());
            try {
                return device(Path.of(path));
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("TPM endpoint '" + spec + "': invalid device path: " + e.getMessage(),
                        e);
            }
        }
        if (trimmed.startsWith("swtpm:")) {
            String address = trimmed.substring("swtpm:".length());
            int colon = address.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("TPM endpoint '" + spec + "': expected swtpm:HOST:PORT");
            }
            String hostPart = address.substring(0, colon);
            String portPart = address.substring(colon + 1);
            if (hostPart.startsWith("[") && hostPart.endsWith("]")) {
                hostPart = hostPart.substring(1, hostPart.length() - 1);
            } else if (hostPart.contains(":")) {
                throw new IllegalArgumentException("TPM endpoint '" + spec
                        + "': an IPv6 address must be written in brackets, as in swtpm:[::1]:2321");
            }
            if (!PORT.matcher(portPart).matches()) {
                throw new IllegalArgumentException("TPM endpoint '" + spec + "': port '" + portPart
                        + "' is not a number from 1 to 65535");
            }
            return swtpm(hostPart, Integer.parseInt(portPart));
        }
        throw new IllegalArgumentException("TPM endpoint '" + spec
                + "': expected swtpm:HOST:PORT, device:PATH or device");
    }

    /**
     * An swtpm TCP server endpoint.
     *
     * @throws IllegalArgumentException if the host is not a host name or IP literal, or the port is
     *         outside 1..65535
     */
    public static TpmEndpoint swtpm(String host, int port) {
        Objects.requireNonNull(host, "host");
        boolean ipv6 = host.contains(":");
        if (ipv6 ? !IPV6_LITERAL.matcher(host).matches() : !HOST_NAME.matcher(host).matches()) {
            throw new IllegalArgumentException("swtpm host '" + host + "' is not a valid host name or IP address");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("swtpm port " + port + " is outside 1..65535");
        }
        return new TpmEndpoint(Transport.SWTPM, host, port, null);
    }

    /**
     * A TPM character device endpoint.
     *
     * @throws IllegalArgumentException if the path is not absolute and normalised
     */
    public static TpmEndpoint device(Path devicePath) {
        Objects.requireNonNull(devicePath, "devicePath");
        if (!devicePath.isAbsolute() || !devicePath.normalize().equals(devicePath)) {
            throw new IllegalArgumentException("TPM device path '" + devicePath
                    + "' must be absolute and normalised, such as " + DEFAULT_DEVICE);
        }
        return new TpmEndpoint(Transport.DEVICE, null, 0, devicePath);
    }

    /** How the TPM is reached. */
    public Transport transport() {
        return transport;
    }

    /**
     * The swtpm host.
     *
     * @throws IllegalStateException for a device endpoint
     */
    public String host() {
        requireTransport(Transport.SWTPM);
        return host;
    }

    /**
     * The swtpm TCP port.
     *
     * @throws IllegalStateException for a device endpoint
     */
    public int port() {
        requireTransport(Transport.SWTPM);
        return port;
    }

    /**
     * The character device path.
     *
     * @throws IllegalStateException for an swtpm endpoint
     */
    public Path devicePath() {
        requireTransport(Transport.DEVICE);
        return devicePath;
    }

    private void requireTransport(Transport expected) {
        if (transport != expected) {
            throw new IllegalStateException("Endpoint " + this + " is not a " + expected + " endpoint");
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TpmEndpoint that && toString().equals(that.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    /** The specification, for example {@code swtpm:127.0.0.1:2321} or {@code device:/dev/tpmrm0}. */
    @Override
    public String toString() {
        if (transport == Transport.DEVICE) {
            return "device:" + devicePath;
        }
        return "swtpm:" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
