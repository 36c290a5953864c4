package org.vtpmmigrate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vtpmmigrate.management.Role;
import org.vtpmmigrate.management.TlsCredentials;

/** {@code ca create} and {@code cert issue}: the administrator CA and what it issues, read back as TLS credentials. */
class PkiCommandsTest {
    @TempDir
    Path dir;

    @Test
    void issuesAgentAndAdministratorCertificatesThatLoadAsCredentials() throws Exception {
        Path ca = dir.resolve("ca");
        assertEquals(ExitCode.OK, Cli.run(new CaCreateCommand(), "ca", "create", "--dir", ca.toString()).exit());
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(ca.resolve("administrator-ca.key")), "the CA key is the owner's only");

        Cli.Run agent = Cli.run(new CertIssueCommand(), "cert", "issue", "--ca", ca.toString(), "--agent", "server-a",
                "--ip", "10.0.0.7", "--dns", "server-a.example.org", "--out", dir.resolve("server-a").toString());
        assertEquals(ExitCode.OK, agent.exit(), agent::toString);
        Cli.Run admin = Cli.run(new CertIssueCommand(), "cert", "issue", "--ca", ca.toString(), "--admin", "alice",
                "--out", dir.resolve("alice").toString());
        assertEquals(ExitCode.OK, admin.exit(), admin::toString);

        TlsCredentials server = TlsCredentials.load(dir.resolve("server-a.pem"), dir.resolve("server-a.key"), null,
                ca.resolve("administrator-ca.pem"));
        assertEquals(Role.AGENT, server.role());
        assertTrue(server.subject().contains("server-a"), server::subject);
        TlsCredentials alice = TlsCredentials.load(dir.resolve("alice.pem"), dir.resolve("alice.key"), null,
                ca.resolve("administrator-ca.pem"));
        assertEquals(Role.ADMINISTRATOR, alice.role());
    }

    @Test
    void refusesToOverwriteACaOrToIssueAmbiguousCertificates() {
        Path ca = dir.resolve("ca");
        assertEquals(ExitCode.OK, Cli.run(new CaCreateCommand(), "ca", "create", "--dir", ca.toString()).exit());
        Cli.Run again = Cli.run(new CaCreateCommand(), "ca", "create", "--dir", ca.toString());
        assertEquals(ExitCode.USAGE, again.exit());
        assertTrue(again.err().contains("already holds a CA"), again::toString);

        Cli.Run both = Cli.run(new CertIssueCommand(), "cert", "issue", "--ca", ca.toString(), "--agent", "a", "--admin",
                "b", "--out", dir.resolve("x").toString());
        assertEquals(ExitCode.USAGE, both.exit());
        assertTrue(both.err().contains("exactly one of --agent"), both::toString);

        Cli.Run noName = Cli.run(new CertIssueCommand(), "cert", "issue", "--ca", ca.toString(), "--agent", "server-a",
                "--out", dir.resolve("y").toString());
        assertEquals(ExitCode.USAGE, noName.exit());
        assertTrue(noName.err().contains("needs at least one DNS name or IP address"), noName::toString);
    }
}
