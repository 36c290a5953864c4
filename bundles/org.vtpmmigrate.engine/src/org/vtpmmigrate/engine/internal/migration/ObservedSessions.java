package org.vtpmmigrate.engine.internal.migration;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Optional;
import org.vtpmmigrate.protocol.DestinationSession;
import org.vtpmmigrate.protocol.Failure;
import org.vtpmmigrate.protocol.FailureReason;
import org.vtpmmigrate.protocol.MigrationSession;
import org.vtpmmigrate.protocol.Outcome;
import org.vtpmmigrate.protocol.Phase;
import org.vtpmmigrate.protocol.ProtocolFailureException;
import org.vtpmmigrate.protocol.Role;
import org.vtpmmigrate.protocol.SessionState;
import org.vtpmmigrate.protocol.SourceSession;
import org.vtpmmigrate.protocol.StreamSummary;
import org.vtpmmigrate.protocol.Verdict;
import org.vtpmmigrate.protocol.wire.MalformedFrameException;
import org.vtpmmigrate.protocol.wire.Message;
import org.vtpmmigrate.protocol.wire.MigrationRequest;
import org.vtpmmigrate.protocol.wire.RecordType;

/**
 * Sessions that tell a run's {@link MigrationTracker} about every state change and every record, so
 * the protocol bundle's driver, record writer and reader can be used as they are while the engine
 * still times each phase. Pure delegation otherwise.
 */
final class ObservedSessions {
    private ObservedSessions() {
    }

    /** Delegates every call and reports the state changes its outcomes show. */
    abstract static class Observed<S extends MigrationSession> implements MigrationSession {
        final S delegate;
        private volatile MigrationTracker tracker;

        Observed(S delegate) {
            this.delegate = delegate;
        }

        /** Where changes go from now on (a destination knows its run only after the request). */
        void track(MigrationTracker tracker) {
            this.tracker = tracker;
        }

        final Outcome observe(Outcome outcome) {
            MigrationTracker t = tracker;
            if (t != null && outcome.previousState() != outcome.state()) {
                t.stateChanged(outcome.previousState(), outcome.state());
            }
            return outcome;
        }

        final void streamed(long bytes) {
            MigrationTracker t = tracker;
            if (t != null) {
                t.streamed(bytes);
            }
        }

        @Override
        public Role role() {
            return delegate.role();
        }

        @Override
        public SessionState state() {
            return delegate.state();
        }

        @Override
        public Optional<Failure> failure() {
            return delegate.failure();
        }

        @Override
        public Optional<Verdict> peerVerdict() {
            return delegate.peerVerdict();
        }

        @Override
        public Optional<Instant> deadline() {
            return delegate.deadline();
        }

        @Override
        public Outcome handle(Message message) {
            return observe(delegate.handle(message));
        }

        @Override
        public Outcome receive(ByteBuffer frame) {
            return observe(delegate.receive(frame));
        }

        @Override
        public Outcome onMalformedFrame(MalformedFrameException problem) {
            return observe(delegate.onMalformedFrame(problem));
        }

        @Override
        public Outcome onTimeout(Phase phase) {
            return observe(delegate.onTimeout(phase));
        }

        @Override
        public Outcome onConnectionClosed() {
            return observe(delegate.onConnectionClosed());
        }

        @Override
        public Outcome fail(FailureReason reason, String detail) {
            return observe(delegate.fail(reason, detail));
        }
    }

    static final class Source extends Observed<SourceSession> implements SourceSession {
        Source(SourceSession delegate) {
            super(delegate);
        }

        @Override
        public Outcome start() {
            return observe(delegate.start());
        }

        @Override
        public int sealRecord(RecordType type, ByteBuffer plaintext, ByteBuffer frameOut)
                throws ProtocolFailureException {
            int before = plaintext.position();
            int length = delegate.sealRecord(type, plaintext, frameOut);
            streamed(plaintext.position() - before);
            return length;
        }

        @Override
        public Outcome endTransfer() {
            return observe(delegate.endTransfer());
        }

        @Override
        public Optional<StreamSummary> streamSummary() {
            return delegate.streamSummary();
        }
    }

    static final class Destination extends Observed<DestinationSession> implements DestinationSession {
        Destination(DestinationSession delegate) {
            super(delegate);
        }

        @Override
        public Outcome receive(ByteBuffer frame) {
            Outcome outcome = super.receive(frame);
            outcome.payload().ifPresent(p -> streamed(p.remaining()));
            return outcome;
        }

        @Override
        public Optional<MigrationRequest> request() {
            return delegate.request();
        }

        @Override
        public Outcome commit() {
            return observe(delegate.commit());
        }

        @Override
        public boolean commitInDoubt() {
            return delegate.commitInDoubt();
        }

        @Override
        public Optional<StreamSummary> streamSummary() {
            return delegate.streamSummary();
        }
    }
}
