package org.vtpmmigrate.cli;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

import org.vtpmmigrate.management.ClientSettings;
import org.vtpmmigrate.management.ManagementClient;
import org.vtpmmigrate.management.PkiException;
import org.vtpmmigrate.management.TlsCredentials;

/**
 * How a command reaches an agent's management API: its URL and the administrator's certificate, key
 * and CA, from options or, when absent, from {@code VTPM_AGENT}, {@code VTPM_ADMIN_CERT},
 * {@code VTPM_ADMIN_KEY} and {@code VTPM_ADMIN_CA}.
 */
final class AgentConnection {
    /** The options every agent command takes. */
    static final Set<String> OPTIONS = Set.of("--agent", "--cert", "--key", "--ca");
    static final String SYNOPSIS = "[--agent https://HOST:PORT --cert ADMIN.pem --key ADMIN.key --ca CA.pem]";

    private AgentConnection() {
    }

    static ManagementClient open(Arguments a) throws UsageException {
        String agent = value(a, "--agent", "VTPM_AGENT");
        Path cert = Path.of(value(a, "--cert", "VTPM_ADMIN_CERT"));
        Path key = Path.of(value(a, "--key", "VTPM_ADMIN_KEY"));
        Path ca = Path.of(value(a, "--ca", "VTPM_ADMIN_CA"));
        try {
            TlsCredentials credentials = TlsCredentials.load(cert, key, null, ca);
            return ManagementClient.create(URI.create(agent), credentials,
                    new ClientSettings(Duration.ofSeconds(10), Duration.ofSeconds(120), 16 << 20));
        } catch (PkiException e) {
            throw new UsageException("administrator credentials: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--agent: " + e.getMessage());
        }
    }

    private static String value(Arguments a, String option, String environment) throws UsageException {
        String v = a.option(option, System.getenv(environment));
        if (v == null || v.isBlank()) {
            throw new UsageException(option + " (or " + environment + ") is required");
        }
        return v;
    }
}
