package org.vtpmmigrate.protocol.memory;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.vtpmmigrate.protocol.DestinationSession;
import org.vtpmmigrate.protocol.MigrationSession;
import org.vtpmmigrate.protocol.Outcome;
import org.vtpmmigrate.protocol.ProtocolFailureException;
import org.vtpmmigrate.protocol.SessionState;
import org.vtpmmigrate.protocol.SourceSession;
import org.vtpmmigrate.protocol.wire.FrameCodec;
import org.vtpmmigrate.protocol.wire.Limits;
import org.vtpmmigrate.protocol.wire.Message;
import org.vtpmmigrate.protocol.wire.RecordType;

/**
 * Runs a source and a destination session against each other in memory, on one thread, with every
 * frame (handshake and records, encoded exactly as on a socket) passing a {@link FaultInjector}
 * that may let it through, drop, alter, hold back (reorder), duplicate or replace it. Used by unit
 * tests, the attack suite and benchmarks; time moves only through the sessions' clocks.
 */
public final class InMemoryLink {
    /** Which way a frame travels. */
    public enum Direction {
        SOURCE_TO_DESTINATION, DESTINATION_TO_SOURCE;

        Direction reverse() {
            return this == SOURCE_TO_DESTINATION ? DESTINATION_TO_SOURCE : SOURCE_TO_DESTINATION;
        }
    }

    /** Decides what the receiver gets instead of each frame in flight. */
    @FunctionalInterface
    public interface FaultInjector {
        /** Lets every frame through unchanged. */
        FaultInjector NONE = (direction, index, frame) -> List.of(frame);

        /**
         * @param index the frame's position among the frames sent in {@code direction}, from 0
         * @param frame the encoded frame (the injector may keep or modify it)
         * @return the frames to deliver now, in order: empty drops it, two duplicates it, held
         *         frames can be released later to reorder
         */
        List<byte[]> intercept(Direction direction, int index, byte[] frame);
    }

    private record InFlight(Direction direction, byte[] frame) {
    }

    private final SourceSession source;
    private final DestinationSession destination;
    private final FaultInjector faults;
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private final int[] sent = new int[2];
    private final Map<RecordType, ByteArrayOutputStream> received = new EnumMap<>(RecordType.class);
    private final List<Outcome> sourceOutcomes = new ArrayList<>();
    private final List<Outcome> destinationOutcomes = new ArrayList<>();
    private final ByteBuffer frameBuffer = ByteBuffer.allocate(FrameCodec.HEADER_LENGTH + Limits.MAX_DATA_RECORD_BODY);

    public InMemoryLink(SourceSession source, DestinationSession destination, FaultInjector faults) {
        this.source = Objects.requireNonNull(source, "source");
        this.destination = Objects.requireNonNull(destination, "destination");
        this.faults = Objects.requireNonNull(faults, "faults");
    }

    public SourceSession source() {
        return source;
    }

    public DestinationSession destination() {
        return destination;
    }

    /** Starts the source and runs the handshake as far as it goes. */
    public InMemoryLink start() {
        sendAll(Direction.SOURCE_TO_DESTINATION, record(source, source.start()));
        pump();
        return this;
    }

    /**
     * Seals {@code data} into records while the source is transferring, delivering each record
     * before the next is sealed (so a failure stops the stream where it happened).
     */
    public InMemoryLink transfer(RecordType type, byte[] data) {
        ByteBuffer in = ByteBuffer.wrap(data);
        while (in.hasRemaining() && source.state() == SessionState.TRANSFERRING) {
            frameBuffer.clear();
            int length;
            try {
                length = source.sealRecord(type, in, frameBuffer);
            } catch (ProtocolFailureException e) {
                break;
            }
            queue(Direction.SOURCE_TO_DESTINATION, Arrays.copyOf(frameBuffer.array(), length));
            pump();
        }
        return this;
    }

    /** Sends the end-of-stream record if the source is still transferring. */
    public InMemoryLink endTransfer() {
        if (source.state() == SessionState.TRANSFERRING) {
            sendAll(Direction.SOURCE_TO_DESTINATION, record(source, source.endTransfer()));
            pump();
        }
        return this;
    }

    /** The destination commits if it has received the whole stream. */
    public InMemoryLink commit() {
        if (destination.state() == SessionState.STREAM_RECEIVED) {
            sendAll(Direction.DESTINATION_TO_SOURCE, record(destination, destination.commit()));
            pump();
        }
        return this;
    }

    /** A whole run: handshake, {@code stream} as migration stream records, end of stream, commit. */
    public InMemoryLink migrate(byte[] stream) {
        return start().transfer(RecordType.MIGRATION_STREAM, stream).endTransfer().commit();
    }

    /** Fires each session's timer for its current phase (the sessions decide with their clocks). */
    public InMemoryLink expireDeadlines() {
        sendAll(Direction.SOURCE_TO_DESTINATION, record(source, source.onTimeout(source.state().phase())));
        sendAll(Direction.DESTINATION_TO_SOURCE,
                record(destination, destination.onTimeout(destination.state().phase())));
        pump();
        return this;
    }

    /** The connection drops: frames in flight are lost and both sessions learn of it. */
    public InMemoryLink closeConnection() {
        inFlight.clear();
        record(source, source.onConnectionClosed());
        record(destination, destination.onConnectionClosed());
        return this;
    }

    /** Delivers a frame straight to the receiver of {@code direction}, bypassing the injector. */
    public InMemoryLink inject(Direction direction, byte[] frame) {
        deliver(direction, frame);
        pump();
        return this;
    }

    /** Delivers frames in flight (through the injector) until none are left. */
    public InMemoryLink pump() {
        InFlight next;
        while ((next = inFlight.poll()) != null) {
            int index = sent[next.direction().ordinal()]++;
            for (byte[] frame : faults.intercept(next.direction(), index, next.frame())) {
                deliver(next.direction(), frame);
            }
        }
        return this;
    }

    private void deliver(Direction direction, byte[] frame) {
        MigrationSession receiver = direction == Direction.SOURCE_TO_DESTINATION ? destination : source;
        Outcome outcome = record(receiver, receiver.receive(ByteBuffer.wrap(frame)));
        outcome.payload().ifPresent(p -> {
            ByteArrayOutputStream sink = received.computeIfAbsent(outcome.payloadType().orElseThrow(),
                    t -> new ByteArrayOutputStream());
            sink.write(p.array(), p.arrayOffset() + p.position(), p.remaining());
        });
        sendAll(direction.reverse(), outcome);
    }

    private Outcome record(MigrationSession session, Outcome outcome) {
        (session == source ? sourceOutcomes : destinationOutcomes).add(outcome);
        return outcome;
    }

    private void sendAll(Direction direction, Outcome outcome) {
        for (Message m : outcome.messages()) {
            queue(direction, FrameCodec.encode(m));
        }
    }

    private void queue(Direction direction, byte[] frame) {
        inFlight.add(new InFlight(direction, frame));
    }

    /** The payload the destination opened, per record type, concatenated. */
    public byte[] received(RecordType type) {
        ByteArrayOutputStream b = received.get(type);
        return b == null ? new byte[0] : b.toByteArray();
    }

    /** Every outcome the source produced, in order. */
    public List<Outcome> sourceOutcomes() {
        return Collections.unmodifiableList(sourceOutcomes);
    }

    /** Every outcome the destination produced, in order. */
    public List<Outcome> destinationOutcomes() {
        return Collections.unmodifiableList(destinationOutcomes);
    }
}
