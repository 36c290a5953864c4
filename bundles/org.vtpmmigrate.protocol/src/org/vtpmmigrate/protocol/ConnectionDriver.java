package org.vtpmmigrate.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.vtpmmigrate.protocol.wire.FrameCodec;
import org.vtpmmigrate.protocol.wire.FrameInput;
import org.vtpmmigrate.protocol.wire.MalformedFrameException;
import org.vtpmmigrate.protocol.wire.Message;

/**
 * Relays between a session and a blocking connection (a socket's streams): reads frames, hands them
 * to the session, writes what it answers. It only blocks on the connection; deadlines stay the
 * engine's job (a watchdog that calls {@link MigrationSession#onTimeout} and closes the connection
 * when the session fails). For the transfer use {@link RecordWriter} and {@link RecordReader} on
 * the same streams.
 */
public final class ConnectionDriver {
    private final MigrationSession session;
    private final FrameInput in;
    private final InputStream rawIn;
    private final OutputStream out;

    public ConnectionDriver(MigrationSession session, InputStream in, OutputStream out) {
        this.session = Objects.requireNonNull(session, "session");
        this.rawIn = Objects.requireNonNull(in, "in");
        this.in = new FrameInput(in);
        this.out = Objects.requireNonNull(out, "out");
    }

    /** The input stream, for a {@link RecordReader} that takes over during the transfer. */
    public InputStream input() {
        return rawIn;
    }

    /** The output stream, for a {@link RecordWriter} that takes over during the transfer. */
    public OutputStream output() {
        return out;
    }

    /**
     * Writes the outcome's messages.
     *
     * @throws ProtocolFailureException after writing, when the outcome ended the run (its Abort was
     *             sent as well as the connection allowed)
     */
    public void send(Outcome outcome) throws IOException {
        try {
            // one write per flight: fewer packets, and the peer sees the flight together
            java.io.ByteArrayOutputStream flight = new java.io.ByteArrayOutputStream();
            for (Message m : outcome.messages()) {
                flight.writeBytes(FrameCodec.encode(m));
            }
            out.write(flight.toByteArray());
            out.flush();
        } catch (IOException e) {
            if (outcome.failure().isEmpty()) {
                throw e;
            }
            // the run has failed anyway; the Abort could not be delivered
        }
        if (outcome.failure().isPresent()) {
            throw new ProtocolFailureException(outcome.failure().get(), outcome.messages());
        }
    }

    /**
     * Reads and handles frames until the session reaches {@code target} (or returns at once when it
     * is there).
     *
     * @throws ProtocolFailureException when the run fails on the way, for whatever reason (the
     *             peer's messages, a malformed frame, the connection closing, a timeout reported by
     *             the engine's watchdog)
     */
    public void runUntil(SessionState target) throws IOException {
        while (session.state() != target) {
            if (session.state().isTerminal()) {
                throw new IllegalStateException("the session ended in " + session.state() + " before reaching "
                        + target);
            }
            ByteBuffer frame;
            Outcome outcome;
            try {
                frame = in.read();
                outcome = frame == null ? session.onConnectionClosed() : session.receive(frame);
            } catch (MalformedFrameException e) {
                outcome = session.onMalformedFrame(e);
            } catch (IOException e) {
                // a watchdog may have failed the session and closed the connection under us
                outcome = session.failure().isPresent() ? null : session.onConnectionClosed();
                if (outcome == null) {
                    throw new ProtocolFailureException(session.failure().get(), java.util.List.of());
                }
            }
            send(outcome);
        }
    }
}
