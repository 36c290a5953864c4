package org.vtpmmigrate.attest.eventlog;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;

import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Bounded random and mutation testing of a parser: a fixed seed, a case count and a time cap.
 * Each case must end with success or one of the parser's typed exceptions, within a time
 * bound, and allocate at most a small multiple of its input (so no length field was trusted
 * before it was checked). Mutations start from real inputs: bit flips, truncation, length
 * fields overwritten at entry starts (bumped, maxed, zeroed), 32-bit size inflation anywhere,
 * chunk deletion, duplication and splicing, and text edits for line-based formats.
 */
public final class FuzzHarness {
    /** The parser under test; throws only its typed exceptions for bad input. */
    @FunctionalInterface
    public interface Target {
        void accept(byte[] input) throws Exception;
    }

    /** A seed input and the offsets where its records start (length fields live near them). */
    public record Seed(String name, byte[] bytes, int[] recordOffsets) {
    }

    /** What a run did, for the test report. */
    public record Outcome(int cases, int accepted, int refused, long slowestNanos, long mostBytesPerInputByte) {
        /** Fails unless enough cases ran and the mutations both broke inputs and kept some intact. */
        public Outcome assertMeaningful() {
            org.junit.jupiter.api.Assertions.assertTrue(cases >= 200, "too few cases within the time cap: " + this);
            org.junit.jupiter.api.Assertions.assertTrue(refused > 0 && accepted > 0,
                    "mutations should both break and keep inputs: " + this);
            return this;
        }

        @Override
        public String toString() {
            return cases + " cases (" + accepted + " accepted, " + refused + " refused with a typed error), slowest "
                    + slowestNanos / 1_000_000 + " ms, largest allocation " + mostBytesPerInputByte
                    + " bytes per input byte beyond the fixed allowance";
        }
    }

    /** Allowed allocation per case: this multiple of the input plus a fixed allowance. */
    static final long ALLOCATION_FACTOR = 64;
    static final long ALLOCATION_ALLOWANCE = 2L * 1024 * 1024;
    static final Duration CASE_LIMIT = Duration.ofSeconds(2);

    private static final long[] INTERESTING_U32 = {0L, 1L, 0x7FL, 0xFFL, 0xFFFFL, 0x7FFFFFFFL, 0x80000000L,
            0xFFFFFFFFL, 0xFFFFFFFEL, 1L << 20, (1L << 20) + 1, 24L};
    private static final byte[] TEXT_EDITS = " :\n0aF\u0000\t-/".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

    private FuzzHarness() {
    }

    public static Outcome run(List<Seed> seeds, Set<Class<? extends Exception>> typed, Target target, long randomSeed,
            int maxCases, Duration cap) {
        return assertTimeoutPreemptively(cap.plus(Duration.ofSeconds(50)),
                () -> loop(seeds, typed, target, randomSeed, maxCases, cap),
                "fuzzing did not finish: a case loops or is far too slow");
    }

    private static Outcome loop(List<Seed> seeds, Set<Class<? extends Exception>> typed, Target target,
            long randomSeed, int maxCases, Duration cap) {
        Random rnd = new Random(randomSeed);
        long deadline = System.nanoTime() + cap.toNanos();
        int cases = 0;
        int accepted = 0;
        int refused = 0;
        long slowest = 0;
        long mostPerByte = 0;
        while (cases < maxCases && System.nanoTime() < deadline) {
            String[] how = new String[1];
            byte[] input = mutate(seeds, rnd, how);
            long allocatedBefore = allocatedBytes();
            long start = System.nanoTime();
            try {
                target.accept(input);
                accepted++;
            } catch (Exception e) {
                if (!typed.contains(e.getClass())) {
                    throw new AssertionError("case " + cases + " (" + how[0] + ", " + input.length
                            + " bytes, head " + head(input) + ") threw " + e, e);
                }
                refused++;
            } catch (Throwable t) {
                throw new AssertionError("case " + cases + " (" + how[0] + ", " + input.length + " bytes, head "
                        + head(input) + ") threw " + t, t);
            }
            long nanos = System.nanoTime() - start;
            long allocated = allocatedBytes() - allocatedBefore;
            if (nanos > CASE_LIMIT.toNanos()) {
                throw new AssertionError("case " + cases + " (" + how[0] + ") took " + nanos / 1_000_000 + " ms");
            }
            if (allocated > ALLOCATION_FACTOR * input.length + ALLOCATION_ALLOWANCE) {
                throw new AssertionError("case " + cases + " (" + how[0] + ", " + input.length + " bytes) allocated "
                        + allocated + " bytes");
            }
            slowest = Math.max(slowest, nanos);
            long beyondAllowance = Math.max(0, allocated - ALLOCATION_ALLOWANCE);
            mostPerByte = Math.max(mostPerByte, beyondAllowance / Math.max(1, input.length));
            cases++;
        }
        return new Outcome(cases, accepted, refused, slowest, mostPerByte);
    }

    private static String head(byte[] b) {
        return HexFormat.of().formatHex(b, 0, Math.min(b.length, 48));
    }

    /** Bytes the current thread has allocated so far, from the JVM's threading MBean. */
    static long allocatedBytes() {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName threading = new ObjectName(ManagementFactory.THREAD_MXBEAN_NAME);
            Object value = server.invoke(threading, "getThreadAllocatedBytes",
                    new Object[] {Thread.currentThread().getId()}, new String[] {long.class.getName()});
            return (Long) value;
        } catch (Exception e) {
            throw new AssertionError("this JVM does not report per-thread allocation, which the fuzz test measures", e);
        }
    }

    static byte[] mutate(List<Seed> seeds, Random rnd, String[] how) {
        Seed seed = seeds.get(rnd.nextInt(seeds.size()));
        byte[] b = seed.bytes().clone();
        int kind = rnd.nextInt(10);
        switch (kind) {
            case 0 -> {
                how[0] = "random bytes";
                b = new byte[rnd.nextInt(2048)];
                rnd.nextBytes(b);
                if (rnd.nextBoolean() && b.length > 0) {
                    // keep a real beginning so parsing gets past the first checks
                    System.arraycopy(seed.bytes(), 0, b, 0, Math.min(b.length, Math.min(seed.bytes().length, 96)));
                }
            }
            case 1 -> {
                int flips = 1 + rnd.nextInt(16);
                how[0] = flips + " bit flips of " + seed.name();
                for (int i = 0; i < flips && b.length > 0; i++) {
                    b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 2 -> {
                int len = rnd.nextInt(b.length + 1);
                how[0] = "truncation of " + seed.name() + " to " + len;
                b = Arrays.copyOf(b, len);
            }
            case 3, 4 -> {
                int[] starts = seed.recordOffsets();
                int base = starts.length == 0 ? 0 : starts[rnd.nextInt(starts.length)];
                int at = Math.min(Math.max(0, b.length - 4), base + rnd.nextInt(64));
                long old = u32(b, at);
                long value = switch (rnd.nextInt(4)) {
                    case 0 -> INTERESTING_U32[rnd.nextInt(INTERESTING_U32.length)];
                    case 1 -> old + 1 + rnd.nextInt(1000);
                    case 2 -> Math.max(0, old - 1 - rnd.nextInt(8));
                    default -> b.length - at + rnd.nextInt(16);
                };
                how[0] = "length field at " + at + " of " + seed.name() + " set to " + value;
                putU32(b, at, value);
            }
            case 5 -> {
                int at = rnd.nextInt(Math.max(1, b.length - 3));
                long value = 0x00FFFFFFL + rnd.nextInt(Integer.MAX_VALUE);
                how[0] = "size inflation at " + at + " of " + seed.name();
                putU32(b, at, value);
            }
            case 6 -> {
                int from = rnd.nextInt(b.length + 1);
                int to = Math.min(b.length, from + rnd.nextInt(128));
                how[0] = "deletion of " + from + ".." + to + " of " + seed.name();
                byte[] out = new byte[b.length - (to - from)];
                System.arraycopy(b, 0, out, 0, from);
                System.arraycopy(b, to, out, from, b.length - to);
                b = out;
            }
            case 7 -> {
                int from = rnd.nextInt(b.length + 1);
                int len = Math.min(b.length - from, rnd.nextInt(256));
                int times = 1 + rnd.nextInt(8);
                how[0] = "duplication x" + times + " of " + len + " bytes of " + seed.name();
                byte[] out = new byte[b.length + len * times];
                System.arraycopy(b, 0, out, 0, from + len);
                for (int i = 1; i <= times; i++) {
                    System.arraycopy(b, from, out, from + len * i, len);
                }
                System.arraycopy(b, from + len, out, from + len * (times + 1), b.length - from - len);
                b = out;
            }
            case 8 -> {
                Seed other = seeds.get(rnd.nextInt(seeds.size()));
                int cut = rnd.nextInt(b.length + 1);
                int otherCut = rnd.nextInt(other.bytes().length + 1);
                how[0] = "splice of " + seed.name() + "[0.." + cut + "] and " + other.name() + "[" + otherCut + "..]";
                byte[] out = new byte[cut + other.bytes().length - otherCut];
                System.arraycopy(b, 0, out, 0, cut);
                System.arraycopy(other.bytes(), otherCut, out, cut, other.bytes().length - otherCut);
                b = out;
            }
            default -> {
                int edits = 1 + rnd.nextInt(6);
                how[0] = edits + " text edits of " + seed.name();
                for (int i = 0; i < edits && b.length > 0; i++) {
                    b[rnd.nextInt(b.length)] = TEXT_EDITS[rnd.nextInt(TEXT_EDITS.length)];
                }
            }
        }
        return b;
    }

    private static long u32(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 4 && at + i < b.length; i++) {
            v |= (b[at + i] & 0xFFL) << (8 * i);
        }
        return v;
    }

    private static void putU32(byte[] b, int at, long v) {
        for (int i = 0; i < 4 && at + i < b.length; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }
}
