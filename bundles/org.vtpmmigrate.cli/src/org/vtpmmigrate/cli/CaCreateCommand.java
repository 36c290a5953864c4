package org.vtpmmigrate.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.vtpmmigrate.management.AdministratorCa;
import org.vtpmmigrate.management.PkiException;
import org.vtpmmigrate.management.Validity;

/**
 * {@code ca create --dir DIR}: a new administrator CA, the root of trust of the management API.
 * Writes {@code DIR/administrator-ca.pem} (give it to every agent and console) and
 * {@code DIR/administrator-ca.key} (readable by its owner only; keep it offline).
 */
final class CaCreateCommand implements Command {
    static final String CERTIFICATE = "administrator-ca.pem";
    static final String KEY = "administrator-ca.key";

    @Override
    public String name() {
        return "ca create";
    }

    @Override
    public String synopsis() {
        return "--dir DIR [--name NAME] [--days N]";
    }

    @Override
    public String summary() {
        return "create the administrator CA that issues agent and administrator certificates";
    }

    @Override
    public ExitCode run(List<String> args, PrintStream out) throws UsageException {
        Arguments a = Arguments.parse(args, Set.of("--dir", "--name", "--days"), Set.of());
        if (!a.positional().isEmpty()) {
            throw new UsageException("unexpected argument '" + a.positional().get(0) + "'");
        }
        Path dir = Path.of(a.requiredOption("--dir"));
        long days = a.number("--days", "1825", 1, 36500);
        Path certificate = dir.resolve(CERTIFICATE);
        if (Files.exists(certificate) || Files.exists(dir.resolve(KEY))) {
            throw new UsageException(dir + " already holds a CA; refusing to overwrite it");
        }
        try {
            Files.createDirectories(dir);
            AdministratorCa ca = AdministratorCa.create(a.option("--name", "vTPM Migrate administrator CA"),
                    Validity.fromNow(Duration.ofDays(days)));
            ca.write(certificate, dir.resolve(KEY), null);
            out.println("administrator CA '" + ca.certificate().getSubjectX500Principal().getName() + "' valid until "
                    + ca.notAfter());
            out.println("  certificate " + certificate + " (install on agents as management.ca, and in consoles)");
            out.println("  key         " + dir.resolve(KEY) + " (owner-only; keep it offline)");
            return ExitCode.OK;
        } catch (PkiException | java.io.IOException | IllegalArgumentException e) {
            throw new UsageException("cannot create the CA: " + e.getMessage());
        }
    }
}
