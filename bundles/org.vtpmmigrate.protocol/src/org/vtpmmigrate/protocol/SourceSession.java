package org.vtpmmigrate.protocol;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.vtpmmigrate.protocol.internal.SourceStateMachine;
import org.vtpmmigrate.protocol.wire.RecordType;

/**
 * The source end of a run. The engine calls {@link #start()}, relays messages until the state is
 * {@link SessionState#TRANSFERRING}, streams the VM through {@link #sealRecord} (or a
 * {@link RecordWriter}), calls {@link #endTransfer()}, and stops the VM only when the state is
 * {@link SessionState#COMMITTED}; on {@link SessionState#FAILED} it resumes the VM.
 */
public interface SourceSession extends MigrationSession {
    static SourceSession create(SourceConfig config) {
        return new SourceStateMachine(config);
    }

    /** Sends the request and the challenge to the destination. */
    Outcome start();

    /**
     * Seals up to {@value org.vtpmmigrate.protocol.wire.Limits#MAX_RECORD_PAYLOAD} bytes from
     * {@code plaintext} (its position advances) into one complete DATA_RECORD frame written at
     * {@code frameOut}'s position. Only in {@link SessionState#TRANSFERRING}.
     *
     * @return the frame length
     * @throws ProtocolFailureException when the run has already failed (e.g. the peer aborted)
     * @throws IllegalStateException when the handshake has not completed
     */
    int sealRecord(RecordType type, ByteBuffer plaintext, ByteBuffer frameOut) throws ProtocolFailureException;

    /** Ends the stream: the outcome carries the sealed end-of-stream record. */
    Outcome endTransfer();

    /** What was sent, once the stream has ended. */
    Optional<StreamSummary> streamSummary();
}
