package org.cfs.fs;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.cfs.chord.Id;
import org.cfs.dhash.Block;
import org.cfs.dhash.ContentBlock;

/**
 * A {@link Blocks} that reads content blocks through a {@link DiskBlockCache}; made by
 * {@link DiskBlockCache#cached}. Only {@link #get} goes through the cache: signed blocks, the
 * expired-block read, puts and replica counts are the inner store's alone.
 */
final class CachedBlocks extends ForwardingBlocks {
    private final DiskBlockCache cache;
    private final Executor writes;

    CachedBlocks(Blocks inner, DiskBlockCache cache, Executor writes) {
        super(inner);
        this.cache = cache;
        this.writes = writes;
    }

    @Override
    public CompletableFuture<Block> get(Id key) {
        ContentBlock held = cache.block(key);
        if (held != null) {
            return CompletableFuture.completedFuture(held);
        }
        return inner().get(key).thenApply(block -> {
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
}
