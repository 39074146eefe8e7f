package org.cfs.chord.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.cfs.chord.Id;
import org.junit.jupiter.api.Test;

/**
 * Feeds a million random and mutated frames to the decoder with a fixed seed. Each must either
 * decode to a frame that re-encodes to exactly its bytes, or fail with MalformedFrameException; and
 * no decode may allocate more than a small multiple of its input, which is what checking every
 * length against the remaining bytes before allocating guarantees.
 */
class FrameFuzzTest {
    private static final long SEED = 0x5eed_cf5L;
    private static final int ITERATIONS = 1_000_000;
    private static final int[] INTERESTING = {0, 1, 2, 0x7f, 0x80, 0xff};
    private static final long[] INTERESTING_WIDE = {0xffff, 0x0400, 0x0401, 0x8000, 0xffff_ffffL, 0x7fff_ffffL,
        0x8000_0000L, FrameCodec.DEFAULT_MAX_FRAME, FrameCodec.DEFAULT_MAX_FRAME + 1L, 11, 12};

    private final FrameCodec codec = new FrameCodec(MessageRegistry.chord());
    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void millionMutatedFramesDecodeCanonicallyOrFailAsMalformed() {
        List<byte[]> corpus = WireSamples.encodedFrames(codec);
        Random random = new Random(SEED);
        warmUp(corpus, random);
        int decoded = 0;
        long worstAllocation = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] input = mutate(random, corpus);
            long before = threads.getCurrentThreadAllocatedBytes();
            Frame frame = decodeOrNull(input, i);
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            worstAllocation = Math.max(worstAllocation, allocated - 48L * input.length);
            if (allocated > allocationBound(input.length)) {
                fail("iteration " + i + ": decoding " + input.length + " bytes allocated " + allocated
                        + " bytes: " + HexFormat.of().formatHex(input));
            }
            if (frame != null) {
                decoded++;
                byte[] again = codec.encode(frame);
                if (!Arrays.equals(input, again)) {
                    assertArrayEquals(input, again, "iteration " + i + ": decoded frame re-encodes differently");
                }
            }
        }
        // Both outcomes must be exercised, or the mutations are too weak or too strong to mean much.
        assertTrue(decoded > ITERATIONS / 100, "only " + decoded + " inputs decoded");
        assertTrue(decoded < ITERATIONS / 2, decoded + " inputs decoded: mutations too weak");
        System.out.printf("fuzz: %d inputs, %d decoded, worst allocation over 48 bytes/input byte: %d%n",
                ITERATIONS, decoded, worstAllocation);
    }

    @Test
    void hugeCountsAndLengthsFailFastWithoutAllocating() {
        byte[] nodes = Bytes.frame(1, 1, 7, 1, Bytes.of().u8(0).u16(0xffff).toArray());
        byte[] atLimit = Bytes.frame(1, 1, 7, 1, Bytes.of().u8(0).u16(1024).raw(new byte[26]).toArray());
        byte[] payload = Bytes.frame(1, 0, 9, 1, Bytes.of().u16(0).raw(Id.ZERO.toBytes()).i32(0x7fff_ffff).toArray());
        byte[] text = Bytes.frame(1, 2, 0, 1, Bytes.of().i32(0).u16(0xffff).toArray());
        byte[] length = ByteBuffer.allocate(16).putInt(0x7fff_ffff).array();
        for (byte[] input : List.of(nodes, atLimit, payload, text, length)) {
            allocationOfRefusal(input);
            // Measured on a second run, so that class loading and linking on the first do not count.
            long allocated = allocationOfRefusal(input);
            assertTrue(allocated < 16 * 1024, "refusing " + HexFormat.of().formatHex(input)
                    + " allocated " + allocated + " bytes");
        }
    }

    private long allocationOfRefusal(byte[] input) {
        long before = threads.getCurrentThreadAllocatedBytes();
        Frame frame = decodeOrNull(input, 0);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertNull(frame, "decoded " + HexFormat.of().formatHex(input));
        return allocated;
    }

    /** Node entries cost a hash and a few small objects each; failures a stack trace. */
    private static long allocationBound(int inputLength) {
        return 48L * inputLength + 16 * 1024;
    }

    /** Runs the decoder on every path once, so that class loading does not count as allocation. */
    private void warmUp(List<byte[]> corpus, Random random) {
        for (int i = 0; i < 20_000; i++) {
            decodeOrNull(mutate(random, corpus), -i);
        }
    }

    /** The decoded frame, or null if malformed; any other throwable fails the test. */
    private Frame decodeOrNull(byte[] input, int iteration) {
        try {
            return codec.decode(input);
        } catch (MalformedFrameException expected) {
            return null;
        } catch (Throwable t) {
            // Caught here, OutOfMemoryError included, so that the report names the input.
            return fail("iteration " + iteration + ": " + t + " escaped decoding "
                    + HexFormat.of().formatHex(input), t);
        }
    }

    static byte[] mutate(Random random, List<byte[]> corpus) {
        byte[] base = corpus.get(random.nextInt(corpus.size())).clone();
        int strategy = random.nextInt(100);
        if (strategy < 5) {
            byte[] noise = new byte[random.nextInt(64)];
            random.nextBytes(noise);
            return noise;
        }
        if (strategy < 15) {
            byte[] body = new byte[random.nextInt(200)];
            random.nextBytes(body);
            return Bytes.frame(1, random.nextInt(3), random.nextInt(12), random.nextLong(), body);
        }
        if (strategy < 35) {
            for (int n = 1 + random.nextInt(4); n > 0; n--) {
                int bit = random.nextInt(base.length * 8);
                base[bit / 8] ^= (byte) (1 << (bit % 8));
            }
            return base;
        }
        if (strategy < 50) {
            for (int n = 1 + random.nextInt(4); n > 0; n--) {
                base[random.nextInt(base.length)] = (byte) (random.nextBoolean()
                        ? INTERESTING[random.nextInt(INTERESTING.length)] : random.nextInt(256));
            }
            return base;
        }
        if (strategy < 60) {
            int n = random.nextInt(base.length);
            return random.nextBoolean() || n < FrameCodec.LENGTH_BYTES
                    ? Arrays.copyOf(base, n) : Bytes.truncatedConsistently(base, n);
        }
        if (strategy < 70) {
            byte[] longer = Arrays.copyOf(base, base.length + 1 + random.nextInt(32));
            for (int i = base.length; i < longer.length; i++) {
                longer[i] = (byte) random.nextInt(256);
            }
            return random.nextBoolean() ? longer : Bytes.withLength(longer, longer.length - FrameCodec.LENGTH_BYTES);
        }
        if (strategy < 80) {
            long length = switch (random.nextInt(4)) {
                case 0 -> random.nextInt() & 0xffff_ffffL;
                case 1 -> base.length - FrameCodec.LENGTH_BYTES + random.nextInt(9) - 4;
                case 2 -> INTERESTING_WIDE[random.nextInt(INTERESTING_WIDE.length)];
                default -> random.nextInt(FrameCodec.HEADER_BYTES + 1);
            };
            return Bytes.withLength(base, length);
        }
        if (strategy < 90) {
            // Overwrite what may be a count or a length prefix with an extreme value.
            long value = INTERESTING_WIDE[random.nextInt(INTERESTING_WIDE.length)];
            int width = random.nextBoolean() ? 2 : 4;
            int room = Math.max(1, base.length - FrameCodec.LENGTH_BYTES - width + 1);
            int at = FrameCodec.LENGTH_BYTES + random.nextInt(room);
            for (int i = 0; i < width && at + i < base.length; i++) {
                base[at + i] = (byte) (value >>> (8 * (width - 1 - i)));
            }
            return base;
        }
        if (strategy < 95) {
            byte[] other = corpus.get(random.nextInt(corpus.size()));
            int cut = random.nextInt(base.length);
            int from = random.nextInt(other.length);
            byte[] spliced = Arrays.copyOf(base, cut + other.length - from);
            System.arraycopy(other, from, spliced, cut, other.length - from);
            return spliced.length < FrameCodec.LENGTH_BYTES
                    ? spliced : Bytes.withLength(spliced, spliced.length - FrameCodec.LENGTH_BYTES);
        }
        int at = random.nextInt(base.length);
        byte[] edited;
        if (random.nextBoolean()) {
            edited = new byte[base.length + 1];
            System.arraycopy(base, 0, edited, 0, at);
            edited[at] = (byte) random.nextInt(256);
            System.arraycopy(base, at, edited, at + 1, base.length - at);
        } else {
            edited = new byte[base.length - 1];
            System.arraycopy(base, 0, edited, 0, at);
            System.arraycopy(base, at + 1, edited, at, base.length - at - 1);
        }
        return edited.length < FrameCodec.LENGTH_BYTES || random.nextBoolean()
                ? edited : Bytes.withLength(edited, edited.length - FrameCodec.LENGTH_BYTES);
    }
}
