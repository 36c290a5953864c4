package org.vtpmmigrate.discovery.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class TxtRecordTest {

    @Test
    void encodesLengthPrefixedStringsInOrderAndDecodesThemBack() throws Exception {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("api", "v1");
        attributes.put("tpm", "swtpm");
        byte[] data = TxtRecord.encode(attributes);
        assertArrayEquals(bytes("\u0006api=v1\u0009tpm=swtpm"), data);
        assertEquals(attributes, TxtRecord.decode(data));
    }

    @Test
    void keysAreCaseInsensitiveAndTheFirstOccurrenceWins() throws Exception {
        Map<String, String> decoded = TxtRecord.decode(bytes("\u0006API=v1\u0006api=v2"));
        assertEquals(Map.of("api", "v1"), decoded);
    }

    @Test
    void skipsEmptyStringsAndStringsWithoutKeyAndReadsBooleanAttributesAsEmpty() throws Exception {
        Map<String, String> decoded = TxtRecord.decode(bytes("\u0000\u0004=abc\u0004flag\u0004k=a="));
        assertEquals(Map.of("flag", "", "k", "a="), decoded);
    }

    @Test
    void truncatedStringIsRejectedWithItsOffset() {
        MalformedAnnouncementException e = assertThrows(MalformedAnnouncementException.class,
                () -> TxtRecord.decode(bytes("\u0006api=v1\u0009tpm=")));
        assertEquals("TXT string at offset 7 declares 9 bytes but only 4 remain", e.getMessage());
    }

    @Test
    void nonPrintableByteIsRejectedWithItsOffset() {
        MalformedAnnouncementException e = assertThrows(MalformedAnnouncementException.class,
                () -> TxtRecord.decode(bytes("\u0006api=v1\u0005tpm=\u0007")));
        assertEquals("TXT string at offset 7 has non-printable byte 0x7 at offset 12", e.getMessage());
    }

    @Test
    void dataLongerThanTheLimitIsRejectedBeforeParsing() {
        byte[] data = new byte[TxtRecord.MAX_BYTES + 1];
        MalformedAnnouncementException e = assertThrows(MalformedAnnouncementException.class,
                () -> TxtRecord.decode(data));
        assertEquals("TXT record is 513 bytes, more than 512", e.getMessage());
    }

    @Test
    void encodingRefusesAttributesThatDoNotFitOneString() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TxtRecord.encode(Map.of("pad", "x".repeat(252))));
        assertEquals("TXT attribute 'pad' is 256 bytes, more than 255", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TxtRecord.encode(Map.of("a=b", "c")));
    }

    @Test
    void emptyTxtIsNothingOrOneEmptyString() {
        assertTrue(TxtRecord.isEmpty(new byte[0]));
        assertTrue(TxtRecord.isEmpty(new byte[] {0}));
        assertFalse(TxtRecord.isEmpty(bytes("\u0001a")));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
