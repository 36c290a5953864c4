package org.vtpmmigrate.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutated log files (seeded, so failures reproduce): the verifier answers every one with a
 * report or its typed {@link AuditLogException}, never anything else, and never calls a changed
 * file verified, except a copy cut off at a line boundary, which the file alone cannot reveal.
 */
class AuditLogFuzzTest {
    private static final long SEED = 0x5eed_a0d1_7L;
    private static final Duration CAP = Duration.ofSeconds(20);
    private static final byte[] INTERESTING = {'"', '\\', '{', '}', '[', ']', ':', ',', '0', '9', '-', 'e', '\n', '\r',
            ' ', 0, (byte) 0x7f, (byte) 0xc3, (byte) 0xa9, (byte) 0xff, (byte) 0xed, (byte) 0xa0};

    @TempDir
    Path dir;

    private byte[] seedLog() throws Exception {
        Path file = dir.resolve("seed.jsonl");
        List<AuditEvent> migration = TestLogs.sourceMigration("mig-9", "host-b", TestLogs.START);
        try (AuditLogWriter w = AuditLogWriter.open(file, "host-a", SoftwareAk.create(), new byte[] {0x30, 0x03, 1, 2, 3},
                new TestLogs.SteppingClock(TestLogs.START, 3))) {
            w.append(migration.get(1));
            w.append(migration.get(3));
            w.append(migration.get(6));
        }
        return Files.readAllBytes(file);
    }

    @Test
    void mutatedLogsGiveReportsAndAreNeverVerified() throws Exception {
        byte[] original = seedLog();
        AuditLogVerifier verifier = new AuditLogVerifier();
        assertTrue(verifier.verify("seed", original, null).verified());
        int ran = assertTimeoutPreemptively(CAP.plusSeconds(30), () -> {
            Random random = new Random(SEED);
            long deadline = System.nanoTime() + CAP.toNanos();
            int cases = 0;
            while (cases < 1200 && System.nanoTime() < deadline) {
                byte[] mutated = original;
                int rounds = 1 + (random.nextInt(4) == 0 ? random.nextInt(3) : 0);
                for (int i = 0; i < rounds; i++) {
                    mutated = mutate(mutated, random);
                }
                cases++;
                VerificationReport report;
                try {
                    report = verifier.verify("case " + cases, mutated, null);
                } catch (AuditLogException e) {
                    continue;
                } catch (RuntimeException e) {
                    throw new AssertionError("case " + cases + " (seed " + SEED + ") threw " + e + " for "
                            + new String(mutated, StandardCharsets.UTF_8), e);
                }
                if (Arrays.equals(mutated, original)) {
                    assertTrue(report.verified());
                } else if (report.verified() && !isPrefixAtLineBoundary(mutated, original)) {
                    fail("case " + cases + " (seed " + SEED + "): a changed log verified:\n"
                            + new String(mutated, StandardCharsets.UTF_8));
                }
                assertEquals(lineCount(mutated), report.results().size(), "one result per line");
            }
            return cases;
        }, "a case loops or is far too slow");
        assertTrue(ran >= 500, "too few cases within " + CAP + ": " + ran);
    }

    @Test
    void randomBytesAndRandomJsonAreJustMalformed() throws Exception {
        AuditLogVerifier verifier = new AuditLogVerifier();
        Random random = new Random(SEED + 1);
        String[] tokens = {"{", "}", "[", "]", "\"seq\"", "\"kind\"", "\"sig\"", ":", ",", "0", "-1", "1e3", "18446744073709551616",
                "\"LOG_OPENED\"", "\"00\"", "true", "null", "\"\\u0000\"", "\"\\ud800\"", "\n"};
        for (int i = 0; i < 500; i++) {
            byte[] data;
            if (i % 2 == 0) {
                data = new byte[random.nextInt(2000)];
                random.nextBytes(data);
            } else {
                StringBuilder b = new StringBuilder();
                for (int t = random.nextInt(200); t > 0; t--) {
                    b.append(tokens[random.nextInt(tokens.length)]);
                }
                data = b.toString().getBytes(StandardCharsets.UTF_8);
            }
            VerificationReport report = verifier.verify("random " + i, data, null);
            assertFalse(report.verified(), "random input " + i + " verified");
            for (RecordResult r : report.results()) {
                assertFalse(r.ok());
                assertFalse(r.problems().isEmpty());
            }
        }
    }

    @Test
    void limitsAreTypedErrors() throws Exception {
        byte[] log = seedLog();
        Path file = dir.resolve("seed.jsonl");
        AuditLogException size = assertThrows(AuditLogException.class, () -> new AuditLogVerifier(100, 10).verify(file));
        assertTrue(size.getMessage().endsWith("larger than the limit of 100 bytes"), size.getMessage());
        AuditLogException lines = assertThrows(AuditLogException.class,
                () -> new AuditLogVerifier(1 << 20, 3).verify(file));
        assertTrue(lines.getMessage().contains("more than 3 lines"), lines.getMessage());
        AuditLogException missing = assertThrows(AuditLogException.class,
                () -> new AuditLogVerifier().verify(dir.resolve("absent")));
        assertTrue(missing.getMessage().endsWith("absent: no such file"), missing.getMessage());
        AuditLogException directory = assertThrows(AuditLogException.class, () -> new AuditLogVerifier().verify(dir));
        assertTrue(directory.getMessage().contains("is a directory"), directory.getMessage());
        assertArrayEquals(log, Files.readAllBytes(file));
    }

    @Test
    void anOverlongLineIsMalformedAndTheRestStillChecked() throws Exception {
        byte[] original = seedLog();
        List<byte[]> lines = splitLines(original);
        lines.add(2, ("{\"seq\":2," + "x".repeat(AuditRecord.MAX_LINE_BYTES)).getBytes(StandardCharsets.UTF_8));
        VerificationReport report = new AuditLogVerifier().verify("long", joinLines(lines), null);
        RecordResult longLine = report.results().get(2);
        assertEquals(RecordStatus.MALFORMED, longLine.status());
        assertTrue(longLine.mainProblem().orElseThrow().message().contains("exceeds the limit of 16384 bytes"),
                longLine.problems().toString());
        assertTrue(report.results().get(3).ok(), "the record after it is unaffected: " + report.results().get(3));
    }

    private static byte[] mutate(byte[] in, Random random) {
        List<byte[]> lines = splitLines(in);
        int at = in.length == 0 ? 0 : random.nextInt(in.length);
        switch (random.nextInt(11)) {
            case 0: {
                byte[] out = in.clone();
                if (out.length > 0) {
                    out[at] ^= (byte) (1 << random.nextInt(8));
                }
                return out;
            }
            case 1: {
                byte[] out = in.clone();
                if (out.length > 0) {
                    out[at] = INTERESTING[random.nextInt(INTERESTING.length)];
                }
                return out;
            }
            case 2: {
                byte[] insert = new byte[1 + random.nextInt(8)];
                random.nextBytes(insert);
                return splice(in, at, 0, insert);
            }
            case 3:
                return splice(in, at, Math.min(in.length - at, 1 + random.nextInt(64)), new byte[0]);
            case 4:
                if (!lines.isEmpty()) {
                    lines.add(random.nextInt(lines.size() + 1), lines.get(random.nextInt(lines.size())));
                }
                return joinLines(lines);
            case 5:
                if (lines.size() > 1) {
                    int a = random.nextInt(lines.size());
                    int b = random.nextInt(lines.size());
                    byte[] t = lines.get(a);
                    lines.set(a, lines.get(b));
                    lines.set(b, t);
                }
                return joinLines(lines);
            case 6:
                if (!lines.isEmpty()) {
                    lines.remove(random.nextInt(lines.size()));
                }
                return joinLines(lines);
            case 7:
                return Arrays.copyOf(in, at);
            case 8:
                return splice(in, at, 0, new byte[] {'\n'});
            case 9:
                return splice(in, at, 0, "a".repeat(AuditRecord.MAX_LINE_BYTES + random.nextInt(100))
                        .getBytes(StandardCharsets.US_ASCII));
            default: {
                // a digit changed to another digit: stays well-formed, only the signed values change
                byte[] out = in.clone();
                for (int i = 0; i < out.length; i++) {
                    int p = (at + i) % out.length;
                    if (out[p] >= '0' && out[p] <= '9') {
                        out[p] = (byte) ('0' + (out[p] - '0' + 1 + random.nextInt(9)) % 10);
                        break;
                    }
                }
                return out;
            }
        }
    }

    private static byte[] splice(byte[] in, int at, int remove, byte[] insert) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(in, 0, at);
        out.writeBytes(insert);
        out.write(in, at + remove, in.length - at - remove);
        return out.toByteArray();
    }

    /** Lines with their newline (the last one may lack it). */
    private static List<byte[]> splitLines(byte[] in) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '\n') {
                lines.add(Arrays.copyOfRange(in, start, i + 1));
                start = i + 1;
            }
        }
        if (start < in.length) {
            lines.add(Arrays.copyOfRange(in, start, in.length));
        }
        return lines;
    }

    private static byte[] joinLines(List<byte[]> lines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] l : lines) {
            out.writeBytes(l);
            if (l.length == 0 || l[l.length - 1] != '\n') {
                out.write('\n');
            }
        }
        return out.toByteArray();
    }

    private static int lineCount(byte[] data) {
        return splitLines(data).size();
    }

    private static boolean isPrefixAtLineBoundary(byte[] mutated, byte[] original) {
        return mutated.length < original.length && mutated.length > 0 && mutated[mutated.length - 1] == '\n'
                && Arrays.equals(mutated, Arrays.copyOf(original, mutated.length));
    }
}
