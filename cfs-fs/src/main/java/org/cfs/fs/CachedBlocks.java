package org.cfs.fs;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.cfs.chord.Id;
import org.cfs.dhash.Block;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.PutResult;

/**
 * A {@link Blocks} that reads content blocks through a {@link DiskBlockCache}; made by
 * {@link DiskBlockCache#cached}. Only {@link #get} goes through the cache: signed blocks, the
 * expired-block read, puts and replica counts are the inner store's alone.
 */
final class CachedBlocks implements Blocks {
    private final Blocks inner;
    private final DiskBlockCache cache;
    private final Executor writes;

    CachedBlocks(Blocks inner, DiskBlockCache cache, Executor writes) {
        this.inner = inner;
        this.cache = cache;
        this.writes = writes;
    }

    @Override
    public CompletableFuture<Block> get(Id key) {
        ContentBlock held = cache.block(key);
        if (held != null) {
            return CompletableFuture.completedFuture(held);
        }
        return inner.get(key).thenApply(block -> {
            if (block instanceof ContentBlock content) {
                keep(key, content);
            }
            return block;
        });
    }

    private void keep(Id key, ContentBlock block) {
        try {
            writes.execute(() -> cache.put(key, block.encode()));
        } catch (RejectedExecutionException shuttingDown) {
            // The cache is an optimisation: a block not kept is fetched again next time.
        }
    }

    @Override
    public CompletableFuture<Block> getIncludingExpired(Id key) {
        return inner.getIncludingExpired(key);
    }

    @Override
    public CompletableFuture<PutResult> put(Block block) {
        return inner.put(block);
    }

    @Override
    public CompletableFuture<PutResult> putMissing(ContentBlock block) {
        return inner.putMissing(block);
    }

    @Override
    public CompletableFuture<Integer> holders(Id key) {
        return inner.holders(key);
    }

    @Override
    public CompletableFuture<java.util.List<String>> replicaHosts(Id key) {
        return inner.replicaHosts(key);
    }
}
