package org.vtpmmigrate.attest.eventlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each way a log can be malformed gives one {@link EventLogFormatException} that names the
 * event, the byte offset and the problem.
 */
class EventLogMalformedTest {
    private static final byte[] D256 = LogBuilder.filled(32, 0x5A);
    private static final byte[] D1 = LogBuilder.filled(20, 0x5A);
    /** Length of the Spec ID event of a one-algorithm log: 32-byte header + 33 bytes of data. */
    private static final int AFTER_SPEC_ID_1 = 32 + 33;

    private static EventLogFormatException refused(byte[] log, int eventIndex, long offset, String fragment) {
        EventLogFormatException e = assertThrows(EventLogFormatException.class, () -> EventLog.parse(log));
        assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
        assertEquals(eventIndex, e.eventIndex(), "event index in: " + e.getMessage());
        assertEquals(offset, e.offset(), "offset in: " + e.getMessage());
        return e;
    }

    private static LogBuilder sha256Log() {
        return LogBuilder.cryptoAgile(LogBuilder.SHA256, 32);
    }

    @Test
    void emptyInput() {
        refused(new byte[0], -1, 0, "empty input");
    }

    @Test
    void firstEventTooShort() {
        refused(new byte[10], 0, 0, "10 bytes left, too few for a 32-byte TCG_PCR_EVENT header");
    }

    @Test
    void acpiTableInsteadOfLog() {
        byte[] table = new byte[48];
        System.arraycopy("TCPA".getBytes(StandardCharsets.US_ASCII), 0, table, 0, 4);
        table[4] = 48;
        refused(table, -1, 0, "ACPI TCPA table");
    }

    @Test
    void textInsteadOfLog() {
        byte[] text = "this is not an event log, it is a sentence.\n".getBytes(StandardCharsets.US_ASCII);
        refused(text, 0, 32, "printable text");
    }

    @Test
    void truncatedEvent() {
        byte[] log = sha256Log().event2(4, LogBuilder.EV_SEPARATOR, new byte[4], LogBuilder.SHA256, D256).build();
        byte[] cut = Arrays.copyOf(log, log.length - 3);
        EventLogFormatException e = refused(cut, 1, cut.length - 1, "Event: needs 4 bytes, only 1 left");
        assertEquals("Event: needs 4 bytes, only 1 left", e.problem());
    }

    @Test
    void headerCutInsideTheDigest() {
        byte[] log = sha256Log().event2(4, LogBuilder.EV_SEPARATOR, new byte[4], LogBuilder.SHA256, D256).build();
        refused(Arrays.copyOf(log, AFTER_SPEC_ID_1 + 20), 1, AFTER_SPEC_ID_1 + 14, "Digests.digest: needs 32 bytes");
    }

    @Test
    void moreDigestsThanAlgorithms() {
        byte[] log = sha256Log().u32(4).u32(LogBuilder.EV_SEPARATOR).u32(5).build();
        refused(log, 1, AFTER_SPEC_ID_1, "digest count 5 exceeds the 1 algorithms of the Spec ID event");
    }

    @Test
    void hugeDigestCountIsRefusedBeforeAnyAllocation() {
        byte[] log = sha256Log().u32(4).u32(LogBuilder.EV_SEPARATOR).u32(0xFFFFFFFFL).build();
        refused(log, 1, AFTER_SPEC_ID_1, "digest count 4294967295");
    }

    @Test
    void digestOfAnAlgorithmTheSpecIdDoesNotList() {
        byte[] log = sha256Log().event2(4, LogBuilder.EV_SEPARATOR, new byte[4], 0x0005, D256).build();
        refused(log, 1, AFTER_SPEC_ID_1, "digest 0 has algorithm 0x0005, which the Spec ID event does not list");
    }

    @Test
    void repeatedDigestAlgorithm() {
        byte[] log = LogBuilder.cryptoAgile(LogBuilder.SHA1, 20, LogBuilder.SHA256, 32)
                .event2(4, LogBuilder.EV_SEPARATOR, new byte[4], LogBuilder.SHA1, D1, LogBuilder.SHA1, D1).build();
        refused(log, 1, 32 + 37, "digest 1 repeats algorithm 0x0004");
    }

    @Test
    void extendedEventOutsidePcr0To23() throws Exception {
        byte[] bad = sha256Log().event2(24, LogBuilder.EV_SEPARATOR, new byte[4], LogBuilder.SHA256, D256).build();
        refused(bad, 1, AFTER_SPEC_ID_1, "PCR index 24 of an extended event is outside 0..23");
        // an EV_NO_ACTION event may name any PCR
        byte[] fine = sha256Log().event2(24, LogBuilder.EV_NO_ACTION, new byte[4], LogBuilder.SHA256, D256).build();
        assertEquals(2, EventLog.parse(fine).events().size());
    }

    @Test
    void eventDataOverTheLimitIsRefusedBeforeAllocation() {
        byte[] log = sha256Log().u32(4).u32(LogBuilder.EV_SEPARATOR).u32(1).u16(LogBuilder.SHA256).bytes(D256)
                .u32(0xFFFFFFFFL).build();
        refused(log, 1, AFTER_SPEC_ID_1 + 50,
                "Event: length 4294967295 exceeds the limit of " + EventLog.MAX_EVENT_DATA_BYTES);
    }

    @Test
    void eventDataBeyondTheInput() {
        byte[] log = sha256Log().u32(4).u32(LogBuilder.EV_SEPARATOR).u32(1).u16(LogBuilder.SHA256).bytes(D256)
                .u32(1000).bytes(new byte[10]).build();
        refused(log, 1, AFTER_SPEC_ID_1 + 50, "Event: needs 1000 bytes, only 10 left");
    }

    @Test
    void misplacedStartupLocality() {
        byte[] afterExtend = sha256Log().event2(0, LogBuilder.EV_POST_CODE, new byte[0], LogBuilder.SHA256, D256)
                .event2(0, LogBuilder.EV_NO_ACTION, LogBuilder.startupLocality(3), LogBuilder.SHA256, new byte[32])
                .build();
        refused(afterExtend, 2, AFTER_SPEC_ID_1 + 50, "StartupLocality event after PCR 0 was already extended");
        byte[] twice = sha256Log()
                .event2(0, LogBuilder.EV_NO_ACTION, LogBuilder.startupLocality(3), LogBuilder.SHA256, new byte[32])
                .event2(0, LogBuilder.EV_NO_ACTION, LogBuilder.startupLocality(0), LogBuilder.SHA256, new byte[32])
                .build();
        refused(twice, 2, AFTER_SPEC_ID_1 + 67, "second StartupLocality event");
        byte[] wrongPcr = sha256Log()
                .event2(1, LogBuilder.EV_NO_ACTION, LogBuilder.startupLocality(3), LogBuilder.SHA256, new byte[32])
                .build();
        refused(wrongPcr, 1, AFTER_SPEC_ID_1, "StartupLocality event has PCR index 1");
        byte[] badLocality = sha256Log()
                .event2(0, LogBuilder.EV_NO_ACTION, LogBuilder.startupLocality(5), LogBuilder.SHA256, new byte[32])
                .build();
        refused(badLocality, 1, AFTER_SPEC_ID_1, "StartupLocality 5 is not a TPM locality");
    }

    @Test
    void misplacedHcrtmEvent() {
        byte[] late = sha256Log().event2(0, LogBuilder.EV_POST_CODE, new byte[0], LogBuilder.SHA256, D256)
                .event2(0, LogBuilder.EV_EFI_HCRTM_EVENT, new byte[5], LogBuilder.SHA256, D256).build();
        refused(late, 2, AFTER_SPEC_ID_1 + 50, "EV_EFI_HCRTM_EVENT after PCR 0 was already extended");
        byte[] wrongPcr = sha256Log().event2(2, LogBuilder.EV_EFI_HCRTM_EVENT, new byte[5], LogBuilder.SHA256, D256)
                .build();
        refused(wrongPcr, 1, AFTER_SPEC_ID_1, "EV_EFI_HCRTM_EVENT has PCR index 2");
    }

    private static byte[] withSpecId(long pcr, byte[] specIdData) {
        return new LogBuilder().sha1Event(pcr, LogBuilder.EV_NO_ACTION, new byte[20], specIdData).build();
    }

    @Test
    void malformedSpecIdEvents() {
        refused(withSpecId(1, LogBuilder.specId(new int[] {LogBuilder.SHA256, 32}, new byte[0])), 0, 0,
                "Spec ID event has PCR index 1");
        refused(withSpecId(0, LogBuilder.specId(new int[0], new byte[0])), 0, 60,
                "numberOfAlgorithms 0 is outside 1..16");
        refused(withSpecId(0, LogBuilder.specId(new int[] {LogBuilder.SHA256, 20}, new byte[0])), 0, 64,
                "algorithm sha256 has digest size 20, not 32");
        refused(withSpecId(0, LogBuilder.specId(new int[] {0x0099, 0}, new byte[0])), 0, 64,
                "algorithm 0x0099 has digest size 0, outside 1..64");
        refused(withSpecId(0, LogBuilder.specId(new int[] {0x0099, 65}, new byte[0])), 0, 64, "digest size 65");
        refused(withSpecId(0, LogBuilder.specId(new int[] {LogBuilder.SHA1, 20, LogBuilder.SHA1, 20}, new byte[0])), 0,
                68, "algorithm 0x0004 listed twice");
        int[] seventeen = new int[34];
        for (int i = 0; i < 17; i++) {
            seventeen[2 * i] = 0x100 + i;
            seventeen[2 * i + 1] = 32;
        }
        refused(withSpecId(0, LogBuilder.specId(seventeen, new byte[0])), 0, 60, "numberOfAlgorithms 17");
        byte[] uintn = LogBuilder.specId(new int[] {LogBuilder.SHA256, 32}, new byte[0]);
        uintn[23] = 3;
        refused(withSpecId(0, uintn), 0, 56, "uintnSize 3 is neither 1 (32-bit) nor 2 (64-bit)");
        byte[] trailing = Arrays.copyOf(LogBuilder.specId(new int[] {LogBuilder.SHA256, 32}, new byte[0]), 36);
        refused(withSpecId(0, trailing), 0, 65, "3 unexpected bytes after vendorInfo");
        byte[] shortFixedPart = Arrays.copyOf(LogBuilder.specId(new int[] {LogBuilder.SHA256, 32}, new byte[0]), 20);
        refused(withSpecId(0, shortFixedPart), 0, 0, "fewer than the 28 of its fixed part");
    }

    @Test
    void tooManyEvents() {
        LogBuilder b = new LogBuilder();
        for (int i = 0; i <= EventLog.MAX_EVENTS; i++) {
            b.sha1Event(4, LogBuilder.EV_SEPARATOR, D1, new byte[0]);
        }
        refused(b.build(), EventLog.MAX_EVENTS, 32L * EventLog.MAX_EVENTS,
                "more than " + EventLog.MAX_EVENTS + " events");
    }

    @Test
    void inputOverTheSizeLimit() {
        refused(new byte[EventLog.MAX_LOG_BYTES + 1], -1, 0, "more than the limit of " + EventLog.MAX_LOG_BYTES);
    }

    @Test
    void oversizedFileIsRefusedBeforeItIsRead(@TempDir Path dir) throws Exception {
        Path big = dir.resolve("huge.bin");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(EventLog.MAX_LOG_BYTES + 4096L); // sparse: nothing is written
        }
        EventLogFormatException e = assertThrows(EventLogFormatException.class, () -> EventLog.read(big));
        assertTrue(e.getMessage().contains("file is " + Files.size(big) + " bytes"), e.getMessage());
    }
}
