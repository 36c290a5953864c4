package org.vtpmmigrate.protocol;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import org.vtpmmigrate.protocol.wire.Message;

/**
 * Thrown by the stream wrappers ({@link RecordWriter}, {@link RecordReader}) when the session has
 * failed; carries the failure and the messages (an Abort) still to be sent to the peer.
 */
public final class ProtocolFailureException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Failure failure;
    private final transient List<Message> messagesForPeer;

    public ProtocolFailureException(Failure failure, List<Message> messagesForPeer) {
        super(failure.toString());
        this.failure = Objects.requireNonNull(failure, "failure");
        this.messagesForPeer = List.copyOf(messagesForPeer);
    }

    public Failure failure() {
        return failure;
    }

    /** Send these to the peer if the connection still works. */
    public List<Message> messagesForPeer() {
        return messagesForPeer;
    }
}
