package org.vtpmmigrate.attest.tpm2.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.vtpmmigrate.attest.tpm2.TpmFormatException;

class TpmReaderTest {
    @Test
    void writerAndReaderAgree() throws Exception {
        byte[] b = new TpmWriter().u8(7).u16(0xBEEF).u32(0xFFFF_FFFFL).u64(-2L).tpm2b(new byte[] {1, 2}).toByteArray();
        TpmReader r = TpmReader.of(b, "T");
        assertEquals(7, r.u8("a"));
        assertEquals(0xBEEF, r.u16("b"));
        assertEquals(0xFFFF_FFFFL, r.u32("c"));
        assertEquals(-2L, r.u64("d"));
        assertArrayEquals(new byte[] {1, 2}, r.tpm2b("e", 2));
        r.expectEnd();
    }

    @Test
    void littleEndianReadsHostStructures() throws Exception {
        TpmReader r = TpmReader.littleEndian(new byte[] {0x0b, 0x00, 0x01, 0x00, 0x00, 0x00}, "host");
        assertEquals(0x000b, r.u16("hash"));
        assertEquals(1, r.u32("count"));
    }

    @Test
    void sizeBeyondTheInputNamesFieldAndOffset() {
        TpmReader r = TpmReader.of(new byte[] {9, 0, 3, 1}, "T");
        TpmFormatException e = assertThrows(TpmFormatException.class, () -> {
            r.skip("pad", 1);
            r.tpm2b("f", 64);
        });
        assertEquals("T.f.size", e.field());
        assertEquals(1, e.offset());
        assertTrue(e.getMessage().contains("size 3 exceeds the 1 bytes left"), e.getMessage());
    }

    @Test
    void sizeBeyondTheFieldMaximumIsRefusedEvenIfTheBytesArePresent() {
        byte[] b = new TpmWriter().tpm2b(new byte[65]).toByteArray();
        TpmFormatException e = assertThrows(TpmFormatException.class, () -> TpmReader.of(b, "T").tpm2b("digest", 64));
        assertTrue(e.getMessage().contains("size 65 exceeds the maximum 64"), e.getMessage());
    }

    @Test
    void countsAreBounded() {
        byte[] b = new TpmWriter().u32(0x8000_0000L).toByteArray();
        TpmFormatException e = assertThrows(TpmFormatException.class, () -> TpmReader.of(b, "T").count32("count", 16));
        assertTrue(e.getMessage().contains("count 2147483648 exceeds the maximum 16"), e.getMessage());
    }

    @Test
    void shortReadsFail() {
        TpmFormatException e = assertThrows(TpmFormatException.class, () -> TpmReader.of(new byte[3], "T").u32("x"));
        assertEquals("T.x", e.field());
        assertTrue(e.getMessage().contains("needs 4 bytes, only 3 left"), e.getMessage());
    }

    @Test
    void writerRefusesValuesThatDoNotFit() {
        assertThrows(IllegalArgumentException.class, () -> new TpmWriter().u16(0x10000));
        assertThrows(IllegalArgumentException.class, () -> new TpmWriter().tpm2b(new byte[0x10000]));
    }
}
