package org.vtpmmigrate.attest.eventlog;

import java.util.List;
import java.util.Optional;

import org.vtpmmigrate.attest.HashAlgorithm;

/**
 * One event of a TCG PC Client event log, as logged. Immutable.
 * <p>
 * Only the digests reach the TPM; the type and the data are the firmware's account of what
 * it measured and are trusted only as far as policy checks them.
 */
public final class TcgEvent {
    private final int index;
    private final long offset;
    private final long pcrIndex;
    private final long typeValue;
    private final List<EventDigest> digests;
    private final byte[] data;
    private final EventData decoded;

    TcgEvent(int index, long offset, long pcrIndex, long typeValue, List<EventDigest> digests, byte[] data,
            EventData decoded) {
        this.index = index;
        this.offset = offset;
        this.pcrIndex = pcrIndex;
        this.typeValue = typeValue;
        this.digests = List.copyOf(digests);
        this.data = data;
        this.decoded = decoded;
    }

    /** Zero-based position in the log (the first event, the Spec ID event in a crypto-agile log, is 0). */
    public int index() {
        return index;
    }

    /** Byte offset of the event's first byte in the log. */
    public long offset() {
        return offset;
    }

    /**
     * The PCR index as logged (unsigned 32 bit). For extended events it is within 0..23 (checked
     * when parsing); EV_NO_ACTION events may carry anything, e.g. 0xFFFFFFFF in Windows logs.
     */
    public long pcrIndex() {
        return pcrIndex;
    }

    /** The event type as logged (unsigned 32 bit), known to {@link EventType} or not. */
    public long typeValue() {
        return typeValue;
    }

    public Optional<EventType> type() {
        return EventType.fromValue(typeValue);
    }

    /** {@code EV_...} name, or {@code 0x%08X} for an unknown type. */
    public String typeName() {
        return EventType.nameOf(typeValue);
    }

    /** Whether the event was extended into its PCR: every event except EV_NO_ACTION. */
    public boolean isExtended() {
        return typeValue != EventType.EV_NO_ACTION.value();
    }

    /** The digests in log order (one SHA-1 digest in a SHA-1 format log). */
    public List<EventDigest> digests() {
        return digests;
    }

    /** The digest for {@code bank}, if the event carries one. */
    public Optional<byte[]> digest(HashAlgorithm bank) {
        for (EventDigest d : digests) {
            if (d.algorithmId() == bank.tpmAlgId()) {
                return Optional.of(d.value());
            }
        }
        return Optional.empty();
    }

    /** The event data as logged (at most {@link EventLog#MAX_EVENT_DATA_BYTES}). */
    public byte[] data() {
        return data.clone();
    }

    public int dataLength() {
        return data.length;
    }

    /**
     * The event data decoded, for the types {@link EventData} describes; empty for other types
     * and when the data does not have the structure its type calls for (the raw data is still
     * in {@link #data()}).
     */
    public Optional<EventData> decoded() {
        return Optional.ofNullable(decoded);
    }

    @Override
    public String toString() {
        return "event " + index + " PCR " + pcrIndex + " " + typeName() + " " + digests
                + decoded().map(d -> " " + d).orElse("");
    }
}
