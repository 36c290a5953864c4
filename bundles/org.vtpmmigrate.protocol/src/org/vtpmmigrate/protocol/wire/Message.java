package org.vtpmmigrate.protocol.wire;

/**
 * One protocol message; {@link FrameCodec} turns it into a frame and back. Messages are
 * immutable values and validate their fields on construction.
 */
public sealed interface Message permits MigrationRequest, MigrationAccept, AttestationChallenge, AttestationEvidence,
        BoundKeyOffer, KeyExchange, KeyConfirm, DataRecord, EndOfStream, Commit, CommitAck, Abort {
    MessageType type();
}
