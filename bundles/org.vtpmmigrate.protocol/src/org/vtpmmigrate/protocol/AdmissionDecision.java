package org.vtpmmigrate.protocol;

import java.util.Objects;
import java.util.Optional;
import org.vtpmmigrate.protocol.wire.PcrSelection;

/**
 * The destination engine's answer to a migration request: accept with the PCR selection to demand
 * from the source and the verifier for the request's policy, or refuse with a reason.
 */
public final class AdmissionDecision {
    private final PcrSelection sourceSelection;
    private final EvidenceVerifier verifier;
    private final String refusal;

    private AdmissionDecision(PcrSelection sourceSelection, EvidenceVerifier verifier, String refusal) {
        this.sourceSelection = sourceSelection;
        this.verifier = verifier;
        this.refusal = refusal;
    }

    public static AdmissionDecision accept(PcrSelection sourceSelection, EvidenceVerifier verifier) {
        return new AdmissionDecision(Objects.requireNonNull(sourceSelection, "sourceSelection"),
                Objects.requireNonNull(verifier, "verifier"), null);
    }

    /** Refuses; the reason goes to the source in the Abort, so say what was wrong. */
    public static AdmissionDecision refuse(String reason) {
        return new AdmissionDecision(null, null, Objects.requireNonNull(reason, "reason"));
    }

    public boolean accepted() {
        return refusal == null;
    }

    public Optional<String> refusal() {
        return Optional.ofNullable(refusal);
    }

    /** The PCRs the source must quote (when accepted). */
    public PcrSelection sourceSelection() {
        return sourceSelection;
    }

    /** Verifies the source against the request's policy (when accepted). */
    public EvidenceVerifier verifier() {
        return verifier;
    }
}
