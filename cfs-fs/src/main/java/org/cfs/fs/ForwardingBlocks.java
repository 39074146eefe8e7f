package org.cfs.fs;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.Id;
import org.cfs.dhash.Block;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.PutResult;

/** A {@link Blocks} that passes every call on to another; a subclass overrides what it changes. */
public abstract class ForwardingBlocks implements Blocks {
    private final Blocks inner;

    protected ForwardingBlocks(Blocks inner) {
        this.inner = Objects.requireNonNull(inner, "inner");
    }

    /** Where calls go. */
    protected final Blocks inner() {
        return inner;
    }

    @Override
    public CompletableFuture<Block> get(Id key) {
        return inner.get(key);
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
    public CompletableFuture<List<String>> replicaHosts(Id key) {
        return inner.replicaHosts(key);
    }
}
