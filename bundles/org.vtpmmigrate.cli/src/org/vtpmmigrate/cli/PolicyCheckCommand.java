package org.vtpmmigrate.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.vtpmmigrate.attest.policy.Evidence;
import org.vtpmmigrate.attest.policy.EvidenceDirectory;
import org.vtpmmigrate.attest.policy.EvidenceException;
import org.vtpmmigrate.attest.policy.Policy;
import org.vtpmmigrate.attest.policy.PolicyEvaluator;
import org.vtpmmigrate.attest.policy.PolicyFormatException;
import org.vtpmmigrate.attest.policy.PolicyJson;
import org.vtpmmigrate.attest.policy.Verdict;

/**
 * {@code policy check}: judges a host's evidence directory (layout: {@link EvidenceDirectory})
 * against a policy file and prints the verdict with every finding. Exit 0 trusted, 1 untrusted,
 * 2 when the policy or the evidence cannot be read.
 */
final class PolicyCheckCommand implements Command {
    @Override
    public String name() {
        return "policy check";
    }

    @Override
    public String synopsis() {
        return "--policy P.json --evidence DIR [--format text|json]";
    }

    @Override
    public String summary() {
        return "judge a host's evidence directory (quote.msg/.sig/.pcrs, nonce.hex, ak.pub, logs) against a policy";
    }

    @Override
    public ExitCode run(List<String> args, PrintStream out) throws UsageException {
        Arguments a = Arguments.parse(args, Set.of("--policy", "--evidence", "--format"), Set.of());
        if (!a.positional().isEmpty()) {
            throw new UsageException("unexpected argument '" + a.positional().get(0) + "'");
        }
        OutputFormat format = OutputFormat.parse(a.option("--format", "text"));
        Policy policy = readPolicy(a.requiredOption("--policy"));
        Evidence evidence = readEvidence(a.requiredOption("--evidence"));
        Verdict verdict = PolicyEvaluator.evaluate(policy, evidence);
        out.print(format == OutputFormat.JSON ? verdict.toJson() : verdict.toText());
        return verdict.trusted() ? ExitCode.OK : ExitCode.REFUSED;
    }

    static Policy readPolicy(String name) throws UsageException {
        Path file = Arguments.readableFile(name);
        try {
            return PolicyJson.read(file);
        } catch (PolicyFormatException e) {
            throw new UsageException("invalid policy: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UsageException(name + ": cannot read: " + e.getMessage(), e);
        }
    }

    static Evidence readEvidence(String dir) throws UsageException {
        try {
            return EvidenceDirectory.read(Path.of(dir));
        } catch (EvidenceException e) {
            throw new UsageException("evidence " + dir + ": " + e.getMessage(), e);
        }
    }
}
