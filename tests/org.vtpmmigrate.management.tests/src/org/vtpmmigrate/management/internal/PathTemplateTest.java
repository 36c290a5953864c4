package org.vtpmmigrate.management.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PathTemplateTest {
    private final PathTemplate vm = new PathTemplate("/v1/vms/{vmId}");

    @Test
    void matchesWholeSegmentsAndNamesTheParameters() {
        assertEquals(Optional.of(Map.of("vmId", "vm-1")), vm.match(List.of("v1", "vms", "vm-1")));
        assertEquals(Optional.empty(), vm.match(List.of("v1", "vms")));
        assertEquals(Optional.empty(), vm.match(List.of("v1", "vms", "vm-1", "")));
        assertEquals(Optional.empty(), vm.match(List.of("v2", "vms", "vm-1")));
    }

    @Test
    void expandingEncodesAndDecodingRestores() {
        String raw = vm.expand("a b/ü%");
        assertEquals("/v1/vms/a%20b%2F%C3%BC%25", raw);
        assertEquals(List.of("v1", "vms", "a b/ü%"), PathTemplate.decodeSegments(raw));
        assertThrows(IllegalArgumentException.class, () -> vm.expand());
        assertThrows(IllegalArgumentException.class, () -> vm.expand("a", "b"));
    }

    @Test
    void badPercentEncodingIsRefused() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PathTemplate.percentDecode("a%2"))
                .getMessage().contains("bad percent-encoding at index 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PathTemplate.percentDecode("%C3%28"))
                .getMessage().contains("not UTF-8"));
        assertEquals("a+b", PathTemplate.percentDecode("a+b"));
    }

    @Test
    void emptySegmentsAreKeptSoTheyMatchNothing() {
        assertEquals(List.of("v1", "", "host"), PathTemplate.decodeSegments("/v1//host"));
        assertEquals(List.of("v1", "host", ""), PathTemplate.decodeSegments("/v1/host/"));
        assertThrows(IllegalArgumentException.class, () -> PathTemplate.decodeSegments("v1/host"));
        assertThrows(IllegalArgumentException.class, () -> new PathTemplate("/v1/host/"));
    }
}
