package org.cfs.fs;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.Id;
import org.cfs.dhash.Block;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHash;
import org.cfs.dhash.PutResult;

/**
 * Where a volume's blocks are read and written: DHash on a ring, or a map in a unit test. Every
 * block {@link #get} returns has been verified against its key.
 */
public interface Blocks {
    /** The block named {@code key}, verified; fails with a {@link org.cfs.dhash.DHashException}. */
    CompletableFuture<Block> get(Id key);

    /** Like {@link #get}, but returns a signed block past its expiry rather than refusing it. */
    CompletableFuture<Block> getIncludingExpired(Id key);

    /** Stores {@code block} on all its replicas. */
    CompletableFuture<PutResult> put(Block block);

    /** Stores {@code block} where it is missing; {@link PutResult#bytesSent} says what was sent. */
    CompletableFuture<PutResult> putMissing(ContentBlock block);

    /**
     * How many of the key's replica hosts hold the block durably (caches not counted), for
     * {@code cfs verify --replicas}. Stores that cannot tell fail with UnsupportedOperationException.
     */
    default CompletableFuture<Integer> holders(Id key) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException(
                "this block store cannot count the replicas of a block"));
    }

    /**
     * The replica hosts ({@code host:port}) that hold the block durably, asked now; for a mount's
     * {@code user.cfs.replicas}. Stores that cannot tell fail with UnsupportedOperationException.
     */
    default CompletableFuture<List<String>> replicaHosts(Id key) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException(
                "this block store cannot name the replicas of a block"));
    }

    /** The blocks of a DHash ring. */
    static Blocks of(DHash dhash) {
        return new Blocks() {
            @Override
            public CompletableFuture<Block> get(Id key) {
                return dhash.get(key);
            }

            @Override
            public CompletableFuture<Block> getIncludingExpired(Id key) {
                return dhash.getIncludingExpired(key);
            }

            @Override
            public CompletableFuture<PutResult> put(Block block) {
                return dhash.put(block);
            }

            @Override
            public CompletableFuture<PutResult> putMissing(ContentBlock block) {
                return dhash.putMissing(block);
            }

            @Override
            public CompletableFuture<Integer> holders(Id key) {
                return dhash.stat(key).thenApply(stat -> (int) stat.storedReplicas());
            }

            @Override
            public CompletableFuture<List<String>> replicaHosts(Id key) {
                return dhash.stat(key).thenApply(stat -> stat.nodes().stream()
                        .filter(h -> h.replica() && h.stored())
                        .map(h -> h.node().endpoint().toString()).distinct().sorted().toList());
            }
        };
    }
}
