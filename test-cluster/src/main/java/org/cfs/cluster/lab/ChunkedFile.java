package org.cfs.cluster.lab;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.function.IntPredicate;
import org.cfs.fs.FastCdc;

/**
 * A file as one {@link FastCdc} cuts it, with the hashes of its chunks: what a publisher has
 * stored already, against which the chunks of an edited version are new or not.
 */
final class ChunkedFile {
    /** Edited bytes re-cut past the last untouched boundary, in maximum-size chunks. */
    private static final int WINDOW_CHUNKS = 16;

    /** Chunks and bytes of an edited version that the stored version lacks. */
    record EditCost(int chunks, long bytes) {
    }

    private final FastCdc cdc;
    private final byte[] data;
    /** Offsets where chunks start, then data.length. */
    private final int[] starts;
    private final Set<ByteBuffer> keys = new HashSet<>();

    ChunkedFile(FastCdc cdc, byte[] data) {
        this.cdc = cdc;
        this.data = data;
        int[] found = new int[data.length / (cdc.minSize() + 1) + 2];
        int count = 0;
        for (int off = 0; off < data.length; off += cdc.cut(data, off, data.length - off)) {
            found[count++] = off;
        }
        found[count++] = data.length;
        this.starts = Arrays.copyOf(found, count);
        MessageDigest sha256 = sha256();
        for (int i = 0; i + 1 < starts.length; i++) {
            sha256.update(data, starts[i], starts[i + 1] - starts[i]);
            keys.add(ByteBuffer.wrap(sha256.digest()));
        }
    }

    int chunks() {
        return starts.length - 1;
    }

    int length(int chunk) {
        return starts[chunk + 1] - starts[chunk];
    }

    /** The offset at which chunk {@code chunk} starts. */
    int start(int chunk) {
        return starts[chunk];
    }

    /** What re-publishing the whole of {@code edited}, cut from its start, sends. */
    EditCost costOf(byte[] edited) {
        return newChunks(edited, true, off -> false);
    }

    /**
     * What re-publishing sends after {@code removed} bytes at {@code at} are replaced by
     * {@code inserted}. Chunks that end before {@code at} are cut as before, since a cut looks at
     * nothing past its end; so is everything after the first boundary past the edit that the
     * original has too. Only the edited bytes in between are cut again, from a window of
     * {@value #WINDOW_CHUNKS} maximum-size chunks after the edit.
     *
     * @throws IllegalStateException if the cuts do not meet the original's within the window
     */
    EditCost costOf(int at, int removed, byte[] inserted) {
        int found = Arrays.binarySearch(starts, at);
        int from = starts[found >= 0 ? found : -found - 2];
        int tail = at + removed;
        int tailCopied = Math.min(data.length - tail, WINDOW_CHUNKS * cdc.maxSize());
        byte[] window = new byte[at - from + inserted.length + tailCopied];
        System.arraycopy(data, from, window, 0, at - from);
        System.arraycopy(inserted, 0, window, at - from, inserted.length);
        System.arraycopy(data, tail, window, at - from + inserted.length, tailCopied);
        int editEnd = at - from + inserted.length;
        int shift = inserted.length - removed;
        // Past the edit the window's bytes are the original's, shifted: a boundary both share
        // starts the same cuts for the rest of the file.
        return newChunks(window, tail + tailCopied == data.length,
                off -> off >= editEnd && Arrays.binarySearch(starts, from + off - shift) >= 0);
    }

    /**
     * Cuts {@code edited} from its start until {@code resynced} says the rest is the original's;
     * {@code complete} says whether its end is the end of the file, not of a window.
     */
    private EditCost newChunks(byte[] edited, boolean complete, IntPredicate resynced) {
        MessageDigest sha256 = sha256();
        int chunks = 0;
        long bytes = 0;
        for (int off = 0; off < edited.length && !resynced.test(off); ) {
            if (!complete && edited.length - off < cdc.maxSize()) {
                throw new IllegalStateException(cdc + " did not find a boundary of the original within "
                        + WINDOW_CHUNKS + " maximum-size chunks of an edit");
            }
            int n = cdc.cut(edited, off, edited.length - off);
            sha256.update(edited, off, n);
            if (!keys.contains(ByteBuffer.wrap(sha256.digest()))) {
                chunks++;
                bytes += n;
            }
            off += n;
        }
        return new EditCost(chunks, bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
