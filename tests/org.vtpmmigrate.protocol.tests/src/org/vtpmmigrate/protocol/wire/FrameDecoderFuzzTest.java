package org.vtpmmigrate.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bounded fuzzing of the frame decoder with random and mutated frames. Properties: the decoder
 * throws nothing but {@link MalformedFrameException}; whatever it accepts re-encodes to exactly the
 * same bytes (the transcript depends on it); the stream reader fails only with the typed exception.
 * The seed is fixed so a failure reproduces; it is printed with the failing input.
 */
class FrameDecoderFuzzTest {
    private static final long SEED = 0x5EED_F00DL;
    private static final int ITERATIONS = 40_000;

    private final Random random = new Random(SEED);
    private final List<byte[]> seeds = Messages.all().stream().map(FrameCodec::encode).toList();
    private int accepted;
    private int rejected;

    @Test
    void onlyTheTypedExceptionEscapesAndAcceptedFramesAreCanonical() {
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] input = i % 4 == 0 ? randomFrame() : mutate(seeds.get(random.nextInt(seeds.size())));
            check(i, input);
        }
        // the corpus must exercise both outcomes, or the fuzzer is not reaching the body parser
        assertTrue(accepted > 1000, "accepted " + accepted);
        assertTrue(rejected > 10_000, "rejected " + rejected);
    }

    @Test
    void streamReaderFailsOnlyWithTheTypedException() throws Exception {
        for (int i = 0; i < 2000; i++) {
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            int frames = 1 + random.nextInt(4);
            for (int f = 0; f < frames; f++) {
                byte[] seed = seeds.get(random.nextInt(seeds.size()));
                stream.writeBytes(random.nextInt(3) == 0 ? mutate(seed) : seed);
            }
            FrameInput in = new FrameInput(new ByteArrayInputStream(stream.toByteArray()));
            try {
                ByteBuffer frame;
                while ((frame = in.read()) != null) {
                    try {
                        FrameCodec.decode(frame);
                    } catch (MalformedFrameException expected) {
                        // body errors are fine; the reader keeps its framing
                    }
                }
            } catch (MalformedFrameException expected) {
                // header errors and truncation end the stream
            } catch (RuntimeException e) {
                fail("stream " + i + " (seed " + SEED + "): " + e, e);
            }
        }
    }

    private void check(int iteration, byte[] input) {
        Message m;
        try {
            m = FrameCodec.decode(input);
        } catch (MalformedFrameException e) {
            rejected++;
            return;
        } catch (Throwable t) {
            fail("iteration " + iteration + " (seed " + SEED + ") threw " + t + " for input "
                    + HexFormat.of().formatHex(input), t);
            return;
        }
        accepted++;
        assertArrayEquals(input, FrameCodec.encode(m), "accepted input of iteration " + iteration
                + " is not canonical: " + HexFormat.of().formatHex(input));
    }

    /** Random bytes, usually behind a valid magic/version/type so the body parser is reached. */
    private byte[] randomFrame() {
        int bodyLength = random.nextInt(300);
        byte[] body = new byte[bodyLength];
        random.nextBytes(body);
        if (random.nextInt(10) == 0) {
            byte[] raw = new byte[random.nextInt(40)];
            random.nextBytes(raw);
            return raw;
        }
        MessageType type = MessageType.values()[random.nextInt(MessageType.values().length)];
        ByteBuffer f = ByteBuffer.allocate(FrameCodec.HEADER_LENGTH + bodyLength);
        f.putInt(FrameCodec.MAGIC).putShort((short) 1).putShort((short) type.code()).putInt(bodyLength).put(body);
        return f.array();
    }

    private byte[] mutate(byte[] seed) {
        byte[] b = seed.clone();
        switch (random.nextInt(8)) {
            case 0: { // flip bits
                int flips = 1 + random.nextInt(4);
                for (int i = 0; i < flips; i++) {
                    b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                }
                return b;
            }
            case 1: { // boundary values in the body
                int at = FrameCodec.HEADER_LENGTH + random.nextInt(Math.max(1, b.length - FrameCodec.HEADER_LENGTH));
                if (at < b.length) {
                    b[at] = (byte) new int[] {0, 0xFF, 0x7F, 0x80, 0x01}[random.nextInt(5)];
                }
                return b;
            }
            case 2: // truncate
                return java.util.Arrays.copyOf(b, random.nextInt(b.length));
            case 3: { // extend
                byte[] longer = java.util.Arrays.copyOf(b, b.length + 1 + random.nextInt(16));
                for (int i = b.length; i < longer.length; i++) {
                    longer[i] = (byte) random.nextInt(256);
                }
                return longer;
            }
            case 4: { // a big or small u32 somewhere (lengths, counts)
                if (b.length >= 4) {
                    int at = random.nextInt(b.length - 3);
                    ByteBuffer.wrap(b).putInt(at, new int[] {0, 1, 0x7FFFFFFF, 0xFFFFFFFF, 0x10000, 65}[random.nextInt(6)]);
                }
                return b;
            }
            case 5: { // header length field consistent with a shorter or longer body
                int newBody = Math.max(0, b.length - FrameCodec.HEADER_LENGTH + random.nextInt(9) - 4);
                byte[] resized = java.util.Arrays.copyOf(b, FrameCodec.HEADER_LENGTH + newBody);
                ByteBuffer.wrap(resized).putInt(8, newBody);
                return resized;
            }
            case 6: { // swap the type for another known one
                MessageType t = MessageType.values()[random.nextInt(MessageType.values().length)];
                ByteBuffer.wrap(b).putShort(6, (short) t.code());
                return b;
            }
            default: { // splice the body of another message
                byte[] other = seeds.get(random.nextInt(seeds.size()));
                int cut = FrameCodec.HEADER_LENGTH + random.nextInt(Math.max(1, b.length - FrameCodec.HEADER_LENGTH));
                int from = Math.min(other.length, cut);
                byte[] spliced = new byte[cut + other.length - from];
                System.arraycopy(b, 0, spliced, 0, Math.min(cut, b.length));
                System.arraycopy(other, from, spliced, cut, other.length - from);
                ByteBuffer.wrap(spliced).putInt(8, spliced.length - FrameCodec.HEADER_LENGTH);
                return spliced;
            }
        }
    }
}
