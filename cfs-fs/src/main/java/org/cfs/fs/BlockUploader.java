package org.cfs.fs;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.cfs.chord.Id;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHashException;
import org.cfs.dhash.PutResult;

/**
 * Stores a publish's content blocks where the ring lacks them, many at once but within a bound on
 * blocks and bytes in flight, so memory stays bounded whatever the size of a file or tree. Each
 * block is sent once per publish however often it occurs; a transient failure is retried.
 */
final class BlockUploader {
    /** Attempts per block when the ring is briefly unavailable (a node gone, a timeout). */
    private static final int ATTEMPTS = 3;

    private final Blocks blocks;
    private final Duration timeout;
    private final Semaphore slots;
    private final int maxBlocks;
    private final Semaphore kib;
    private final int maxKib;
    private final Set<Id> submitted = ConcurrentHashMap.newKeySet();
    private final AtomicReference<VolumeException> failure = new AtomicReference<>();
    private final AtomicLong blocksSent = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicLong blocksFound = new AtomicLong();
    private final AtomicLong bytesFound = new AtomicLong();

    BlockUploader(Blocks blocks, Duration timeout, int maxBlocks, long maxBytes) {
        this.blocks = blocks;
        this.timeout = timeout;
        this.maxBlocks = maxBlocks;
        this.slots = new Semaphore(maxBlocks);
        this.maxKib = (int) Math.max(Format.MAX_CHUNK / 1024 + 1, maxBytes / 1024);
        this.kib = new Semaphore(maxKib);
    }

    /**
     * Starts storing {@code block}, waiting first while the bounds are reached.
     *
     * @throws VolumeException if an earlier block failed: the publish stops there
     */
    void store(ContentBlock block, String where) throws VolumeException {
        throwIfFailed();
        Id key = block.key();
        if (!submitted.add(key)) {
            return;
        }
        int weight = Math.min(maxKib, Math.max(1, (block.data().length + 1023) / 1024));
        try {
            if (!slots.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw stalled(where);
            }
            if (!kib.tryAcquire(weight, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                slots.release();
                throw stalled(where);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VolumeException(VolumeException.Kind.UNAVAILABLE, where + ": interrupted", e);
        }
        attempt(block, where, 1).whenComplete((result, error) -> {
            kib.release(weight);
            slots.release();
            if (error != null) {
                failure.compareAndSet(null, Await.failure(error, where, key));
            } else if (result.bytesSent() > 0) {
                blocksSent.incrementAndGet();
                bytesSent.addAndGet(result.bytesSent());
            } else {
                blocksFound.incrementAndGet();
                bytesFound.addAndGet(block.data().length);
            }
        });
    }

    private CompletableFuture<PutResult> attempt(ContentBlock block, String where, int attempt) {
        return blocks.putMissing(block).exceptionallyCompose(e -> {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            boolean transient_ = !(cause instanceof DHashException d) || d.kind() == DHashException.Kind.UNAVAILABLE;
            return transient_ && attempt < ATTEMPTS ? attempt(block, where, attempt + 1) : CompletableFuture.failedFuture(e);
        });
    }

    private VolumeException stalled(String where) {
        return new VolumeException(VolumeException.Kind.UNAVAILABLE, where + ": the ring took no block for "
                + timeout.toSeconds() + " s");
    }

    /** Waits until every block started has been stored (or failed). */
    void finish(String where) throws VolumeException {
        try {
            if (!slots.tryAcquire(maxBlocks, timeout.toMillis() * ATTEMPTS, TimeUnit.MILLISECONDS)) {
                throw stalled(where);
            }
            slots.release(maxBlocks);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VolumeException(VolumeException.Kind.UNAVAILABLE, where + ": interrupted", e);
        }
        throwIfFailed();
    }

    private void throwIfFailed() throws VolumeException {
        VolumeException e = failure.get();
        if (e != null) {
            throw e;
        }
    }

    long blocksSent() {
        return blocksSent.get();
    }

    long bytesSent() {
        return bytesSent.get();
    }

    long blocksFound() {
        return blocksFound.get();
    }

    long bytesFound() {
        return bytesFound.get();
    }
}
