package org.vtpmmigrate.attest.policy;

import java.time.Instant;
import java.util.Objects;

import org.vtpmmigrate.attest.policy.internal.Evaluation;

/**
 * Judges evidence against a policy. Every check runs whatever failed before it, so the verdict
 * lists every problem, each with a plain-language sentence and the technical detail:
 * <ol>
 * <li>the quote: AK signature over the TPMS_ATTEST with an accepted hash, TPM 2.0 magic and
 * type, the verifier's nonce, the claimed PCR values equal to what the TPM signed;</li>
 * <li>algorithms: at least one accepted PCR bank quoted (SHA-1-only evidence is a downgrade);</li>
 * <li>the policy's PCR selection covered, and the quoted values among the reference values;</li>
 * <li>the boot event log replays to the quoted values; only events in PCRs the quote covers
 * count; their types must be accepted, their digests allowed and not forbidden;</li>
 * <li>the IMA log replays to the quoted IMA PCR; boot_aggregate matches the quoted boot PCRs;
 * every covered entry is excluded or on the allowlist with an allowed digest;</li>
 * <li>the VM's launch measurements are on the VM allowlist, and the launch log replays to the
 * quoted launch PCR;</li>
 * <li>the EK certificate chains to a trusted CA and certifies the TPM's EK;</li>
 * <li>the TPM clock is safe and the quote is from the same boot as an earlier reading.</li>
 * </ol>
 * Thread-safe (stateless).
 */
public final class PolicyEvaluator {
    private PolicyEvaluator() {
    }

    /** Evaluates now (certificate validity is checked at the current time). */
    public static Verdict evaluate(Policy policy, Evidence evidence) {
        return evaluate(policy, evidence, Instant.now());
    }

    /** Evaluates with certificate validity checked at {@code at}. */
    public static Verdict evaluate(Policy policy, Evidence evidence, Instant at) {
        return Evaluation.run(Objects.requireNonNull(policy, "policy"), Objects.requireNonNull(evidence, "evidence"),
                Objects.requireNonNull(at, "at"));
    }
}
