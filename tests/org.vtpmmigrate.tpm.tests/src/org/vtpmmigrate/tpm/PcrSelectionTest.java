package org.vtpmmigrate.tpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** PCR selections and values: ordering, validation, equality. */
class PcrSelectionTest {

    @Test
    void keepsBankOrderAndSortsIndices() {
        PcrSelection selection = PcrSelection.builder().add(PcrBank.SHA256, 16, 3, 0).add(PcrBank.SHA1, 7)
                .add(PcrBank.SHA256, 1).build();
        assertEquals(List.of(PcrBank.SHA256, PcrBank.SHA1), selection.banks());
        assertEquals(List.of(0, 1, 3, 16), List.copyOf(selection.indices(PcrBank.SHA256)));
        assertEquals(5, selection.size());
        assertEquals("sha256:0-1,3,16+sha1:7", selection.toString());
        assertTrue(selection.contains(PcrBank.SHA1, 7));
        assertTrue(selection.indices(PcrBank.SHA384).isEmpty());
    }

    @Test
    void bankOrderIsPartOfEquality() {
        PcrSelection a = PcrSelection.builder().add(PcrBank.SHA1, 0).add(PcrBank.SHA256, 0).build();
        PcrSelection b = PcrSelection.builder().add(PcrBank.SHA256, 0).add(PcrBank.SHA1, 0).build();
        assertNotEquals(a, b);
        assertEquals(a, PcrSelection.builder().add(PcrBank.SHA1, 0).add(PcrBank.SHA256, 0).build());
        assertEquals(a.hashCode(), PcrSelection.builder().add(PcrBank.SHA1, 0).add(PcrBank.SHA256, 0).build().hashCode());
    }

    @Test
    void refusesOutOfRangeIndicesAndEmptySelections() {
        IllegalArgumentException index = assertThrows(IllegalArgumentException.class,
                () -> PcrSelection.of(PcrBank.SHA256, 24));
        assertTrue(index.getMessage().contains("24"), index.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PcrSelection.of(PcrBank.SHA256, -1));
        assertThrows(IllegalArgumentException.class, () -> PcrSelection.builder().build());
        assertThrows(IllegalArgumentException.class, () -> PcrSelection.of(PcrBank.SHA256));
    }

    @Test
    void valuesAreCheckedAgainstTheSelection() {
        PcrSelection selection = PcrSelection.of(PcrBank.SHA256, 0, 16);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> PcrValues.of(selection, Map.of(PcrBank.SHA256, Map.of(0, new byte[32]))));
        assertTrue(missing.getMessage().contains("sha256:16"), missing.getMessage());
        IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
                () -> PcrValues.of(selection, Map.of(PcrBank.SHA256, Map.of(0, new byte[32], 16, new byte[20]))));
        assertTrue(length.getMessage().contains("20 bytes, expected 32"), length.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PcrValues.of(selection,
                Map.of(PcrBank.SHA256, Map.of(0, new byte[32], 16, new byte[32], 17, new byte[32]))));
        assertThrows(IllegalArgumentException.class, () -> PcrValues.of(selection,
                Map.of(PcrBank.SHA256, Map.of(0, new byte[32], 16, new byte[32]), PcrBank.SHA1, Map.of())));
    }

    @Test
    void valuesAreCopiedAndOrdered() {
        PcrSelection selection = PcrSelection.builder().add(PcrBank.SHA1, 5).add(PcrBank.SHA256, 9, 2).build();
        byte[] sha1Value = filled(20, 1);
        PcrValues values = PcrValues.of(selection, Map.of(PcrBank.SHA1, Map.of(5, sha1Value),
                PcrBank.SHA256, Map.of(2, filled(32, 2), 9, filled(32, 9))));
        sha1Value[0] = 99;
        assertArrayEquals(filled(20, 1), values.value(PcrBank.SHA1, 5));
        List<byte[]> ordered = values.valuesInSelectionOrder();
        assertArrayEquals(filled(20, 1), ordered.get(0));
        assertArrayEquals(filled(32, 2), ordered.get(1));
        assertArrayEquals(filled(32, 9), ordered.get(2));
        ordered.get(0)[0] = 42;
        assertArrayEquals(filled(20, 1), values.value(PcrBank.SHA1, 5));
        assertThrows(IllegalArgumentException.class, () -> values.value(PcrBank.SHA256, 5));
    }

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }
}
