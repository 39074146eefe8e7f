package org.cfs.cluster.lab;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.CRC32C;

/**
 * The reads of the mount benchmark, the same code for a mount and for the bytes it should return:
 * each read is folded into a CRC-32C (a few GB/s, so it costs little beside the read), and a
 * mount's CRCs are compared with those of the source, so wrong bytes fail the run.
 */
final class FileReads {
    /** Bytes asked for per sequential read call. */
    private static final int SEQUENTIAL_BYTES = 1 << 20;
    static final int RANDOM_BYTES = 4096;

    private FileReads() {
    }

    /** Positional reads of some bytes: {@code FileChannel::read}, or a file system's content. */
    @FunctionalInterface
    interface Source {
        /** Reads into {@code dst} from {@code position}; the count read, or -1 at the end. */
        int read(ByteBuffer dst, long position) throws IOException;
    }

    /** The CRC-32C of the first {@code size} bytes of {@code source}, read in order; fails if it ends early. */
    static long sequentialCrc(Source source, long size) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(SEQUENTIAL_BYTES);
        CRC32C crc = new CRC32C();
        long position = 0;
        while (position < size) {
            buf.clear().limit((int) Math.min(SEQUENTIAL_BYTES, size - position));
            int n = source.read(buf, position);
            if (n < 0) {
                throw new IOException("the file ended at " + position + " of " + size + " bytes");
            }
            buf.flip();
            crc.update(buf);
            position += n;
        }
        return crc.getValue();
    }

    /**
     * {@code threads} threads each make {@code perThread} reads of 4 KiB at page-aligned offsets
     * drawn from a generator seeded by the thread's index, so every call reads the same places;
     * returns each thread's CRC-32C over its reads, in order. Waits at most {@code bound}.
     */
    static long[] randomCrcs(Source source, long size, int threads, int perThread, Duration bound)
            throws IOException, InterruptedException {
        long pages = size / RANDOM_BYTES;
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "random-reader");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Long>> each = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = t;
                each.add(pool.submit(() -> randomReads(source, pages, perThread, new SplittableRandom(seed))));
            }
            long deadline = System.nanoTime() + bound.toNanos();
            long[] crcs = new long[threads];
            for (int t = 0; t < threads; t++) {
                crcs[t] = each.get(t).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            return crcs;
        } catch (TimeoutException e) {
            throw new IOException(threads * (long) perThread + " random reads took over " + bound.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw new IOException("a random read failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@code task} on a thread of its own, waited for at most {@code bound}; {@code what} names it in the failure. */
    static <T> T within(Duration bound, String what, Callable<T> task) throws Exception {
        ExecutorService one = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bounded-step");
            t.setDaemon(true);
            return t;
        });
        try {
            return one.submit(task).get(bound.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + " took over " + bound.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } finally {
            one.shutdownNow();
        }
    }

    private static long randomReads(Source source, long pages, int count, SplittableRandom random) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(RANDOM_BYTES);
        CRC32C crc = new CRC32C();
        for (int i = 0; i < count; i++) {
            long position = random.nextLong(pages) * RANDOM_BYTES;
            buf.clear();
            while (buf.hasRemaining()) {
                if (source.read(buf, position + buf.position()) < 0) {
                    throw new IOException("the file ended at " + (position + buf.position()));
                }
            }
            buf.flip();
            crc.update(buf);
        }
        return crc.getValue();
    }
}
