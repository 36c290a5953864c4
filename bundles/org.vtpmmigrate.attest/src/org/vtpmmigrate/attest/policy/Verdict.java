package org.vtpmmigrate.attest.policy;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

import com.google.gson.stream.JsonWriter;

/**
 * The outcome of evaluating evidence against a policy: trusted when no finding is an ERROR.
 * Every problem found is listed, never just "failed". Names the exact policy it was judged
 * under. Immutable.
 */
public final class Verdict {
    private final String policyId;
    private final String policyDigest;
    private final List<Finding> findings;

    private Verdict(String policyId, String policyDigest, List<Finding> findings) {
        this.policyId = policyId;
        this.policyDigest = policyDigest;
        this.findings = List.copyOf(findings);
    }

    /** A verdict under {@code policy} with these findings, in the order they were found. */
    public static Verdict of(Policy policy, List<Finding> findings) {
        Objects.requireNonNull(policy, "policy");
        return new Verdict(policy.id(), policy.digestHex(), findings);
    }

    /** True when no finding is an ERROR. */
    public boolean trusted() {
        return findings.stream().noneMatch(Finding::isError);
    }

    public List<Finding> findings() {
        return findings;
    }

    public List<Finding> errors() {
        return filter(Finding.Severity.ERROR);
    }

    public List<Finding> warnings() {
        return filter(Finding.Severity.WARNING);
    }

    private List<Finding> filter(Finding.Severity s) {
        List<Finding> out = new ArrayList<>();
        for (Finding f : findings) {
            if (f.severity() == s) {
                out.add(f);
            }
        }
        return Collections.unmodifiableList(out);
    }

    public String policyId() {
        return policyId;
    }

    /** SHA-256 of the policy's canonical form, hex. */
    public String policyDigest() {
        return policyDigest;
    }

    /** One line: "TRUSTED under policy ... (n warnings)" or "UNTRUSTED ... : n errors, m warnings". */
    public String headline() {
        int e = errors().size();
        int w = warnings().size();
        return (trusted() ? "TRUSTED" : "UNTRUSTED") + " under policy " + policyId + " (sha256:" + policyDigest + "): "
                + e + (e == 1 ? " error, " : " errors, ") + w + (w == 1 ? " warning" : " warnings");
    }

    /** For people: the headline, then every finding with expected, actual and detail. */
    public String toText() {
        StringBuilder sb = new StringBuilder(headline()).append('\n');
        for (Finding f : findings) {
            sb.append('\n').append(f.severity()).append(" [").append(f.category().title()).append("] ")
                    .append(f.location().subject()).append('\n');
            sb.append("  ").append(f.message()).append('\n');
            if (!f.expected().isEmpty()) {
                appendIndented(sb, "expected: ", f.expected());
            }
            if (!f.actual().isEmpty()) {
                appendIndented(sb, "actual:   ", f.actual());
            }
            if (!f.detail().isEmpty()) {
                appendIndented(sb, "detail:   ", f.detail());
            }
        }
        return sb.toString();
    }

    private static void appendIndented(StringBuilder sb, String label, String text) {
        String[] lines = text.split("\n");
        sb.append("  ").append(label).append(lines[0]).append('\n');
        for (int i = 1; i < lines.length; i++) {
            sb.append("  ").append(" ".repeat(label.length())).append(lines[i]).append('\n');
        }
    }

    /**
     * For programs: {@code {"trusted": bool, "policy": {"id", "digest"}, "errors": n, "warnings": n,
     * "findings": [{"severity", "category", "subject", "bank"?, "pcr"?, "entryIndex"?, "file"?,
     * "expected", "actual", "message", "detail"}]}}.
     */
    public String toJson() {
        StringWriter out = new StringWriter();
        try (JsonWriter w = new JsonWriter(out)) {
            w.setIndent("  ");
            w.setHtmlSafe(false);
            w.beginObject();
            w.name("trusted").value(trusted());
            w.name("policy").beginObject().name("id").value(policyId).name("digest").value(policyDigest).endObject();
            w.name("errors").value(errors().size());
            w.name("warnings").value(warnings().size());
            w.name("findings").beginArray();
            for (Finding f : findings) {
                w.beginObject();
                w.name("severity").value(f.severity().name());
                w.name("category").value(f.category().name());
                w.name("subject").value(f.location().subject());
                if (f.location().bank().isPresent()) {
                    w.name("bank").value(f.location().bank().get().bankName());
                }
                if (f.location().pcr().isPresent()) {
                    w.name("pcr").value(f.location().pcr().getAsInt());
                }
                if (f.location().entryIndex().isPresent()) {
                    w.name("entryIndex").value(f.location().entryIndex().getAsInt());
                }
                if (f.location().file().isPresent()) {
                    w.name("file").value(f.location().file().get());
                }
                w.name("expected").value(f.expected());
                w.name("actual").value(f.actual());
                w.name("message").value(f.message());
                w.name("detail").value(f.detail());
                w.endObject();
            }
            w.endArray();
            w.endObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing to a string cannot fail", e);
        }
        return out.toString() + "\n";
    }

    @Override
    public String toString() {
        return headline();
    }
}
