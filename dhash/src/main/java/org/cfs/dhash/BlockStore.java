package org.cfs.dhash;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.cfs.chord.Id;

/**
 * A node's durable blocks, sorted by key so that a ring interval is a range scan. The store keeps
 * bytes it is given and does not check them: callers verify blocks before storing them. It may
 * keep and hand back the caller's arrays, so treat block arrays as read-only.
 *
 * <p>Every block is charged to the remote host that sent it, against {@link StoreLimits}. All
 * methods are safe to call from several threads.
 *
 * <p>Blocks are kept for an agreed interval, as in CFS, and publishers refresh what they want
 * kept: a node cannot tell which content blocks a volume still references. The store records when
 * each block was last stored or {@link #refresh refreshed}. When a put, put-all or refresh would be
 * refused for lack of space (STORE_FULL or OVER_QUOTA), and only then, it runs a collection round
 * and tries once more. A round deletes every block that is due (at most
 * 100 000), crediting its bytes to its payer: first signed blocks expired for longer than the
 * {@linkplain StoreLimits#lease lease} (30 days by default; no reader accepts them, but their
 * publisher reads them to outrank them), then content blocks not stored or refreshed for the lease. No block within its lease or expiry is
 * ever collected, so a store full of live blocks still refuses with STORE_FULL. A round is skipped
 * while no block held can be due yet, so refused puts do not rescan a store of live blocks.
 */
public interface BlockStore extends AutoCloseable {
    /** The block stored under {@code key}, if any. */
    Optional<byte[]> get(Id key) throws DHashException;

    boolean contains(Id key) throws DHashException;

    /**
     * Stores or replaces durably before returning (RocksDB: sync write). Charges the bytes to
     * {@code source} (a remote host string) unless source is null (internal: replication/handoff).
     * Refuses with STORE_FULL when bytes()+size would exceed capacity, OVER_QUOTA when the
     * source's usage would exceed its quota, in both cases after collecting what is due (see above);
     * a refused put stores nothing. Storing starts the block's lease again. Replacing a key first
     * credits the old size (to the source that paid for it), and a put that does not grow the
     * store or the source's usage is never refused.
     */
    void put(Id key, byte[] block, String source) throws DHashException;

    /**
     * Stores or replaces every block of {@code blocks} as {@link #put} does, all durable together
     * (RocksDB: one synced write), so a hand-over of thousands of blocks costs one sync, not one
     * each. All or nothing: if one is refused, none is stored.
     */
    void putAll(Map<Id, byte[]> blocks, String source) throws DHashException;

    /**
     * Restarts the lease of the block under {@code key} without rewriting it, charging it as a
     * put of the same bytes from {@code source} would: its old payer is credited and source (unless
     * null) charged, so OVER_QUOTA may refuse it. False, changing nothing, if the block is not held.
     */
    boolean refresh(Id key, String source) throws DHashException;

    /** Removes the block and credits its bytes back; false if there was none. */
    boolean delete(Id key) throws DHashException;

    /**
     * Keys in the ring interval (from, to], ascending from 'from' with wrap-around, at most limit.
     * (x, x] is the whole ring.
     */
    List<Id> keys(Id fromExclusive, Id toInclusive, int limit) throws DHashException;

    /** Visits every key in (from, to] in that order; the cheapest full scan the store can do. */
    void forEachKey(Id fromExclusive, Id toInclusive, Consumer<Id> visitor) throws DHashException;

    /** What {@link #forEachVersion} reports for each key; returning false stops the walk. */
    @FunctionalInterface
    interface VersionVisitor {
        boolean visit(Id key, long version);
    }

    /**
     * Visits the keys in (from, to] in ring order with their blocks' versions, until the visitor
     * returns false: a signed block's sequence plus one, 0 for a content-hash block. What replicas
     * compare so that a newer version of a signed block is noticed, not only a missing key.
     */
    void forEachVersion(Id fromExclusive, Id toInclusive, VersionVisitor visitor) throws DHashException;

    /** What {@link #forEachBlock} reports for each key; returning false stops the walk. */
    @FunctionalInterface
    interface BlockVisitor {
        boolean visit(Id key, byte[] block);
    }

    /**
     * Visits the keys in (from, to] in ring order with their blocks, until the visitor returns
     * false: one sequential read of the range, much cheaper per block than a {@link #get} each
     * when most keys of the range are wanted (a hand-over reading what a host lacks).
     */
    void forEachBlock(Id fromExclusive, Id toInclusive, BlockVisitor visitor) throws DHashException;

    /** The number of blocks held. */
    long count();

    /** The sum of the lengths of the blocks held. */
    long bytes();

    StoreLimits limits();

    /** The bytes charged to {@code source}; 0 for a source that has nothing stored. */
    long usage(String source);

    /** Releases what the store holds open; idempotent. Later reads and writes fail with IO. */
    @Override
    void close();
}
