package org.vtpmmigrate.engine.migration;

import java.util.List;
import java.util.Objects;
import org.vtpmmigrate.protocol.VerificationCheck;
import org.vtpmmigrate.protocol.VerificationFailure;

/**
 * The verdict on one party of a run, with every reason it was rejected.
 *
 * @param party whose integrity was judged
 * @param status accepted, rejected, or not judged (the run ended before)
 * @param reasons the failed checks (PCR, event, measurement, expected and found values); empty
 *     unless rejected
 * @param origin whether this host judged the evidence itself or learned the peer's judgement
 */
public record PartyVerdict(Party party, Status status, List<VerificationFailure> reasons, Origin origin) {
    /** The parties whose integrity a run establishes. */
    public enum Party {
        /** The source host (its platform state, quoted by its AK). */
        SOURCE,
        /** The destination host (its platform state and its PCR-bound key). */
        DESTINATION,
        /** The migrating VM (its launch measurements against the policy's allowlist). */
        VM
    }

    /** The judgement. */
    public enum Status {
        ACCEPTED,
        REJECTED,
        /** Not judged: the run ended before this party's evidence was verified. */
        NOT_EVALUATED
    }

    /** Who judged. */
    public enum Origin {
        /** This host verified the evidence. */
        VERIFIED_HERE,
        /**
         * The peer judged and this host learned its answer: an accept implied by the peer's key
         * confirmation, or a rejection from the peer's Abort (whose detail is the peer's word).
         */
        REPORTED_BY_PEER
    }

    public PartyVerdict {
        Objects.requireNonNull(party, "party");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(origin, "origin");
        reasons = List.copyOf(reasons);
        if ((status == Status.REJECTED) == reasons.isEmpty()) {
            throw new IllegalArgumentException("a rejection needs reasons and only a rejection has them: " + status
                    + " with " + reasons.size() + " reasons");
        }
    }

    /** Not judged. */
    public static PartyVerdict notEvaluated(Party party) {
        return new PartyVerdict(party, Status.NOT_EVALUATED, List.of(), Origin.VERIFIED_HERE);
    }

    public boolean accepted() {
        return status == Status.ACCEPTED;
    }

    /** Whether a reason of this check is among the reasons. */
    public boolean failed(VerificationCheck check) {
        return reasons.stream().anyMatch(r -> r.check() == check);
    }
}
