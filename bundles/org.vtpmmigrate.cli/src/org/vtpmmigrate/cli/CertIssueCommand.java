package org.vtpmmigrate.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.vtpmmigrate.management.AdministratorCa;
import org.vtpmmigrate.management.IssuedCredentials;
import org.vtpmmigrate.management.PkiException;
import org.vtpmmigrate.management.Validity;

/**
 * {@code cert issue}: a certificate and key from the administrator CA, for an agent (its host id
 * and the names clients reach it by) or for an administrator (console or CLI).
 */
final class CertIssueCommand implements Command {
    @Override
    public String name() {
        return "cert issue";
    }

    @Override
    public String synopsis() {
        return "--ca DIR (--agent HOST_ID [--ip A,B] [--dns N,M] | --admin NAME) --out PREFIX [--days N]";
    }

    @Override
    public String summary() {
        return "issue an agent or administrator certificate (PREFIX.pem, PREFIX.key) from the administrator CA";
    }

    @Override
    public ExitCode run(List<String> args, PrintStream out) throws UsageException {
        Arguments a = Arguments.parse(args, Set.of("--ca", "--agent", "--admin", "--ip", "--dns", "--out", "--days"),
                Set.of());
        if (!a.positional().isEmpty()) {
            throw new UsageException("unexpected argument '" + a.positional().get(0) + "'");
        }
        Path caDir = Path.of(a.requiredOption("--ca"));
        String agent = a.option("--agent", null);
        String admin = a.option("--admin", null);
        if ((agent == null) == (admin == null)) {
            throw new UsageException("give exactly one of --agent HOST_ID and --admin NAME");
        }
        Path prefix = Path.of(a.requiredOption("--out"));
        Path certificate = Path.of(prefix + ".pem");
        Path key = Path.of(prefix + ".key");
        if (Files.exists(certificate) || Files.exists(key)) {
            throw new UsageException(certificate + " or " + key + " exists; refusing to overwrite it");
        }
        Validity validity = Validity.fromNow(Duration.ofDays(a.number("--days", "365", 1, 3650)));
        try {
            AdministratorCa ca = AdministratorCa.load(caDir.resolve(CaCreateCommand.CERTIFICATE),
                    caDir.resolve(CaCreateCommand.KEY), null);
            IssuedCredentials issued = agent != null
                    ? ca.issueAgent(agent, list(a.option("--dns", "")), list(a.option("--ip", "")), validity)
                    : ca.issueAdministrator(admin, validity);
            issued.write(certificate, key, null);
            out.println("issued " + issued.role().organisationalUnit() + " certificate '"
                    + issued.certificate().getSubjectX500Principal().getName() + "' valid until "
                    + issued.certificate().getNotAfter().toInstant());
            out.println("  certificate " + certificate);
            out.println("  key         " + key + " (owner-only)");
            return ExitCode.OK;
        } catch (PkiException | IllegalArgumentException e) {
            throw new UsageException("cannot issue the certificate: " + e.getMessage());
        }
    }

    private static List<String> list(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
