package org.vtpmmigrate.protocol;

import java.util.Optional;

/**
 * Why a run failed. The code travels in {@code Abort} messages and must never change once
 * released; new reasons get new codes.
 */
public enum FailureReason {
    // request
    /** The destination refused the request (unknown VM or policy, policy digest differs, stale epoch). */
    REQUEST_REFUSED(0x0001),
    /** No offered cipher suite is allowed, or the peer chose one that was not offered or not allowed. */
    ALGORITHM_NOT_ACCEPTABLE(0x0002),
    /** The source's offer reached the destination altered: someone removed or reordered suites. */
    ALGORITHM_DOWNGRADE(0x0003),

    // attestation
    /** The peer's evidence broke the policy, or its signature, PCR digest or logs did not check out. */
    PEER_ATTESTATION_REJECTED(0x0010),
    /** The peer's evidence does not answer this run's nonce: a replayed or stale quote. */
    STALE_EVIDENCE(0x0011),
    /** The peer challenged with a nonce this host issued itself (reflection). */
    REFLECTED_NONCE(0x0012),
    /** This host's own TPM could not quote, create or certify the bound key, or sign. */
    LOCAL_ATTESTATION_FAILED(0x0013),

    // key establishment
    /** The certified key is not a fresh TPM key bound to the attested PCR values of this run. */
    BOUND_KEY_REJECTED(0x0020),
    /** The destination's TPM refused ECDH_ZGen: its PCRs changed since the quote. */
    BOUND_KEY_UNUSABLE(0x0021),
    /** The ephemeral public key is not a valid point of the suite's curve. */
    INVALID_KEY_SHARE(0x0022),
    /** The peer's key-confirmation MAC is wrong: different keys or a different transcript. */
    KEY_CONFIRMATION_FAILED(0x0023),

    // transfer
    /** A record failed AES-GCM authentication: tampered, or sealed under another key. */
    RECORD_AUTHENTICATION_FAILED(0x0030),
    /** A record arrived with a higher sequence number than expected: records dropped or reordered. */
    RECORD_OUT_OF_SEQUENCE(0x0031),
    /** A record arrived with a sequence number already seen: replayed. */
    RECORD_REPLAYED(0x0032),
    /** A record frame exceeds the record size bound. */
    RECORD_OVERSIZED(0x0033),
    /** A record frame ended early. */
    RECORD_TRUNCATED(0x0034),
    /** The stream ended (connection closed) before its end-of-stream record. */
    STREAM_TRUNCATED(0x0035),
    /** The end-of-stream record's counts or digest differ from what was received. */
    STREAM_MISMATCH(0x0036),

    // commit
    /** The commit's signature or stream summary is wrong. */
    COMMIT_REJECTED(0x0040),
    /** The commit acknowledgement's MAC is wrong. */
    COMMIT_ACK_INVALID(0x0041),

    // framing and sequencing
    /** A frame or field violates the format (see the detail for field and offset). */
    MALFORMED_MESSAGE(0x0050),
    /** A frame ended before its header or body did. */
    TRUNCATED_MESSAGE(0x0051),
    /** A frame's length exceeds its type's bound. */
    OVERSIZED_MESSAGE(0x0052),
    /** A frame of a protocol version this host does not speak. */
    UNSUPPORTED_VERSION(0x0053),
    /** A frame of an unknown message type. */
    UNKNOWN_MESSAGE_TYPE(0x0054),
    /** A well-formed message that is not allowed in the current state. */
    UNEXPECTED_MESSAGE(0x0055),

    // general
    /** A state's deadline passed without progress. */
    TIMEOUT(0x0060),
    /** The peer sent an Abort; its reason is in {@link Failure#peerReason()}. Never sent. */
    PEER_ABORTED(0x0061),
    /** The connection closed outside the transfer. */
    CONNECTION_LOST(0x0062),
    /** The local engine failed (hypervisor, I/O, storage). */
    LOCAL_ERROR(0x0063),
    /** An operator cancelled the run. */
    CANCELLED(0x0064);

    private final int code;

    FailureReason(int code) {
        this.code = code;
    }

    /** The u16 sent in Abort messages. */
    public int code() {
        return code;
    }

    public static Optional<FailureReason> fromCode(int code) {
        for (FailureReason r : values()) {
            if (r.code == code) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
