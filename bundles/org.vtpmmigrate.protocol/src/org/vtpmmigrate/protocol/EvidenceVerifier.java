package org.vtpmmigrate.protocol;

import org.vtpmmigrate.protocol.wire.AttestationEvidence;
import org.vtpmmigrate.protocol.wire.BoundKeyOffer;
import org.vtpmmigrate.protocol.wire.Bytes;
import org.vtpmmigrate.protocol.wire.PcrSelection;

/**
 * Verifies one peer's evidence against one policy. The engine implements it with the attest bundle
 * and the peer's enrolled AK; it needs no TPM.
 */
public interface EvidenceVerifier {
    /**
     * Signature by the peer's AK, qualifyingData equal to {@code expectedNonce}, PCR digest equal to
     * the claimed values and to the log replay, selection covered, policy and launch allowlist.
     */
    Verdict verifyEvidence(AttestationEvidence evidence, Bytes expectedNonce, PcrSelection requestedSelection);

    /**
     * The certify signature by the same AK, certified name equal to the name of the public area,
     * the required attributes, authPolicy equal to PolicyPCR(selection, values of
     * {@code acceptedEvidence}), and qualifyingData equal to {@code expectedQualifyingData}.
     */
    BoundKeyVerification verifyBoundKey(BoundKeyOffer offer, Bytes expectedQualifyingData,
            AttestationEvidence acceptedEvidence, PcrSelection selection);

    /** The peer's AK signature over the commit payload. */
    Verdict verifyCommit(Bytes commitPayload, Bytes signature, AttestationEvidence acceptedEvidence);
}
