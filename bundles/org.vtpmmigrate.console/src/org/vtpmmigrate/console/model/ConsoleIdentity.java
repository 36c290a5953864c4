package org.vtpmmigrate.console.model;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import org.vtpmmigrate.management.PkiException;
import org.vtpmmigrate.management.TlsCredentials;

/**
 * The console's TLS identity as far as it could be loaded: the credentials, or why there are none.
 * Immutable; the model replaces it when the settings or the passphrase change.
 */
public final class ConsoleIdentity {
    /** Warn this long before the console's certificate expires. */
    public static final Duration EXPIRY_WARNING = Duration.ofDays(14);

    private final TlsCredentials credentials;
    private final Failure problem;

    private ConsoleIdentity(TlsCredentials credentials, Failure problem) {
        this.credentials = credentials;
        this.problem = problem;
    }

    /** Loads the identity the settings name; never throws, a problem is kept instead. */
    public static ConsoleIdentity load(ConsoleSettings settings, char[] passphrase) {
        Objects.requireNonNull(settings, "settings");
        if (settings.administratorCa().isEmpty()) {
            return failed(Failure.of("The console cannot connect to agents",
                    "No administrator CA certificate is set. Choose it in Preferences > Trust."));
        }
        if (settings.identityCertificate().isEmpty() || settings.identityKey().isEmpty()) {
            return failed(Failure.of("The console cannot connect to agents",
                    "The console's certificate and key are not set. Choose them in Preferences > Identity."));
        }
        Path certificate = settings.identityCertificate().get();
        Path key = settings.identityKey().get();
        try {
            return new ConsoleIdentity(TlsCredentials.load(certificate, key, passphrase,
                    settings.administratorCa().get()), null);
        } catch (PkiException e) {
            return failed(Failure.fromPki("The console's identity could not be loaded", e));
        }
    }

    private static ConsoleIdentity failed(Failure problem) {
        return new ConsoleIdentity(null, problem);
    }

    public Optional<TlsCredentials> credentials() {
        return Optional.ofNullable(credentials);
    }

    /** Why there are no credentials. */
    public Optional<Failure> problem() {
        return Optional.ofNullable(problem);
    }

    /** For the preference page and the status line: who the console is, and until when. */
    public String describe(Instant now) {
        if (credentials == null) {
            return problem.oneLine();
        }
        String until = credentials.notAfter().isBefore(now.plus(EXPIRY_WARNING))
                ? " (expires soon: " + credentials.notAfter() + ")" : " (valid until " + credentials.notAfter() + ")";
        return credentials.subject() + until;
    }
}
