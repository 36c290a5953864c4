package org.vtpmmigrate.attest.policy;

import java.util.Optional;

/**
 * Evidence a policy cannot be built from because it does not verify (a quote that fails, a log
 * that does not replay to it, SHA-1-only evidence): a policy made from it would enshrine whatever
 * is wrong. Carries the verdict of the checks when there is one.
 */
public final class EvidenceRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Verdict verdict;

    public EvidenceRejectedException(String message, Verdict verdict) {
        super(message);
        this.verdict = verdict;
    }

    /** The verdict listing every problem; empty when the evidence could not even be evaluated. */
    public Optional<Verdict> verdict() {
        return Optional.ofNullable(verdict);
    }
}
