package org.cfs.cluster.lab;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Local trees of random bytes for the volume benchmark: random so that nothing deduplicates or
 * compresses by accident, seeded so that every run publishes the same bytes.
 */
final class RandomTree {
    /** Bytes written per call: large enough that the writes, not the calls, are what costs. */
    private static final int BUFFER = 1 << 20;

    private RandomTree() {
    }

    /** Writes {@code bytes} random bytes to a new file {@code file}. */
    static void file(Path file, long bytes, SplittableRandom random) throws IOException {
        byte[] buf = new byte[BUFFER];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = bytes; left > 0; left -= buf.length) {
                random.nextBytes(buf);
                out.write(buf, 0, (int) Math.min(buf.length, left));
            }
        }
    }

    /**
     * Writes {@code files} files of uniformly random sizes in [minBytes, maxBytes] spread over
     * {@code dirs} directories under {@code top}; returns their total size.
     */
    static long smallFiles(Path top, int files, int dirs, int minBytes, int maxBytes, SplittableRandom random)
            throws IOException {
        long total = 0;
        for (int d = 0; d < dirs; d++) {
            Files.createDirectories(top.resolve(String.format("d%03d", d)));
        }
        for (int i = 0; i < files; i++) {
            byte[] data = new byte[random.nextInt(minBytes, maxBytes + 1)];
            random.nextBytes(data);
            Files.write(top.resolve(String.format("d%03d/f%06d", i % dirs, i)), data);
            total += data.length;
        }
        return total;
    }
}
