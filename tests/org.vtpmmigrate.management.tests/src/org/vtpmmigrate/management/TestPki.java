package org.vtpmmigrate.management;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.vtpmmigrate.management.internal.SslContexts;

/**
 * An administrator CA with the certificates the tests need: the agent under test (serving on
 * 127.0.0.1), an administrator, a second agent acting as a client, and an expired administrator.
 */
final class TestPki {
    static final String SERVER_HOST_ID = "agent-a";
    /**
     * Client settings for tests that are not about timeouts: the first TLS handshake of a cold JVM on
     * a loaded two-core machine can take seconds.
     */
    static final ClientSettings PATIENT = new ClientSettings(Duration.ofSeconds(30), Duration.ofSeconds(60),
            64 * 1024 * 1024);

    final AdministratorCa ca;
    final IssuedCredentials server;
    final IssuedCredentials administrator;
    final IssuedCredentials peerAgent;

    private TestPki(String caName, String administratorName) throws PkiException {
        Instant now = Instant.now();
        // The CA's validity reaches into the past so that it can issue already-expired certificates.
        ca = AdministratorCa.create(caName,
                new Validity(now.minus(Duration.ofDays(30)), now.plus(Duration.ofDays(365))));
        server = ca.issueAgent(SERVER_HOST_ID, List.of("localhost"), List.of("127.0.0.1"),
                Validity.fromNow(Duration.ofDays(7)));
        administrator = ca.issueAdministrator(administratorName, Validity.fromNow(Duration.ofDays(7)));
        peerAgent = ca.issueAgent("agent-b", List.of("agent-b.example"), List.of("127.0.0.2"),
                Validity.fromNow(Duration.ofDays(7)));
    }

    static TestPki create(String caName, String administratorName) {
        try {
            return new TestPki(caName, administratorName);
        } catch (PkiException e) {
            throw new AssertionError("test PKI cannot be created: " + e.getMessage(), e);
        }
    }

    /** An administrator certificate whose validity ended yesterday. */
    IssuedCredentials expiredAdministrator() throws PkiException {
        Instant now = Instant.now();
        return ca.issueAdministrator("retired",
                new Validity(now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1))));
    }

    /**
     * A TLS context for any credentials, without the checks of {@link TlsCredentials} (which refuse an
     * expired certificate before it could be presented).
     */
    static SSLContext unchecked(IssuedCredentials credentials) {
        return SslContexts.mutual(credentials.privateKey(),
                List.of(credentials.certificate(), credentials.caCertificate()), credentials.caCertificate());
    }

    static SSLContext checked(IssuedCredentials credentials) {
        try {
            return credentials.toTlsCredentials().sslContext();
        } catch (PkiException e) {
            throw new AssertionError("credentials do not pass their checks: " + e.getMessage(), e);
        }
    }

    X509Certificate caCertificate() {
        return ca.certificate();
    }
}
