package org.vtpmmigrate.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.Objects;
import org.vtpmmigrate.protocol.wire.FrameInput;
import org.vtpmmigrate.protocol.wire.MalformedFrameException;

/**
 * The destination's side of {@link RecordWriter}: reads frames from the connection, lets the
 * session open them in order, and hands the plaintext to a {@link RecordSink}. Returns when the
 * end-of-stream record has been verified; any failure (tampered, reordered, replayed, truncated,
 * oversized record, peer abort, stream cut) surfaces as a {@link ProtocolFailureException}.
 */
public final class RecordReader {
    private final DestinationSession session;
    private final FrameInput frames;

    public RecordReader(DestinationSession session, InputStream in) {
        this.session = Objects.requireNonNull(session, "session");
        this.frames = new FrameInput(in);
    }

    /** For a blocking channel (a socket channel, the hypervisor's stream). */
    public RecordReader(DestinationSession session, ReadableByteChannel in) {
        this(session, Channels.newInputStream(in));
    }

    /**
     * Reads records until the stream ends. The session must be in {@link SessionState#RECEIVING}.
     *
     * @return what was received; the session is then in {@link SessionState#STREAM_RECEIVED}
     */
    public StreamSummary transferTo(RecordSink sink) throws IOException {
        if (session.state() != SessionState.RECEIVING) {
            throw new IllegalStateException("records are read in RECEIVING, the session is in " + session.state());
        }
        while (true) {
            ByteBuffer frame;
            try {
                frame = frames.read();
            } catch (MalformedFrameException e) {
                throw failed(session.onMalformedFrame(e));
            }
            Outcome outcome = frame == null ? session.onConnectionClosed() : session.receive(frame);
            if (outcome.failure().isPresent()) {
                throw failed(outcome);
            }
            if (outcome.payload().isPresent()) {
                try {
                    sink.accept(outcome.payloadType().orElseThrow(), outcome.payload().get());
                } catch (IOException e) {
                    throw failed(session.fail(FailureReason.LOCAL_ERROR, "writing the received stream failed: " + e));
                }
            }
            if (outcome.state() == SessionState.STREAM_RECEIVED) {
                return session.streamSummary().orElseThrow();
            }
        }
    }

    private static ProtocolFailureException failed(Outcome outcome) {
        return new ProtocolFailureException(outcome.failure().orElseThrow(
                () -> new IllegalStateException("the session reported no failure: " + outcome)), outcome.messages());
    }
}
