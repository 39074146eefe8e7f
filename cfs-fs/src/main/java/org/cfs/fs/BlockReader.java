package org.cfs.fs;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.cfs.chord.Id;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHashException;

/**
 * Fetches a volume's content blocks through a cache of verified data bounded in bytes; readers of
 * the same block at once share one fetch. Decoding failures become {@link VolumeException}s that
 * name the block and where in the volume it was met.
 */
final class BlockReader {
    private final Blocks blocks;
    private final Duration timeout;
    private final Cache<Id, byte[]> cache;
    /** Decoded metadata blocks (directory and chunk-list nodes, commits), bounded like the bytes. */
    private final Cache<NodeKey, Decoded> nodes;
    /** The deadline ({@link System#nanoTime}) of the bounded call running on this thread, if any. */
    private static final ThreadLocal<Long> DEADLINE = new ThreadLocal<>();
    /** Fetches under way, so readers of one block at once share a fetch. */
    private final ConcurrentHashMap<Id, Running> inFlight = new ConcurrentHashMap<>();

    BlockReader(Blocks blocks, Duration timeout, long cacheBytes) {
        this.blocks = blocks;
        this.timeout = timeout;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(Math.max(1, cacheBytes))
                .weigher((Id k, byte[] v) -> v.length + 64)
                .recordStats()
                .build();
        // Decoded nodes take a few times their block's size in objects; a quarter of the budget.
        this.nodes = Caffeine.newBuilder()
                .maximumWeight(Math.max(1, cacheBytes / 4))
                .weigher((NodeKey k, Decoded v) -> 4 * v.bytes() + 64)
                .build();
    }

    Blocks blocks() {
        return blocks;
    }

    /** Reads of block data served from the memory cache, and reads that had to fetch, so far. */
    long cacheHits() {
        return cache.stats().hitCount();
    }

    long cacheMisses() {
        return cache.stats().missCount();
    }

    Duration timeout() {
        return timeout;
    }

    /**
     * The data of content block {@code key}, verified; from the cache if it is there. Only good
     * blocks are cached: a missing or bad one is asked for again next time (a replica may be back).
     * Caffeine's own loader is not used because it logs every failed load with a stack trace, and
     * a missing block is an answer here, not an accident.
     */
    CompletableFuture<byte[]> data(Id key) {
        byte[] cached = cache.getIfPresent(key);
        return cached != null ? CompletableFuture.completedFuture(cached) : fetch(key).future().copy();
    }

    /** A fetch under way and when it began. */
    private record Running(CompletableFuture<byte[]> future, long startedNanos) {
    }

    private Running fetch(Id key) {
        Running mine = new Running(new CompletableFuture<>(), System.nanoTime());
        Running running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            return running;
        }
        blocks.get(key).whenComplete((b, e) -> {
            inFlight.remove(key, mine);
            if (e != null) {
                mine.future().completeExceptionally(e);
            } else if (b instanceof ContentBlock c) {
                cache.put(key, c.data());
                mine.future().complete(c.data());
            } else {
                mine.future().completeExceptionally(new CompletionException(new DHashException(
                        DHashException.Kind.MALFORMED, "block " + key + " is a signed block where a content block belongs")));
            }
        });
        return mine;
    }

    /**
     * How long a reader may still wait for {@code key}: until {@code deadlineNanos}, but no longer
     * than the reader's timeout from when its fetch began. A read the kernel retries after a first
     * one gave up must not wait a whole timeout again for the same fetch.
     */
    private Duration left(Id key, long deadlineNanos) {
        Running r = inFlight.get(key);
        long until = r == null ? deadlineNanos : Math.min(deadlineNanos, r.startedNanos() + timeout.toNanos());
        return Duration.ofNanos(Math.max(until - System.nanoTime(), 1_000_000L));
    }

    byte[] dataNow(Id key, String where) throws VolumeException {
        Long deadline = DEADLINE.get();
        return deadline != null ? dataBy(key, where, deadline) : Await.await(data(key), timeout, where, key);
    }

    /** A call whose block reads together may take at most the reader's timeout. */
    @FunctionalInterface
    interface Bounded<T> {
        T call() throws VolumeException;
    }

    /**
     * Runs {@code call} with every block read on this thread waiting, all told, at most the
     * timeout: a path several directories deep, each cold, must not take the timeout once per
     * directory. A call inside another keeps the outer deadline.
     */
    <T> T bounded(Bounded<T> call) throws VolumeException {
        if (DEADLINE.get() != null) {
            return call.call();
        }
        DEADLINE.set(System.nanoTime() + timeout.toNanos());
        try {
            return call.call();
        } finally {
            DEADLINE.remove();
        }
    }

    /** Like {@link #dataNow} but waits only until {@code deadlineNanos} (a {@link System#nanoTime} value). */
    byte[] dataBy(Id key, String where, long deadlineNanos) throws VolumeException {
        return awaitBy(data(key), key, where, deadlineNanos);
    }

    /** Waits for {@code f}, a fetch of {@code key}, as {@link #dataBy} does. */
    byte[] awaitBy(CompletableFuture<byte[]> f, Id key, String where, long deadlineNanos) throws VolumeException {
        return Await.await(f, left(key, deadlineNanos), where, key);
    }

    /** A format decoder of one block kind. */
    @FunctionalInterface
    private interface Format<T> {
        T decode(byte[] data) throws CorruptBlockException;
    }

    /**
     * A metadata block decoded, kept decoded: a listing with attributes asks for the same directory
     * blocks once per entry, and decoding a node of a thousand entries each time cost more than
     * the fetch. Kept by key and kind, since a hostile volume may name one block as two kinds.
     */
    private <T> T decoded(Id key, String where, Class<T> kind, Format<T> format) throws VolumeException {
        Decoded known = nodes.getIfPresent(new NodeKey(key, kind));
        if (known != null) {
            return kind.cast(known.node());
        }
        byte[] data = dataNow(key, where);
        try {
            T node = format.decode(data);
            nodes.put(new NodeKey(key, kind), new Decoded(node, data.length));
            return node;
        } catch (CorruptBlockException e) {
            throw corrupt(key, where, e);
        }
    }

    private record NodeKey(Id key, Class<?> kind) {
    }

    /** A decoded node and the size of the block it came from, which stands for its weight. */
    private record Decoded(Object node, int bytes) {
    }

    DirNode dir(Id key, String where) throws VolumeException {
        return decoded(key, where, DirNode.class, DirectoryCodec::decode);
    }

    ListNode list(Id key, String where) throws VolumeException {
        return decoded(key, where, ListNode.class, ChunkListCodec::decode);
    }

    Commit commit(Id key, String where) throws VolumeException {
        return decoded(key, where, Commit.class, Commit::decode);
    }

    static VolumeException corrupt(Id key, String where, Exception why) {
        return new VolumeException(VolumeException.Kind.CORRUPT, where + ": corrupt block " + key + ": "
                + why.getMessage(), why);
    }

    static VolumeException corrupt(Id key, String where, String why) {
        return new VolumeException(VolumeException.Kind.CORRUPT, where + ": corrupt block " + key + ": " + why);
    }
}
