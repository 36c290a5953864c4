package org.vtpmmigrate.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.vtpmmigrate.attest.policy.Evidence;
import org.vtpmmigrate.attest.policy.EvidenceRejectedException;
import org.vtpmmigrate.attest.policy.KeylimeRuntimePolicy;
import org.vtpmmigrate.attest.policy.Policy;
import org.vtpmmigrate.attest.policy.PolicyFormatException;
import org.vtpmmigrate.attest.policy.PolicyGenerator;
import org.vtpmmigrate.attest.policy.PolicyJson;

/**
 * {@code policy new}: a policy that trusts exactly the state a host's evidence shows (see
 * {@link PolicyGenerator}), printed as JSON on stdout. Notes on what the policy leaves open go to
 * stderr. Evidence that does not verify is refused (exit 1, the verdict on stderr): a policy made
 * from it would enshrine whatever is wrong.
 */
final class PolicyNewCommand implements Command {
    private static final int MAX_CA_FILE = 256 * 1024;

    @Override
    public String name() {
        return "policy new";
    }

    @Override
    public String synopsis() {
        return "--evidence DIR [--id NAME] [--description TEXT] [--launch-pcr N] [--trust-ek-ca CA.pem]"
                + " [--keylime-runtime-policy FILE]";
    }

    @Override
    public String summary() {
        return "print a policy (JSON) that trusts the state shown by a host's evidence directory";
    }

    @Override
    public ExitCode run(List<String> args, PrintStream out) throws UsageException {
        Arguments a = Arguments.parse(args, Set.of("--evidence", "--id", "--description", "--launch-pcr",
                "--trust-ek-ca", "--keylime-runtime-policy"), Set.of());
        if (!a.positional().isEmpty()) {
            throw new UsageException("unexpected argument '" + a.positional().get(0) + "'");
        }
        String id = a.option("--id", "host-policy");
        if (!Policy.isValidId(id)) {
            throw new UsageException("--id '" + id + "' is not a policy id (1-128 of A-Z a-z 0-9 . _ : -, starting"
                    + " with a letter or digit)");
        }
        Evidence evidence = PolicyCheckCommand.readEvidence(a.requiredOption("--evidence"));
        PolicyGenerator.Options options = PolicyGenerator.Options.of(id);
        if (a.option("--description", null) != null) {
            options = options.withDescription(a.option("--description", null));
        }
        if (a.option("--launch-pcr", null) != null) {
            options = options.withLaunchPcr(pcr(a.option("--launch-pcr", null)));
        }
        if (a.option("--trust-ek-ca", null) != null) {
            String file = a.option("--trust-ek-ca", null);
            options = options.withEkTrust(new Policy.EkTrust(List.of(new Policy.CertificateSource(
                    Optional.of(Path.of(file).toAbsolutePath().toString()), certificates(file))), List.of()));
        }
        if (a.option("--keylime-runtime-policy", null) != null) {
            options = options.withImaRules(keylime(a.option("--keylime-runtime-policy", null)));
        }
        PolicyGenerator.Result result;
        try {
            result = PolicyGenerator.fromEvidence(evidence, options);
        } catch (EvidenceRejectedException e) {
            // stdout is meant for the policy file: the refusal goes to stderr only
            System.err.println("vtpm-migrate policy new: refused: " + e.getMessage());
            e.verdict().ifPresent(v -> System.err.print(v.toText()));
            return ExitCode.REFUSED;
        }
        for (String note : result.notes()) {
            System.err.println("note: " + note);
        }
        out.print(PolicyJson.write(result.policy()));
        return ExitCode.OK;
    }

    private static int pcr(String value) throws UsageException {
        try {
            int p = Integer.parseInt(value);
            if (p < 0 || p > 23) {
                throw new UsageException("--launch-pcr must be a PCR index 0..23, got " + p);
            }
            return p;
        } catch (NumberFormatException e) {
            throw new UsageException("--launch-pcr '" + value + "' is not a number", e);
        }
    }

    private static List<X509Certificate> certificates(String file) throws UsageException {
        byte[] bytes = InputFiles.read(file, MAX_CA_FILE);
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new java.io.ByteArrayInputStream(bytes))) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new UsageException(file + ": holds no certificate");
            }
            return out;
        } catch (CertificateException e) {
            throw new UsageException(file + ": not X.509 certificates in PEM or DER: " + e.getMessage(), e);
        }
    }

    private static Policy.ImaRules keylime(String file) throws UsageException {
        try {
            return KeylimeRuntimePolicy.read(Arguments.readableFile(file));
        } catch (PolicyFormatException e) {
            throw new UsageException("invalid Keylime runtime policy: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UsageException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
