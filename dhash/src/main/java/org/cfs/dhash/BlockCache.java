package org.cfs.dhash;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Objects;
import org.cfs.chord.Id;

/**
 * Encoded blocks this node has seen verified but is not responsible for (CFS path caching),
 * bounded in bytes and kept apart from the durable {@link BlockStore}. Safe for concurrent use.
 */
public final class BlockCache {
    private final Cache<Id, byte[]> blocks;
    private final long maxBytes;

    /** A cache holding at most {@code maxBytes} of encoded blocks. */
    public BlockCache(long maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("a block cache needs a positive byte bound, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
        // Maintenance (eviction) runs on the calling thread, not a pool: no hidden threads, and
        // the bound holds as soon as put returns.
        this.blocks = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((Id key, byte[] block) -> block.length)
                .executor(Runnable::run)
                .recordStats()
                .build();
    }

    /** The cached block, or null; counts a hit or a miss. */
    public byte[] get(Id key) {
        return blocks.getIfPresent(key);
    }

    /** Caches a block the caller has verified under {@code key}. */
    /** Whether {@code key} is cached, without counting a hit or a miss: what lookup steps ask. */
    public boolean contains(Id key) {
        return blocks.asMap().containsKey(key);
    }

    public void put(Id key, byte[] block) {
        blocks.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(block, "block"));
    }

    /** Drops a cached block, for a signed block that a newer version replaced. */
    public void invalidate(Id key) {
        blocks.invalidate(key);
    }

    public long hits() {
        return blocks.stats().hitCount();
    }

    public long misses() {
        return blocks.stats().missCount();
    }

    /** The encoded bytes cached now. */
    public long bytes() {
        blocks.cleanUp();
        return blocks.policy().eviction().orElseThrow().weightedSize().orElseThrow();
    }

    public long maxBytes() {
        return maxBytes;
    }
}
