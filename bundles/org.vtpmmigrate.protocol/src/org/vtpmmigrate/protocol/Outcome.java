package org.vtpmmigrate.protocol;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.vtpmmigrate.protocol.wire.Message;
import org.vtpmmigrate.protocol.wire.RecordType;

/**
 * What one step of a session produced: messages to send to the peer (in order), the state before
 * and after, the failure if the step ended the run, and for a data record its opened payload.
 */
public final class Outcome {
    private final SessionState previousState;
    private final SessionState state;
    private final List<Message> messages;
    private final Failure failure;
    private final RecordType payloadType;
    private final ByteBuffer payload;

    public Outcome(SessionState previousState, SessionState state, List<Message> messages, Failure failure,
            RecordType payloadType, ByteBuffer payload) {
        this.previousState = previousState;
        this.state = state;
        this.messages = List.copyOf(messages);
        this.failure = failure;
        this.payloadType = payloadType;
        this.payload = payload;
    }

    /** Send these to the peer, in this order (possibly an Abort after a failure). */
    public List<Message> messages() {
        return messages;
    }

    public SessionState previousState() {
        return previousState;
    }

    public SessionState state() {
        return state;
    }

    /** Present when this step ended the run. */
    public Optional<Failure> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * The plaintext of a data record just opened. A view of the session's buffer, valid until the
     * session's next step: write it out (or copy it) before handing the session more input.
     */
    public Optional<ByteBuffer> payload() {
        return Optional.ofNullable(payload == null ? null : payload.duplicate());
    }

    /** The record type of {@link #payload()}. */
    public Optional<RecordType> payloadType() {
        return Optional.ofNullable(payloadType);
    }

    @Override
    public String toString() {
        return "Outcome[" + previousState + " -> " + state + ", send " + messages.size()
                + (failure == null ? "" : ", " + failure) + (payload == null ? "" : ", payload " + payload.remaining())
                + "]";
    }
}
