package org.vtpmmigrate.attest.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The launch log's JSON form and its replay into the launch PCR. */
class LaunchLogTest {
    private static final byte[] A = sha256("a");
    private static final byte[] B = sha256("b");

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void jsonRoundTripsAndSelectsTheJudgedVmsEvents() throws Exception {
        LaunchLog log = LaunchLog.of(Optional.of("web-1"), List.of(new LaunchLog.Event(Optional.of("db-1"), "firmware", A),
                new LaunchLog.Event(Optional.empty(), "kernel", B), new LaunchLog.Event(Optional.of("web-1"), "disk:vda", A)));
        LaunchLog again = LaunchLog.fromJson(log.toJson(), "launch.json");
        assertEquals(log.toJson(), again.toJson());
        assertEquals(List.of("kernel", "disk:vda"), again.vmEvents().stream().map(LaunchLog.Event::name).toList());
        assertEquals(Optional.of("web-1"), again.vm());
    }

    @Test
    void replayExtendsTheDomainSeparatedDigestOfEveryEventInOrder() {
        LaunchLog log = LaunchLog.of(Optional.empty(), List.of(new LaunchLog.Event(Optional.empty(), "firmware", A),
                new LaunchLog.Event(Optional.empty(), "kernel", B)));
        // by hand: pcr = H(H(0^32 || e1) || e2), e = H("vtpm-migrate launch-event v1" 0 name 0 digest)
        byte[] e1 = sha256Concat("vtpm-migrate launch-event v1\0firmware\0".getBytes(StandardCharsets.UTF_8), A);
        byte[] e2 = sha256Concat("vtpm-migrate launch-event v1\0kernel\0".getBytes(StandardCharsets.UTF_8), B);
        byte[] expected = sha256Concat(sha256Concat(new byte[32], e1), e2);
        assertArrayEquals(expected, log.replay());
        assertArrayEquals(e1, LaunchLog.extendDigest("firmware", A));
        LaunchLog swapped = LaunchLog.of(Optional.empty(), List.of(new LaunchLog.Event(Optional.empty(), "kernel", A),
                new LaunchLog.Event(Optional.empty(), "firmware", B)));
        assertTrue(!HexFormat.of().formatHex(swapped.replay()).equals(HexFormat.of().formatHex(expected)),
                "relabelled measurements replay differently");
    }

    private static byte[] sha256Concat(byte[] a, byte[] b) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(a);
            md.update(b);
            return md.digest();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void malformedLaunchLogsAreRefusedWithPath() {
        PolicyFormatException name = assertThrows(PolicyFormatException.class, () -> LaunchLog.fromJson(
                "{\"events\": [{\"name\": \"Kernel\", \"sha256\": \"" + "00".repeat(32) + "\"}]}", "l.json"));
        assertEquals("events[0].name", name.path());
        PolicyFormatException unknown = assertThrows(PolicyFormatException.class, () -> LaunchLog.fromJson(
                "{\"events\": [], \"host\": \"x\"}", "l.json"));
        assertEquals("host", unknown.path());
        PolicyFormatException missing = assertThrows(PolicyFormatException.class, () -> LaunchLog.fromJson("{}", "l.json"));
        assertTrue(missing.problem().contains("missing member \"events\""));
        assertThrows(IllegalArgumentException.class, () -> new LaunchLog.Event(Optional.empty(), "kernel", new byte[20]));
    }
}
