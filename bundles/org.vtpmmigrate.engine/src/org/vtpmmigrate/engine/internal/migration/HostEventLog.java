package org.vtpmmigrate.engine.internal.migration;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.eventlog.EventLog;
import org.vtpmmigrate.attest.eventlog.EventLogFormatException;
import org.vtpmmigrate.attest.eventlog.EventType;
import org.vtpmmigrate.attest.eventlog.SpecIdEvent;
import org.vtpmmigrate.protocol.wire.Limits;

/**
 * The host's TCG event log in the crypto-agile format (TCG PC Client Platform Firmware Profile):
 * a Spec ID event listing the log's banks, then one TCG_PCR_EVENT2 per measurement with a digest
 * per bank. Each measurement's digest in a bank is that bank's hash of the measured bytes, which is
 * what the host extends, so the log replays to the PCRs. Not thread-safe: the platform serialises.
 */
final class HostEventLog {
    private static final byte[] SPEC_ID_SIGNATURE = "Spec ID Event03\0".getBytes(StandardCharsets.US_ASCII);
    private static final int SHA1_DIGEST_LENGTH = 20;
    /** The log travels in evidence, so it is bounded by the protocol's limit. */
    static final int MAX_LOG_BYTES = Limits.MAX_EVENT_LOG_LENGTH;

    private final List<HashAlgorithm> banks;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private int eventCount;

    private HostEventLog(List<HashAlgorithm> banks) {
        if (banks.isEmpty()) {
            throw new IllegalArgumentException("an event log needs at least one bank");
        }
        this.banks = List.copyOf(banks);
    }

    /** A log holding only the Spec ID event for {@code banks}. */
    static HostEventLog create(List<HashAlgorithm> banks) {
        HostEventLog log = new HostEventLog(banks);
        log.writeSpecIdEvent();
        return log;
    }

    /**
     * Continues a log read back: from a file of an earlier run of this engine, or the firmware's log
     * of this boot. Its banks are the Spec ID event's; events appended later carry all of them.
     *
     * @throws EventLogFormatException if it does not parse, or its Spec ID banks do not include
     *     {@code required} or name an algorithm this host cannot extend
     */
    static HostEventLog resume(byte[] existing, HashAlgorithm required) throws EventLogFormatException {
        EventLog parsed = EventLog.parse(existing);
        List<HashAlgorithm> logged = new ArrayList<>();
        for (SpecIdEvent.AlgorithmSize a : parsed.specId().orElseThrow(() -> new EventLogFormatException(-1, 0,
                "not a crypto-agile log")).algorithms()) {
            logged.add(a.algorithm().orElseThrow(() -> new EventLogFormatException(0, 0,
                    String.format("algorithm 0x%04X is not one this host extends", a.algorithmId()))));
        }
        if (!logged.contains(required)) {
            throw new EventLogFormatException(0, 0, "log banks " + logged + " do not include " + required);
        }
        HostEventLog log = new HostEventLog(logged);
        log.bytes.writeBytes(existing);
        log.eventCount = parsed.events().size();
        return log;
    }

    List<HashAlgorithm> banks() {
        return banks;
    }

    /** The digest per bank a measurement of {@code measured} extends. */
    Map<HashAlgorithm, byte[]> digests(byte[] measured) {
        Map<HashAlgorithm, byte[]> digests = new LinkedHashMap<>();
        for (HashAlgorithm bank : banks) {
            digests.put(bank, bank.digest(measured));
        }
        return digests;
    }

    /** How many bytes one more event of {@code dataLength} data bytes adds. */
    int eventSize(int dataLength) {
        int digests = 0;
        for (HashAlgorithm bank : banks) {
            digests += 2 + bank.digestSize();
        }
        return 4 + 4 + 4 + digests + 4 + dataLength;
    }

    /** Whether an event of {@code dataLength} data bytes still fits within {@link #MAX_LOG_BYTES}. */
    boolean fits(int dataLength) {
        return hasRoomFor(eventSize(dataLength));
    }

    /** Whether {@code additionalBytes} more (whole events) still fit within {@link #MAX_LOG_BYTES}. */
    boolean hasRoomFor(long additionalBytes) {
        return bytes.size() + additionalBytes <= MAX_LOG_BYTES;
    }

    /**
     * Appends an extended event.
     *
     * @param digests one digest per bank of this log, as extended
     * @throws IllegalStateException if the log would exceed {@link #MAX_LOG_BYTES}
     */
    void append(int pcr, EventType type, Map<HashAlgorithm, byte[]> digests, byte[] data) {
        if (!fits(data.length)) {
            throw new IllegalStateException("the host event log would exceed " + MAX_LOG_BYTES
                    + " bytes; restart the host to start a new one");
        }
        ByteBuffer event = ByteBuffer.allocate(eventSize(data.length)).order(ByteOrder.LITTLE_ENDIAN);
        event.putInt(pcr).putInt((int) type.value()).putInt(banks.size());
        for (HashAlgorithm bank : banks) {
            byte[] digest = digests.get(bank);
            if (digest == null || digest.length != bank.digestSize()) {
                throw new IllegalArgumentException("event for PCR " + pcr + " lacks a " + bank.bankName() + " digest");
            }
            event.putShort((short) bank.tpmAlgId()).put(digest);
        }
        event.putInt(data.length).put(data);
        bytes.writeBytes(event.array());
        eventCount++;
    }

    /** The whole log as it would be read from {@code binary_bios_measurements}. */
    byte[] bytes() {
        return bytes.toByteArray();
    }

    int eventCount() {
        return eventCount;
    }

    private void writeSpecIdEvent() {
        ByteBuffer specId = ByteBuffer.allocate(16 + 4 + 4 + 4 + 4 * banks.size() + 1).order(ByteOrder.LITTLE_ENDIAN);
        specId.put(SPEC_ID_SIGNATURE).putInt(0); // platformClass: client
        specId.put((byte) 0).put((byte) 2).put((byte) 0); // spec version 2.0, errata 0
        specId.put((byte) 2); // uintnSize: UINT64
        specId.putInt(banks.size());
        for (HashAlgorithm bank : banks) {
            specId.putShort((short) bank.tpmAlgId()).putShort((short) bank.digestSize());
        }
        specId.put((byte) 0); // no vendor info
        byte[] data = specId.array();
        ByteBuffer event = ByteBuffer.allocate(4 + 4 + SHA1_DIGEST_LENGTH + 4 + data.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        event.putInt(0).putInt((int) EventType.EV_NO_ACTION.value()).put(new byte[SHA1_DIGEST_LENGTH])
                .putInt(data.length).put(data);
        bytes.writeBytes(event.array());
        eventCount = 1;
    }
}
