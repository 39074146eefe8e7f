package org.cfs.fs;

import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.cfs.chord.Id;
import org.cfs.dhash.Block;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHashException;
import org.cfs.dhash.PutResult;
import org.cfs.dhash.SignedBlock;

/**
 * Blocks in a map, for unit tests of the format, publisher and reader: verified on the way in and
 * out as DHash does, and open to tampering ({@link #replace}) for the hostile-block tests.
 */
final class MemoryBlocks implements Blocks {
    private final Map<Id, byte[]> stored = new ConcurrentHashMap<>();
    private final Clock clock;
    final AtomicLong gets = new AtomicLong();
    final AtomicLong puts = new AtomicLong();
    /** Replica hosts said to hold a stored block, unless {@link #holdersOf} names the key. */
    volatile int holdersDefault = 3;
    final Map<Id, Integer> holdersOf = new ConcurrentHashMap<>();
    /** Every key a {@link #putMissing} asked for, held or not: on a ring, asking restarts a held block's lease. */
    final Set<Id> askedFor = ConcurrentHashMap.newKeySet();

    MemoryBlocks(Clock clock) {
        this.clock = clock;
    }

    @Override
    public CompletableFuture<Block> get(Id key) {
        return read(key, clock.millis());
    }

    @Override
    public CompletableFuture<Block> getIncludingExpired(Id key) {
        return read(key, Long.MIN_VALUE);
    }

    private CompletableFuture<Block> read(Id key, long now) {
        gets.incrementAndGet();
        byte[] bytes = stored.get(key);
        if (bytes == null) {
            return CompletableFuture.failedFuture(new DHashException(DHashException.Kind.NOT_FOUND,
                    "block " + key + " is held by none of the 3 replica hosts"));
        }
        try {
            Block b = Block.decode(bytes, Block.DEFAULT_MAX_DATA);
            b.verify(key, now, Block.DEFAULT_MAX_DATA);
            return CompletableFuture.completedFuture(b);
        } catch (DHashException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<PutResult> put(Block block) {
        puts.incrementAndGet();
        try {
            block.verify(block.key(), clock.millis(), Block.DEFAULT_MAX_DATA);
        } catch (DHashException e) {
            return CompletableFuture.failedFuture(e);
        }
        byte[] held = stored.get(block.key());
        if (held != null && block instanceof SignedBlock s) {
            try {
                if (((SignedBlock) Block.decode(held, Block.DEFAULT_MAX_DATA)).seq() >= s.seq()) {
                    return CompletableFuture.failedFuture(new DHashException(DHashException.Kind.STALE, "stale"));
                }
            } catch (DHashException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        byte[] bytes = block.encode();
        stored.put(block.key(), bytes);
        return CompletableFuture.completedFuture(new PutResult(block.key(), java.util.List.of(), 3, true, 3L * bytes.length));
    }

    @Override
    public CompletableFuture<PutResult> putMissing(ContentBlock block) {
        askedFor.add(block.key());
        if (stored.containsKey(block.key())) {
            return CompletableFuture.completedFuture(new PutResult(block.key(), java.util.List.of(), 3, true, 0));
        }
        return put(block);
    }

    @Override
    public CompletableFuture<Integer> holders(Id key) {
        return CompletableFuture.completedFuture(stored.containsKey(key) ? holdersOf.getOrDefault(key, holdersDefault) : 0);
    }

    /** Puts raw bytes under a key, bypassing verification: what a hostile node would serve. */
    void replace(Id key, byte[] encoded) {
        stored.put(key, encoded);
    }

    void remove(Id key) {
        stored.remove(key);
    }

    byte[] raw(Id key) {
        return stored.get(key);
    }

    java.util.Set<Id> keys() {
        return java.util.Set.copyOf(stored.keySet());
    }

    int size() {
        return stored.size();
    }
}
