package org.cfs.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.cfs.dhash.Block;
import org.cfs.dhash.ContentBlock;

/**
 * Block workloads for tests and benchmarks: random content blocks of a realistic mix of sizes,
 * and asynchronous operations run over many items with a bounded number outstanding.
 */
public final class BlockLoad {
    /** Longest any single operation may take before a windowed run gives up. */
    public static final long OPERATION_BOUND_SECONDS = 60;

    private BlockLoad() {
    }

    /** A content block of {@code size} random bytes. */
    public static ContentBlock block(int size, SplittableRandom random) {
        byte[] data = new byte[size];
        random.nextBytes(data);
        return new ContentBlock(data);
    }

    /**
     * {@code count} blocks, mostly small: 85% of 1..8 KiB, 12% of 8..128 KiB, 3% of 128 KiB..1 MiB,
     * and always one of exactly 1 KiB and one of exactly the 1 MiB limit.
     */
    public static List<ContentBlock> mixedBlocks(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<ContentBlock> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int size;
            if (i == 0) {
                size = Block.DEFAULT_MAX_DATA;
            } else if (i == 1) {
                size = 1024;
            } else {
                double p = random.nextDouble();
                size = p < 0.85 ? random.nextInt(1024, 8 << 10)
                        : p < 0.97 ? random.nextInt(8 << 10, 128 << 10)
                        : random.nextInt(128 << 10, Block.DEFAULT_MAX_DATA + 1);
            }
            out.add(block(size, random));
        }
        return out;
    }

    /**
     * Starts {@code operation} on every item, at most {@code window} outstanding at a time, and
     * returns their futures in item order once every one has completed.
     *
     * @throws IllegalStateException if no operation completes within {@link #OPERATION_BOUND_SECONDS}
     */
    public static <T, R> List<CompletableFuture<R>> inWindow(List<T> items, int window,
                                                              Function<T, CompletableFuture<R>> operation)
            throws InterruptedException {
        Semaphore slots = new Semaphore(window);
        List<CompletableFuture<R>> futures = new ArrayList<>(items.size());
        for (T item : items) {
            if (!slots.tryAcquire(OPERATION_BOUND_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException(window + " operations made no progress in "
                        + OPERATION_BOUND_SECONDS + " s");
            }
            CompletableFuture<R> f;
            try {
                f = operation.apply(item);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((r, e) -> slots.release());
            futures.add(f);
        }
        if (!slots.tryAcquire(window, OPERATION_BOUND_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the last operations did not finish within "
                    + OPERATION_BOUND_SECONDS + " s");
        }
        return futures;
    }

    /** {@link #inWindow} with 32 outstanding. */
    public static <T, R> List<CompletableFuture<R>> inWindow(List<T> items, Function<T, CompletableFuture<R>> operation)
            throws InterruptedException {
        return inWindow(items, 32, operation);
    }

    /** Why a completed future failed, in one line; null if it succeeded. */
    public static String failure(CompletableFuture<?> done) {
        if (!done.isCompletedExceptionally()) {
            return null;
        }
        try {
            done.join();
            return null;
        } catch (CompletionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            while (cause.getCause() != null && (cause instanceof CompletionException
                    || cause instanceof ExecutionException)) {
                cause = cause.getCause();
            }
            return cause.toString();
        } catch (CancellationException e) {
            return e.toString();
        }
    }
}
