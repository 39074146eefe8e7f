package org.cfs.fs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;
import org.cfs.dhash.Block;

/**
 * Content-defined chunking with FastCDC (Xia et al., USENIX ATC '16), so that an edit to a file
 * changes only the chunks around it and a new version re-sends little.
 *
 * <p>A gear hash rolls over the bytes of a chunk: {@code fp = (fp << 1) + GEAR[b]}, so bit 63 of
 * {@code fp} depends on the last 64 bytes and nothing older. The first {@code minSize} bytes of a
 * chunk are skipped, not hashed. A chunk ends after the byte at which {@code fp & mask == 0}, with
 * normalized chunking (level 2): up to {@code avgSize} bytes the mask has {@code log2(avg) + 2}
 * bits, which makes a cut four times less likely than 1/avg; after it {@code log2(avg) - 2} bits,
 * four times more likely. Both masks are the top bits of {@code fp}, whose windows are the
 * longest. A chunk that reaches {@code maxSize} ends there.
 *
 * <p>{@code GEAR[i]} is the first 8 bytes, big-endian, of SHA-256 of the 16 ASCII bytes
 * {@code cfs-fastcdc-gear} followed by the single byte {@code i}. Changing any of this moves
 * chunk boundaries, and with them the keys of every chunk published before.
 */
public final class FastCdc {
    /** Smallest minimum chunk size accepted: below it, per-chunk overhead dominates. */
    static final int MIN_MIN_SIZE = 64;
    /** Largest maximum chunk size: DHash's default block data limit (1 MiB), so a chunk fits a block. */
    static final int MAX_MAX_SIZE = Block.DEFAULT_MAX_DATA;

    private static final long[] GEAR = gearTable();

    private final int minSize;
    private final int avgSize;
    private final int maxSize;
    private final long maskSmall;
    private final long maskLarge;

    /**
     * @throws IllegalArgumentException unless 64 &lt;= minSize &lt; avgSize &lt; maxSize &lt;= 1 MiB
     *     and avgSize is a power of two
     */
    public FastCdc(int minSize, int avgSize, int maxSize) {
        if (minSize < MIN_MIN_SIZE || minSize >= avgSize || avgSize >= maxSize || maxSize > MAX_MAX_SIZE) {
            throw new IllegalArgumentException("chunk sizes must satisfy " + MIN_MIN_SIZE
                    + " <= min < avg < max <= " + MAX_MAX_SIZE + ", got min " + minSize + ", avg " + avgSize
                    + ", max " + maxSize);
        }
        if (Integer.bitCount(avgSize) != 1) {
            throw new IllegalArgumentException("the average chunk size must be a power of two, got " + avgSize);
        }
        this.minSize = minSize;
        this.avgSize = avgSize;
        this.maxSize = maxSize;
        int bits = Integer.numberOfTrailingZeros(avgSize);
        this.maskSmall = topBits(bits + 2);
        this.maskLarge = topBits(bits - 2);
    }

    /**
     * The parameters publishers use: 16 KiB minimum, 64 KiB average, 256 KiB maximum. The
     * measurements behind them are in docs/BENCHMARKS.md ("Chunking").
     */
    public static FastCdc defaults() {
        return new FastCdc(16 << 10, 64 << 10, 256 << 10);
    }

    public int minSize() {
        return minSize;
    }

    public int avgSize() {
        return avgSize;
    }

    public int maxSize() {
        return maxSize;
    }

    /**
     * Length of the first chunk of data[off, off+len); if len &lt;= minSize returns len; never
     * more than maxSize. When no cut point is found before {@code len} and {@code len < maxSize},
     * the answer is {@code len}: callers that have not reached the end of their data must offer
     * at least {@code maxSize} bytes for the answer to be a real boundary.
     */
    public int cut(byte[] data, int off, int len) {
        Objects.checkFromIndexSize(off, len, data.length);
        if (len <= minSize) {
            return len;
        }
        int n = Math.min(len, maxSize);
        int normal = Math.min(n, avgSize);
        long fp = 0;
        int i = minSize;
        for (; i < normal; i++) {
            fp = (fp << 1) + GEAR[data[off + i] & 0xff];
            if ((fp & maskSmall) == 0) {
                return i + 1;
            }
        }
        for (; i < n; i++) {
            fp = (fp << 1) + GEAR[data[off + i] & 0xff];
            if ((fp & maskLarge) == 0) {
                return i + 1;
            }
        }
        return n;
    }

    /**
     * Streams chunks of {@code in}: each next() returns a new exactly-sized array, null at the
     * end; memory bounded by ~2*maxSize. The boundaries are those {@link #cut} gives on the whole
     * content at once. The stream is not closed.
     */
    public Chunks chunks(InputStream in) {
        return new StreamChunks(this, Objects.requireNonNull(in, "in"));
    }

    /** Chunks read one at a time; not safe for use by several threads. */
    public interface Chunks {
        /** The next chunk, or null once the stream has ended. */
        byte[] next() throws IOException;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FastCdc other
                && minSize == other.minSize && avgSize == other.avgSize && maxSize == other.maxSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(minSize, avgSize, maxSize);
    }

    @Override
    public String toString() {
        return "FastCdc[min=" + minSize + ", avg=" + avgSize + ", max=" + maxSize + "]";
    }

    long maskSmall() {
        return maskSmall;
    }

    long maskLarge() {
        return maskLarge;
    }

    static long gear(int i) {
        return GEAR[i];
    }

    private static long topBits(int count) {
        return -1L << (Long.SIZE - count);
    }

    private static long[] gearTable() {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        byte[] prefix = "cfs-fastcdc-gear".getBytes(StandardCharsets.US_ASCII);
        long[] table = new long[256];
        for (int i = 0; i < table.length; i++) {
            sha256.update(prefix);
            sha256.update((byte) i);
            table[i] = ByteBuffer.wrap(sha256.digest()).getLong();
        }
        return table;
    }

    /**
     * A window of up to {@code 2 * maxSize} bytes over the stream. Before each cut it holds at
     * least {@code maxSize} bytes or the rest of the stream, so a cut inside it is the cut the
     * whole content would give.
     */
    private static final class StreamChunks implements Chunks {
        private final FastCdc cdc;
        private final InputStream in;
        private final byte[] buffer;
        private int start;
        private int end;
        private boolean eof;

        StreamChunks(FastCdc cdc, InputStream in) {
            this.cdc = cdc;
            this.in = in;
            this.buffer = new byte[2 * cdc.maxSize];
        }

        @Override
        public byte[] next() throws IOException {
            fill();
            if (start == end) {
                return null;
            }
            int length = cdc.cut(buffer, start, end - start);
            byte[] chunk = Arrays.copyOfRange(buffer, start, start + length);
            start += length;
            return chunk;
        }

        /** Reads until maxSize bytes are buffered or the stream ends; each pass reads at least a byte. */
        private void fill() throws IOException {
            if (eof || end - start >= cdc.maxSize) {
                return;
            }
            // The tail moves to the front only once more than maxSize bytes were consumed since
            // it last moved, and it is shorter than maxSize: under one byte copied per byte chunked.
            if (buffer.length - start < cdc.maxSize || start == end) {
                System.arraycopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
            }
            while (end - start < cdc.maxSize) {
                int n = in.read(buffer, end, buffer.length - end);
                if (n < 0) {
                    eof = true;
                    return;
                }
                if (n == 0) {
                    throw new IOException("the input stream read 0 bytes into a buffer of "
                            + (buffer.length - end) + "; it must block until it has a byte or return -1");
                }
                end += n;
            }
        }
    }
}
