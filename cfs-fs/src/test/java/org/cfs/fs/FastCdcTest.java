package org.cfs.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FastCdcTest {
    private static final int MIB = 1 << 20;
    /** The paper's parameters (2 KiB / 8 KiB / 64 KiB): many chunks from little data. */
    private static final FastCdc PAPER = new FastCdc(2048, 8192, 65536);
    /** The smallest legal sizes: cuts every few hundred bytes, so edge cases come often. */
    private static final FastCdc TINY = new FastCdc(64, 128, 512);

    // Boundaries are part of the format: they decide every chunk's key, so a change makes every
    // re-published file upload anew. These vectors were checked against an independent
    // implementation (Python, hashlib). Input: new SplittableRandom(42).nextBytes of the length.

    /** {@link FastCdc#defaults()} on 4 MiB. */
    private static final int[] GOLDEN_DEFAULTS = {
        66543, 45770, 103791, 137103, 72871, 67992, 88403, 74581, 70567, 76271, 68312, 90675, 66923,
        82080, 87344, 77092, 104070, 65719, 76228, 109415, 69107, 90189, 53301, 28111, 52021, 91654,
        40664, 85003, 76490, 96746, 70845, 59630, 67456, 68558, 102100, 77983, 24015, 77696, 69076,
        67379, 65715, 39733, 90179, 26437, 16694, 80076, 25817, 83284, 28748, 80931, 49800, 74890,
        67240, 105093, 48458, 71407, 77965, 104025, 24037, 34001,
    };

    /** {@link #PAPER} on 1 MiB. */
    private static final int[] GOLDEN_PAPER = {
        8422, 9802, 8357, 10427, 8285, 10484, 10766, 8776, 4551, 10149, 8940, 3085, 9445, 12495, 8277,
        12616, 14984, 9013, 11253, 9304, 9201, 9295, 8713, 10991, 9523, 3133, 7050, 9873, 9617, 9649,
        15615, 8554, 8263, 8513, 11077, 11712, 8801, 4196, 10418, 10192, 10832, 10365, 8298, 9083, 8306,
        5377, 9312, 9877, 4203, 9075, 10629, 9898, 10308, 4690, 10881, 8985, 8902, 9712, 8875, 9346,
        9308, 9073, 8861, 4460, 16233, 14898, 9148, 8599, 8926, 13686, 9026, 9077, 11077, 12821, 8389,
        10406, 9538, 3324, 8313, 9978, 9550, 10059, 11133, 9603, 10677, 12546, 9022, 8996, 8848, 5581,
        8209, 11628, 8355, 11429, 13551, 9321, 8303, 10105, 9045, 4257, 8345, 8775, 9629, 16206, 11765,
        8105, 8260, 4149, 11192, 7246, 10290, 8484,
    };

    private static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static int[] lengths(FastCdc cdc, byte[] data) {
        List<Integer> out = new ArrayList<>();
        for (int off = 0; off < data.length; ) {
            int n = cdc.cut(data, off, data.length - off);
            assertTrue(n > 0 && n <= data.length - off, "cut " + n + " at " + off);
            out.add(n);
            off += n;
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static List<byte[]> streamed(FastCdc cdc, InputStream in) throws IOException {
        FastCdc.Chunks chunks = cdc.chunks(in);
        List<byte[]> out = new ArrayList<>();
        for (byte[] c = chunks.next(); c != null; c = chunks.next()) {
            out.add(c);
        }
        assertNull(chunks.next(), "a finished stream stays finished");
        return out;
    }

    /** The chunks' contents, so chunks of two versions compare by what a publisher would store. */
    private static Set<ByteBuffer> contents(FastCdc cdc, byte[] data) {
        Set<ByteBuffer> out = new HashSet<>();
        int off = 0;
        for (int n : lengths(cdc, data)) {
            out.add(ByteBuffer.wrap(Arrays.copyOfRange(data, off, off + n)));
            off += n;
        }
        return out;
    }

    private static int newChunks(FastCdc cdc, byte[] before, byte[] after) {
        Set<ByteBuffer> fresh = contents(cdc, after);
        fresh.removeAll(contents(cdc, before));
        return fresh.size();
    }

    /**
     * The cut by the definition, computed independently of {@link FastCdc#cut}: the first length
     * L in (min, n] whose gear hash over bytes [max(min, L-64), L) has the mask's bits clear, with
     * the small-chunk mask while L &lt;= avg; else n = min(len, max).
     */
    private static int referenceCut(FastCdc cdc, byte[] data, int off, int len) {
        if (len <= cdc.minSize()) {
            return len;
        }
        int n = Math.min(len, cdc.maxSize());
        for (int length = cdc.minSize() + 1; length <= n; length++) {
            long fp = 0;
            for (int j = Math.max(cdc.minSize(), length - Long.SIZE); j < length; j++) {
                fp += FastCdc.gear(data[off + j] & 0xff) << (length - 1 - j);
            }
            long mask = length <= Math.min(n, cdc.avgSize()) ? cdc.maskSmall() : cdc.maskLarge();
            if ((fp & mask) == 0) {
                return length;
            }
        }
        return n;
    }

    /** Returns at most {@code step} bytes per read, as a socket or a pipe might. */
    private static InputStream trickle(byte[] data, int step) {
        return new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, step));
            }
        };
    }

    @Test
    void gearTableIsSha256OfItsIndex() {
        // First 8 bytes of SHA-256("cfs-fastcdc-gear" || i), from Python's hashlib.
        assertEquals(0xc54c2ebfaf8c2103L, FastCdc.gear(0));
        assertEquals(0x10758ae8cb47c2b5L, FastCdc.gear(1));
        assertEquals(0x828309885f98cdcbL, FastCdc.gear(2));
        assertEquals(0xdf69bfb7037d0eb8L, FastCdc.gear(255));
    }

    @Test
    void masksAreTheTopBitsTwoEitherSideOfTheAverage() {
        FastCdc cdc = new FastCdc(16 << 10, 64 << 10, 256 << 10);
        assertEquals(0xffffc00000000000L, cdc.maskSmall(), "18 bits for a 64 KiB average");
        assertEquals(0xfffc000000000000L, cdc.maskLarge(), "14 bits for a 64 KiB average");
    }

    @Test
    void goldenInputsAreTheDocumentedBytes() throws Exception {
        // Pins the generator, so that a change in it is not mistaken for a change in boundaries,
        // and lets another implementation check its copy of the input. 1 MiB is a prefix of 4 MiB.
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        assertEquals("32224c8dd342347121a61bb104f46f42f2097b5e4850f45e532609bd2fb78c66",
                HexFormat.of().formatHex(sha256.digest(random(42, 4 * MIB))));
        assertEquals("5b2605c7135a3f8c54d75039514f0bcb798cfe1a8d74f57380d45aaadea36dca",
                HexFormat.of().formatHex(sha256.digest(random(42, MIB))));
    }

    @Test
    void defaultsCutTheGoldenLengths() {
        assertArrayEquals(GOLDEN_DEFAULTS, lengths(FastCdc.defaults(), random(42, 4 * MIB)));
    }

    @Test
    void paperParametersCutTheGoldenLengths() {
        assertArrayEquals(GOLDEN_PAPER, lengths(PAPER, random(42, MIB)));
    }

    @Test
    void cutAgreesWithTheDefinition() {
        byte[] data = random(7, 64 << 10);
        SplittableRandom offsets = new SplittableRandom(8);
        for (FastCdc cdc : List.of(TINY, new FastCdc(100, 256, 4096), PAPER)) {
            for (int k = 0; k < 50; k++) {
                int off = offsets.nextInt(data.length);
                int len = data.length - off;
                assertEquals(referenceCut(cdc, data, off, len), cdc.cut(data, off, len), cdc + " at " + off);
            }
        }
    }

    @Test
    void chunksStayWithinTheBoundsAndCoverTheInput() {
        for (FastCdc cdc : List.of(TINY, PAPER, FastCdc.defaults())) {
            for (long seed = 1; seed <= 3; seed++) {
                byte[] data = random(seed, 3 * MIB + 12345);
                int[] lengths = lengths(cdc, data);
                for (int i = 0; i < lengths.length - 1; i++) {
                    assertTrue(lengths[i] > cdc.minSize() && lengths[i] <= cdc.maxSize(),
                            cdc + " chunk " + i + " of " + lengths[i] + " bytes");
                }
                assertTrue(lengths[lengths.length - 1] <= cdc.maxSize());
                assertEquals(data.length, Arrays.stream(lengths).sum());
            }
        }
    }

    @Test
    void randomDataAveragesNearTheAverageSize() {
        // Normalized chunking pulls lengths towards avg; with min = avg/4 the mean lands a little
        // above it (about 1.1 avg in the paper and here). A broken mask would miss by 2x or more.
        for (FastCdc cdc : List.of(PAPER, FastCdc.defaults())) {
            int[] lengths = lengths(cdc, random(3, 16 * MIB));
            double mean = (double) (16 * MIB) / lengths.length;
            assertTrue(mean > 0.9 * cdc.avgSize() && mean < 1.3 * cdc.avgSize(), cdc + " mean " + mean);
        }
    }

    @Test
    void emptyInputHasNoChunks() throws IOException {
        assertEquals(0, FastCdc.defaults().cut(new byte[0], 0, 0));
        assertEquals(0, FastCdc.defaults().cut(new byte[10], 10, 0));
        assertNull(FastCdc.defaults().chunks(new ByteArrayInputStream(new byte[0])).next());
    }

    @Test
    void inputUpToTheMinimumIsOneChunk() throws IOException {
        FastCdc cdc = FastCdc.defaults();
        for (int len : new int[] {1, 100, cdc.minSize() - 1, cdc.minSize()}) {
            byte[] data = random(len, len);
            assertEquals(len, cdc.cut(data, 0, len));
            List<byte[]> chunks = streamed(cdc, new ByteArrayInputStream(data));
            assertEquals(1, chunks.size());
            assertArrayEquals(data, chunks.get(0));
        }
    }

    @Test
    void allZeroInputCutsAtTheMaximum() {
        // Zeros give the hash a fixed point with mask bits set, so only the maximum ends a chunk.
        for (FastCdc cdc : List.of(TINY, PAPER, FastCdc.defaults())) {
            int[] lengths = lengths(cdc, new byte[3 * cdc.maxSize() + 5]);
            assertArrayEquals(new int[] {cdc.maxSize(), cdc.maxSize(), cdc.maxSize(), 5}, lengths, cdc.toString());
        }
    }

    @Test
    void cutLooksOnlyAtItsSlice() {
        byte[] data = random(11, 300 << 10);
        byte[] padded = new byte[data.length + 2000];
        System.arraycopy(data, 0, padded, 1000, data.length);
        Arrays.fill(padded, 0, 1000, (byte) 0x5a);
        Arrays.fill(padded, 1000 + data.length, padded.length, (byte) 0xa5);
        assertArrayEquals(lengths(PAPER, data), slices(PAPER, padded, 1000, data.length));
    }

    private static int[] slices(FastCdc cdc, byte[] data, int from, int length) {
        List<Integer> out = new ArrayList<>();
        for (int off = from; off < from + length; ) {
            int n = cdc.cut(data, off, from + length - off);
            out.add(n);
            off += n;
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void streamingGivesTheBoundariesOfTheWholeArray() throws IOException {
        for (FastCdc cdc : List.of(TINY, PAPER, FastCdc.defaults())) {
            byte[] data = random(5, 2 * MIB + 777);
            int[] expected = lengths(cdc, data);
            for (int step : new int[] {1, 7, 4096, cdc.maxSize() - 1, cdc.maxSize() + 1, Integer.MAX_VALUE}) {
                List<byte[]> chunks = streamed(cdc, trickle(data, step));
                assertArrayEquals(expected, chunks.stream().mapToInt(c -> c.length).toArray(),
                        cdc + " reading " + step + " bytes at a time");
                int off = 0;
                for (byte[] c : chunks) {
                    assertArrayEquals(Arrays.copyOfRange(data, off, off + c.length), c);
                    off += c.length;
                }
            }
        }
    }

    @Test
    void aStreamThatReadsNothingIsAnError() {
        InputStream stuck = new InputStream() {
            @Override
            public int read() {
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return 0;
            }
        };
        IOException e = assertThrows(IOException.class, () -> FastCdc.defaults().chunks(stuck).next());
        assertTrue(e.getMessage().contains("read 0 bytes"), e.getMessage());
    }

    @Test
    void changingOneByteInTheMiddleChangesAtMostTwoChunks() {
        byte[] before = random(9, 8 * MIB);
        for (FastCdc cdc : List.of(PAPER, FastCdc.defaults())) {
            for (int at : new int[] {before.length / 2, before.length / 3, 5 * before.length / 7}) {
                byte[] after = before.clone();
                after[at] ^= 0x01;
                int fresh = newChunks(cdc, before, after);
                assertTrue(fresh >= 1 && fresh <= 2, cdc + ": " + fresh + " new chunks after changing byte " + at);
            }
        }
    }

    @Test
    void inserting100BytesAtTheStartAddsAtMostTwoChunks() {
        byte[] before = random(10, 8 * MIB);
        for (FastCdc cdc : List.of(PAPER, FastCdc.defaults())) {
            for (long seed = 1; seed <= 3; seed++) {
                byte[] after = new byte[before.length + 100];
                System.arraycopy(random(seed, 100), 0, after, 0, 100);
                System.arraycopy(before, 0, after, 100, before.length);
                int fresh = newChunks(cdc, before, after);
                assertTrue(fresh >= 1 && fresh <= 2, cdc + ": " + fresh + " new chunks after inserting 100 bytes");
            }
        }
    }

    @Test
    void parametersAreChecked() {
        assertEquals("chunk sizes must satisfy 64 <= min < avg < max <= 1048576, got min 32, avg 128, max 512",
                assertThrows(IllegalArgumentException.class, () -> new FastCdc(32, 128, 512)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FastCdc(128, 128, 512));
        assertThrows(IllegalArgumentException.class, () -> new FastCdc(64, 512, 512));
        assertThrows(IllegalArgumentException.class, () -> new FastCdc(64, 512, MIB + 1));
        assertEquals("the average chunk size must be a power of two, got 1000",
                assertThrows(IllegalArgumentException.class, () -> new FastCdc(500, 1000, 4000)).getMessage());
        FastCdc largest = new FastCdc(256 << 10, 512 << 10, MIB);
        assertEquals(MIB, largest.maxSize());
    }

    @Test
    void cutChecksItsSlice() {
        FastCdc cdc = FastCdc.defaults();
        assertThrows(IndexOutOfBoundsException.class, () -> cdc.cut(new byte[10], 5, 6));
        assertThrows(IndexOutOfBoundsException.class, () -> cdc.cut(new byte[10], -1, 2));
        assertThrows(NullPointerException.class, () -> cdc.chunks(null));
    }
}
