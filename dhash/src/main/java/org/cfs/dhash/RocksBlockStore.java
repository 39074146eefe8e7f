package org.cfs.dhash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.cfs.chord.ByteSize;
import org.cfs.chord.Id;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.RocksObject;
import org.rocksdb.UInt64AddOperator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BlockStore} in one RocksDB database per host directory. Every write is synced before
 * {@link #put} returns, and the block, its metadata and the counters change in one write batch,
 * so after a crash the store reopens with exactly the acknowledged blocks and counters that
 * match them.
 *
 * <p>A failed write (a full disk, say) is refused with IO naming the directory and the cause.
 * RocksDB then refuses every later write, deletes included, until the database is reopened
 * (RocksJava has no {@code Resume}), while reads go on being served. So the store reopens itself:
 * a write after a failed one, at most every {@link #REOPEN_EVERY} and only once the disk has
 * {@link #MIN_FREE_TO_REOPEN} free, waits for the reads and writes in progress, closes the
 * database and opens it again (its counters read back from it), then writes; until then writes are
 * refused at once, saying why. Set the capacity in
 * {@link StoreLimits} well below the free space: a block sits in the write-ahead log and again in
 * a table or blob file until the log is trimmed.
 *
 * <p>Column families, all keyed by the 20 id bytes (so byte order is ring order):
 * <ul>
 *   <li>{@code blocks}: id to the block bytes. Values of 4 KiB and more go to blob files, so
 *       compaction does not rewrite megabyte chunks.</li>
 *   <li>{@code meta}: id to what a replace or delete must credit, what key scans read instead of
 *       the blocks themselves, and when the block was last stored or refreshed:
 *       <pre>
 *   meta     = size:u32  version:u64  flags:u8  [refreshed:i64]  [payer]   ; big-endian
 *   flags    = bit 0: a payer follows; bit 1: refreshed is present; the other bits are 0
 *   refreshed = Unix milliseconds of the block's last store or refresh (its lease starts there)
 *   payer    = the source charged for the block, UTF-8, the rest of the value
 *       </pre>
 *       Values written before blocks had leases have flags 0 or 1 and no {@code refreshed}; they
 *       read as refreshed when the store was opened, so an upgraded store gives its old blocks a
 *       full lease.</li>
 *   <li>{@code accounts}: {@code 0x00} block count, {@code 0x01} total bytes, {@code 0x02 ||
 *       source} that source's bytes; each an 8-byte little-endian counter changed only by
 *       RocksDB's {@code uint64add} merges, so concurrent puts add deltas instead of racing to
 *       write totals.</li>
 * </ul>
 */
public final class RocksBlockStore implements BlockStore {
    static {
        RocksNativeLibrary.load();
    }

    private static final byte[] BLOCKS = "blocks".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] META = "meta".getBytes(StandardCharsets.US_ASCII);
    /** A {@code meta} value's size, version and flags. */
    private static final int META_FIXED_BYTES = Integer.BYTES + Long.BYTES + 1;
    /** {@code meta} flags: a payer follows; the refresh time is present. */
    private static final int PAID = 1;
    private static final int REFRESHED = 2;
    private static final byte[] ACCOUNTS = "accounts".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COUNT_KEY = {0};
    private static final byte[] BYTES_KEY = {1};
    private static final byte USAGE_PREFIX = 2;
    private static final long MIN_BLOB_BYTES = 4096;
    private static final long TABLE_CACHE_BYTES = 32L << 20;
    /** How far ahead {@link #forEachBlock} reads the table files: a bulk read, not point lookups. */
    private static final long BULK_READAHEAD_BYTES = 2L << 20;
    private static final long MAX_LOG_BYTES = 128L << 20;
    private static final int KEY_LOCKS = 64;
    /** Least time between two attempts to reopen after a failed write. */
    static final Duration REOPEN_EVERY = Duration.ofSeconds(2);
    /** Free space the disk must have before a reopen is tried: one write-ahead log file. */
    static final long MIN_FREE_TO_REOPEN = 16L << 20;
    private static final Logger LOG = LoggerFactory.getLogger(RocksBlockStore.class);

    private final Path dir;
    private final StoreLimits limits;
    private final StoreAccounts accounts;
    private final Leases leases;
    /** The refresh time of blocks whose metadata has none (written before leases). */
    private final long openedAtMillis;
    // The database and its handles: replaced only by a reopen, under the lifecycle's write lock,
    // and read under its read lock.
    private RocksDB db;
    private ColumnFamilyHandle blocks;
    private ColumnFamilyHandle meta;
    private ColumnFamilyHandle counters;
    private WriteOptions durable;
    private ReadOptions scan;
    /** Every native object, in creation order; closed in reverse. Empty while a reopen failed. */
    private Deque<RocksObject> natives;
    private final Object[] keyLocks = new Object[KEY_LOCKS];
    /** Readers and writers hold the read side, so close and reopen never free handles in use. */
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;
    /** Why writes are refused since a write failed (null while they are not), and when a reopen was last tried. */
    private volatile String writesRefused;
    private long reopenTriedNanos;

    /** What {@link #openDatabase} makes. */
    private record Opened(RocksDB db, List<ColumnFamilyHandle> families, WriteOptions durable, ReadOptions scan,
                          Deque<RocksObject> natives) {
    }

    private RocksBlockStore(Path dir, StoreLimits limits, Clock clock, Opened opened) {
        this.dir = dir;
        this.limits = limits;
        this.accounts = new StoreAccounts(limits);
        this.leases = new Leases(limits.lease(), clock, new Holdings());
        this.openedAtMillis = clock.millis();
        install(opened);
        Arrays.setAll(keyLocks, i -> new Object());
    }

    private void install(Opened opened) {
        this.db = opened.db();
        this.blocks = opened.families().get(1);
        this.meta = opened.families().get(2);
        this.counters = opened.families().get(3);
        this.durable = opened.durable();
        this.scan = opened.scan();
        this.natives = opened.natives();
    }

    /**
     * Opens the store in {@code dir}, creating the directory and the database if needed.
     *
     * @throws DHashException IO if the directory cannot be created or the database opened (for
     *     example because another store has it open)
     */
    public static RocksBlockStore open(Path dir, StoreLimits limits) throws DHashException {
        return open(dir, limits, Clock.systemUTC());
    }

    /** Like {@link #open(Path, StoreLimits)}, with leases and expiries on {@code clock}. */
    public static RocksBlockStore open(Path dir, StoreLimits limits, Clock clock) throws DHashException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(clock, "clock");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new DHashException(DHashException.Kind.IO,
                    "cannot create the block store directory " + dir + ": " + e, e);
        }
        Opened opened;
        try {
            opened = openDatabase(dir);
        } catch (RocksDBException e) {
            throw new DHashException(DHashException.Kind.IO,
                    "cannot open the block store at " + dir + ": " + e.getMessage(), e);
        }
        RocksBlockStore store = new RocksBlockStore(dir, limits, clock, opened);
        try {
            store.restoreAccounts();
        } catch (RocksDBException e) {
            store.close();
            throw new DHashException(DHashException.Kind.IO,
                    "cannot read the counters of the block store at " + dir + ": " + e.getMessage(), e);
        }
        return store;
    }

    private static Opened openDatabase(Path dir) throws RocksDBException {
        Deque<RocksObject> natives = new ArrayDeque<>();
        try {
            DBOptions options = own(natives, new DBOptions()
                    .setCreateIfMissing(true)
                    .setCreateMissingColumnFamilies(true)
                    // The small families rarely fill a memtable; unbounded, they would keep old
                    // log files, and the blocks in them, on disk up to 4x the memtable budget.
                    .setMaxTotalWalSize(MAX_LOG_BYTES)
                    .setKeepLogFileNum(4)
                    .setMaxLogFileSize(16L << 20));
            LRUCache tableCache = own(natives, new LRUCache(TABLE_CACHE_BYTES));
            BloomFilter bloom = own(natives, new BloomFilter(10));
            BlockBasedTableConfig table = new BlockBasedTableConfig().setBlockCache(tableCache).setFilterPolicy(bloom);
            List<ColumnFamilyDescriptor> families = List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, own(natives, new ColumnFamilyOptions())),
                    new ColumnFamilyDescriptor(BLOCKS, own(natives, new ColumnFamilyOptions()
                            .setTableFormatConfig(table)
                            .setEnableBlobFiles(true)
                            .setMinBlobSize(MIN_BLOB_BYTES)
                            .setEnableBlobGarbageCollection(true))),
                    new ColumnFamilyDescriptor(META, own(natives, new ColumnFamilyOptions()
                            .setTableFormatConfig(table))),
                    new ColumnFamilyDescriptor(ACCOUNTS, own(natives, new ColumnFamilyOptions()
                            .setMergeOperator(own(natives, new UInt64AddOperator())))));
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            RocksDB db = own(natives, RocksDB.open(options, dir.toString(), families, handles));
            handles.forEach(natives::push);
            WriteOptions durable = own(natives, new WriteOptions().setSync(true));
            ReadOptions scan = own(natives, new ReadOptions().setFillCache(false));
            return new Opened(db, handles, durable, scan, natives);
        } catch (RocksDBException | RuntimeException e) {
            closeAll(natives);
            throw e;
        }
    }

    private static <T extends RocksObject> T own(Deque<RocksObject> natives, T object) {
        natives.push(object);
        return object;
    }

    private static void closeAll(Deque<RocksObject> natives) {
        while (!natives.isEmpty()) {
            natives.pop().close();
        }
    }

    private void restoreAccounts() throws RocksDBException {
        long count = 0;
        long bytes = 0;
        Map<String, Long> usage = new HashMap<>();
        try (RocksIterator it = db.newIterator(counters)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] key = it.key();
                long value = ByteBuffer.wrap(it.value()).order(ByteOrder.LITTLE_ENDIAN).getLong();
                if (Arrays.equals(key, COUNT_KEY)) {
                    count = value;
                } else if (Arrays.equals(key, BYTES_KEY)) {
                    bytes = value;
                } else if (value != 0) {
                    usage.put(new String(key, 1, key.length - 1, StandardCharsets.UTF_8), value);
                }
            }
            it.status();
        }
        accounts.restore(count, bytes, usage);
    }

    @Override
    public Optional<byte[]> get(Id key) throws DHashException {
        enter();
        try {
            return Optional.ofNullable(db.get(blocks, key.toBytes()));
        } catch (RocksDBException e) {
            throw ioError("cannot read block " + key, e);
        } finally {
            exit();
        }
    }

    @Override
    public boolean contains(Id key) throws DHashException {
        enter();
        try {
            return held(key) != null;
        } finally {
            exit();
        }
    }

    @Override
    public void put(Id key, byte[] block, String source) throws DHashException {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(block, "block");
        leases.retryAfterCollecting(() -> putOnce(key, block, source));
    }

    private void putOnce(Id key, byte[] block, String source) throws DHashException {
        reopenIfWritesRefused();
        enter();
        try {
            synchronized (keyLock(key)) {
                StoreAccounts.Change change = accounts.charge(held(key), block.length, source);
                byte[] id = key.toBytes();
                try (WriteBatch batch = new WriteBatch()) {
                    batch.put(blocks, id, block);
                    batch.put(meta, id, encodeMeta(block.length, BlockCodec.version(block), stored(block),
                            change.chargePayer()));
                    record(batch, change);
                    db.write(durable, batch);
                } catch (RocksDBException e) {
                    accounts.undo(change);
                    throw writeFailed("cannot store block " + key, e);
                }
            }
        } finally {
            exit();
        }
    }

    @Override
    public boolean refresh(Id key, String source) throws DHashException {
        Objects.requireNonNull(key, "key");
        boolean[] held = {false};
        leases.retryAfterCollecting(() -> held[0] = refreshOnce(key, source));
        return held[0];
    }

    /** Rewrites the block's metadata only: a refresh moves its lease and payer, not its bytes. */
    private boolean refreshOnce(Id key, String source) throws DHashException {
        reopenIfWritesRefused();
        enter();
        try {
            synchronized (keyLock(key)) {
                byte[] id = key.toBytes();
                byte[] value = metaValue(key);
                if (value == null) {
                    return false;
                }
                Meta old = decodeMeta(value, key, openedAtMillis);
                StoreAccounts.Change change = accounts.charge(old.held(), old.size(), source);
                try (WriteBatch batch = new WriteBatch()) {
                    // A later refresh only moves a block's due time later: no round needs telling.
                    batch.put(meta, id, encodeMeta(old.size(), old.version(), leases.now(), change.chargePayer()));
                    record(batch, change);
                    db.write(durable, batch);
                } catch (RocksDBException e) {
                    accounts.undo(change);
                    throw writeFailed("cannot refresh block " + key, e);
                }
                return true;
            }
        } finally {
            exit();
        }
    }

    @Override
    public void putAll(Map<Id, byte[]> entries, String source) throws DHashException {
        leases.retryAfterCollecting(() -> putAllOnce(entries, source));
    }

    private void putAllOnce(Map<Id, byte[]> entries, String source) throws DHashException {
        if (entries.isEmpty()) {
            return;
        }
        reopenIfWritesRefused();
        enter();
        try {
            int[] stripes = entries.keySet().stream().mapToInt(RocksBlockStore::stripe).distinct().sorted().toArray();
            underLocks(stripes, 0, () -> writeAll(entries, source));
            // Synced here, not under the key locks: a batch covers nearly every stripe, so a sync
            // under them made each batch wait for the last one's, and concurrent batches now
            // share syncs. The blocks are readable a moment before they are durable; a crash in
            // between loses them with their counters, and nothing was acknowledged.
            try {
                db.syncWal();
            } catch (RocksDBException e) {
                throw writeFailed("cannot sync the log after storing " + entries.size() + " blocks", e);
            }
        } finally {
            exit();
        }
    }

    /** Runs {@code body} holding the given key locks, taken in ascending order so two batches never deadlock. */
    private void underLocks(int[] stripes, int next, Write body) throws DHashException {
        if (next == stripes.length) {
            body.run();
            return;
        }
        synchronized (keyLocks[stripes[next]]) {
            underLocks(stripes, next + 1, body);
        }
    }

    @FunctionalInterface
    private interface Write {
        void run() throws DHashException;
    }

    /**
     * Reads what every key holds in one multi-get, charges each block, and writes blocks, metadata
     * and the counters' summed deltas (one merge per counter, not per block) in one batch, to the
     * log but not yet synced: {@link #putAll} syncs it.
     */
    private void writeAll(Map<Id, byte[]> entries, String source) throws DHashException {
        List<byte[]> ids = new ArrayList<>(entries.size());
        entries.keySet().forEach(key -> ids.add(key.toBytes()));
        List<byte[]> metas;
        try {
            metas = db.multiGetAsList(Collections.nCopies(ids.size(), meta), ids);
        } catch (RocksDBException e) {
            throw ioError("cannot read the metadata of " + entries.size() + " blocks", e);
        }
        List<StoreAccounts.Change> changes = new ArrayList<>(entries.size());
        try (WriteBatch batch = new WriteBatch()) {
            long count = 0;
            long bytes = 0;
            Map<String, Long> usage = new HashMap<>();
            int i = 0;
            for (byte[] block : entries.values()) {
                byte[] id = ids.get(i);
                byte[] held = metas.get(i++);
                StoreAccounts.Change change = accounts.charge(held == null ? null : decodeHeld(held, Id.fromBytes(id, 0)),
                        block.length, source);
                changes.add(change);
                batch.put(blocks, id, block);
                batch.put(meta, id, encodeMeta(block.length, BlockCodec.version(block), stored(block),
                        change.chargePayer()));
                count += change.count();
                bytes += change.bytes();
                if (change.creditPayer() != null) {
                    usage.merge(change.creditPayer(), -change.credit(), Long::sum);
                }
                if (change.chargePayer() != null) {
                    usage.merge(change.chargePayer(), change.charge(), Long::sum);
                }
            }
            addTo(batch, COUNT_KEY, count);
            addTo(batch, BYTES_KEY, bytes);
            for (var e : usage.entrySet()) {
                addTo(batch, usageKey(e.getKey()), e.getValue());
            }
            try (WriteOptions logged = new WriteOptions()) {
                db.write(logged, batch);
            }
        } catch (RocksDBException e) {
            undo(changes);
            throw writeFailed("cannot store " + entries.size() + " blocks", e);
        } catch (DHashException refused) {
            undo(changes);
            throw refused;
        }
    }

    private void undo(List<StoreAccounts.Change> changes) {
        for (int i = changes.size() - 1; i >= 0; i--) {
            accounts.undo(changes.get(i));
        }
    }

    @Override
    public boolean delete(Id key) throws DHashException {
        reopenIfWritesRefused();
        enter();
        try {
            synchronized (keyLock(key)) {
                StoreAccounts.Held old = held(key);
                if (old == null) {
                    return false;
                }
                remove(key, old, "cannot delete block ");
                return true;
            }
        } finally {
            exit();
        }
    }

    /**
     * Deletes {@code key}'s block and metadata and credits {@code held}'s bytes back, in one synced
     * batch; the caller holds the key's lock. A failed write undoes the credit and is refused with
     * {@code failure} + the key.
     */
    private void remove(Id key, StoreAccounts.Held held, String failure) throws DHashException {
        StoreAccounts.Change change = accounts.remove(held);
        byte[] id = key.toBytes();
        try (WriteBatch batch = new WriteBatch()) {
            batch.delete(blocks, id);
            batch.delete(meta, id);
            record(batch, change);
            db.write(durable, batch);
        } catch (RocksDBException e) {
            accounts.undo(change);
            throw writeFailed(failure + key, e);
        }
    }

    @Override
    public List<Id> keys(Id fromExclusive, Id toInclusive, int limit) throws DHashException {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        List<Id> out = new ArrayList<>(Math.min(limit, 1024));
        scanKeys(fromExclusive, toInclusive, key -> {
            out.add(key);
            return out.size() < limit;
        });
        return out;
    }

    @Override
    public void forEachKey(Id fromExclusive, Id toInclusive, Consumer<Id> visitor) throws DHashException {
        scanKeys(fromExclusive, toInclusive, key -> {
            visitor.accept(key);
            return true;
        });
    }

    @Override
    public void forEachVersion(Id fromExclusive, Id toInclusive, VersionVisitor visitor) throws DHashException {
        scan(fromExclusive, toInclusive,
                (key, metaValue) -> visitor.visit(key, decodeVersion(metaValue, key)));
    }

    /**
     * Reads the blocks family over (from, to] with one iterator: sequential in key order, the data
     * blocks read ahead and not kept in the block cache, which a bulk read would only flush.
     */
    @Override
    public void forEachBlock(Id fromExclusive, Id toInclusive, BlockVisitor visitor) throws DHashException {
        scan(true, fromExclusive, toInclusive, (key, block) -> visitor.visit(key, block));
    }

    /** What a scan hands over: a key and its value (metadata, or the block); false stops the scan. */
    @FunctionalInterface
    private interface MetaVisitor {
        boolean visit(Id key, byte[] metaValue) throws DHashException;
    }

    /**
     * Walks the meta family over (from, to] until {@code visitor} returns false: one range scan,
     * or two (after {@code from} to the end, then the start to {@code to}) when the interval wraps.
     */
    private void scanKeys(Id from, Id to, Predicate<Id> visitor) throws DHashException {
        scan(from, to, (key, value) -> visitor.test(key));
    }

    private void scan(Id from, Id to, MetaVisitor visitor) throws DHashException {
        scan(false, from, to, visitor);
    }

    /** Scans the blocks family if {@code blockValues}, else the meta family. */
    private void scan(boolean blockValues, Id from, Id to, MetaVisitor visitor) throws DHashException {
        enter();
        try (ReadOptions bulk = blockValues ? new ReadOptions().setFillCache(false)
                .setReadaheadSize(BULK_READAHEAD_BYTES) : null;
             RocksIterator it = blockValues ? db.newIterator(blocks, bulk) : db.newIterator(meta, scan)) {
            byte[] start = from.toBytes();
            byte[] end = to.toBytes();
            boolean wraps = from.compareTo(to) >= 0;
            it.seek(start);
            if (it.isValid() && Arrays.equals(it.key(), start)) {
                it.next();
            }
            boolean more = visitRange(it, wraps ? null : end, visitor);
            it.status();
            if (more && wraps) {
                it.seekToFirst();
                visitRange(it, end, visitor);
                it.status();
            }
        } catch (RocksDBException e) {
            throw ioError("cannot list the keys in (" + from + ", " + to + "]", e);
        } finally {
            exit();
        }
    }

    /** Visits keys up to {@code lastInclusive} (null: to the end); false if the visitor stopped. */
    private static boolean visitRange(RocksIterator it, byte[] lastInclusive, MetaVisitor visitor)
            throws DHashException {
        for (; it.isValid(); it.next()) {
            byte[] key = it.key();
            if (lastInclusive != null && Arrays.compareUnsigned(key, lastInclusive) > 0) {
                return true;
            }
            if (!visitor.visit(Id.fromBytes(key, 0), it.value())) {
                return false;
            }
        }
        return true;
    }

    /** When a block becomes collectable; a signed block's expiry is read from the block itself. */
    private long collectableAt(Id key, Meta held) throws RocksDBException {
        long expires = Long.MAX_VALUE;
        if (held.version() > 0) {
            byte[] block = db.get(blocks, key.toBytes());
            expires = block == null ? Long.MAX_VALUE : BlockCodec.expiresAtMillis(block);
        }
        return leases.collectableAt(held.version(), expires, held.refreshedAtMillis());
    }

    /** What a collection round sees: one scan of the meta family, and a checked delete. */
    private final class Holdings implements Leases.Holdings {
        @Override
        public void forEachBlock(Leases.BlockVisitor visitor) throws DHashException {
            scan(Id.ZERO, Id.ZERO, (key, value) -> {
                Meta held = decodeMeta(value, key, openedAtMillis);
                try {
                    return visitor.visit(key, held.version() > 0, collectableAt(key, held));
                } catch (RocksDBException e) {
                    throw ioError("cannot read block " + key, e);
                }
            });
        }

        @Override
        public boolean deleteIfCollectable(Id key, long nowMillis) throws DHashException {
            reopenIfWritesRefused();
            enter();
            try {
                synchronized (keyLock(key)) {
                    byte[] value = metaValue(key);
                    if (value == null) {
                        return false;
                    }
                    Meta held = decodeMeta(value, key, openedAtMillis);
                    try {
                        if (collectableAt(key, held) > nowMillis) {
                            return false;
                        }
                    } catch (RocksDBException e) {
                        throw ioError("cannot read block " + key, e);
                    }
                    remove(key, held.held(), "cannot collect block ");
                    return true;
                }
            } finally {
                exit();
            }
        }
    }

    @Override
    public long count() {
        return accounts.count();
    }

    @Override
    public long bytes() {
        return accounts.bytes();
    }

    /**
     * A RocksDB integer property (e.g. {@code rocksdb.total-sst-files-size}) summed over the
     * store's column families; -1 once the store is closed, while it cannot reopen, or if RocksDB
     * does not know it.
     */
    public long property(String name) {
        lifecycle.readLock().lock();
        try {
            if (closed || natives.isEmpty()) {
                return -1;
            }
            long sum = 0;
            for (ColumnFamilyHandle family : List.of(blocks, meta, counters)) {
                sum += db.getLongProperty(family, name);
            }
            return sum;
        } catch (RocksDBException e) {
            return -1;
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    @Override
    public StoreLimits limits() {
        return limits;
    }

    @Override
    public long usage(String source) {
        return accounts.usage(source);
    }

    /** Waits for reads and writes in progress, then frees every native handle. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                closeAll(natives);
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "RocksBlockStore[" + dir + ", " + count() + " blocks, " + bytes() + " bytes]";
    }

    private void enter() throws DHashException {
        if (writesRefused != null && natives.isEmpty()) {
            // A reopen closed the database and could not open it again: try again (bounded by REOPEN_EVERY).
            reopenIfWritesRefused();
        }
        lifecycle.readLock().lock();
        if (closed || natives.isEmpty()) {
            lifecycle.readLock().unlock();
            throw new DHashException(DHashException.Kind.IO, "the block store at " + dir
                    + (closed ? " is closed" : " is reopening after a failed write: " + writesRefused));
        }
    }

    /** Notes that a write failed: later writes reopen the database first (see the class comment). */
    private DHashException writeFailed(String what, RocksDBException e) {
        DHashException failure = ioError(what, e);
        if (writesRefused == null) {
            writesRefused = e.getMessage();
            LOG.warn("{}; writes are refused until the store reopens itself, once {} are free on its disk",
                    failure.getMessage(), ByteSize.of(MIN_FREE_TO_REOPEN));
        }
        return failure;
    }

    /**
     * After a failed write: reopens the database if the last try was at least
     * {@link #REOPEN_EVERY} ago and the disk has {@link #MIN_FREE_TO_REOPEN} free; otherwise, or
     * if the reopen fails, refuses the write at once with the reason.
     */
    private void reopenIfWritesRefused() throws DHashException {
        if (writesRefused == null) {
            return;
        }
        lifecycle.writeLock().lock();
        try {
            String why = writesRefused;
            if (why == null || closed) {
                return;
            }
            long now = System.nanoTime();
            if (reopenTriedNanos != 0 && now - reopenTriedNanos < REOPEN_EVERY.toNanos()) {
                throw refused(why, "it tries to reopen every " + REOPEN_EVERY.toSeconds() + " s");
            }
            reopenTriedNanos = now;
            long free;
            try {
                free = Files.getFileStore(dir).getUsableSpace();
            } catch (IOException e) {
                throw refused(why, "its free space cannot be read: " + e.getMessage());
            }
            if (free < MIN_FREE_TO_REOPEN) {
                throw refused(why, "its disk has " + ByteSize.of(free) + " free, and it reopens once "
                        + ByteSize.of(MIN_FREE_TO_REOPEN) + " are");
            }
            closeAll(natives);
            try {
                install(openDatabase(dir));
                restoreAccounts();
            } catch (RocksDBException e) {
                closeAll(natives);
                throw refused(why, "reopening failed: " + e.getMessage());
            }
            writesRefused = null;
            LOG.info("the block store at {} reopened after a failed write and accepts writes again ({} blocks, {})",
                    dir, accounts.count(), ByteSize.of(accounts.bytes()));
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    private DHashException refused(String why, String state) {
        return new DHashException(DHashException.Kind.IO, "the block store at " + dir
                + " refuses writes since one failed (" + why + "); " + state);
    }

    private void exit() {
        lifecycle.readLock().unlock();
    }

    private Object keyLock(Id key) {
        return keyLocks[stripe(key)];
    }

    private static int stripe(Id key) {
        return Math.floorMod(key.hashCode(), KEY_LOCKS);
    }

    private StoreAccounts.Held held(Id key) throws DHashException {
        byte[] value = metaValue(key);
        return value == null ? null : decodeHeld(value, key);
    }

    private byte[] metaValue(Id key) throws DHashException {
        try {
            return db.get(meta, key.toBytes());
        } catch (RocksDBException e) {
            throw ioError("cannot read the metadata of block " + key, e);
        }
    }

    /** The refresh time of a block stored now, which later collection rounds learn of. */
    private long stored(byte[] block) {
        long now = leases.now();
        leases.stored(block, now);
        return now;
    }

    /** What a {@code meta} value holds; {@code payer} is null for a block nobody is charged for. */
    record Meta(int size, long version, long refreshedAtMillis, String payer) {
        StoreAccounts.Held held() {
            return new StoreAccounts.Held(size, payer);
        }
    }

    /**
     * The size and payer in a {@code meta} value: what a replace or delete of the block must credit.
     *
     * @throws DHashException IO if the value is not one {@link #encodeMeta} writes (a damaged disk)
     */
    static StoreAccounts.Held decodeHeld(byte[] value, Id key) throws DHashException {
        return decodeMeta(value, key, 0).held();
    }

    /**
     * A {@code meta} value, of either layout (see the class comment); one without a refresh time
     * reads as refreshed at {@code refreshedIfAbsent}.
     *
     * @throws DHashException IO if the value is not one {@link #encodeMeta} or the layout before
     *     leases writes (a damaged disk)
     */
    static Meta decodeMeta(byte[] value, Id key, long refreshedIfAbsent) throws DHashException {
        checkMeta(value, key);
        ByteBuffer in = ByteBuffer.wrap(value);
        int size = in.getInt();
        long version = in.getLong();
        int flags = in.get();
        long refreshed = (flags & REFRESHED) != 0 ? in.getLong() : refreshedIfAbsent;
        String payer = (flags & PAID) == 0 ? null
                : new String(value, in.position(), in.remaining(), StandardCharsets.UTF_8);
        return new Meta(size, version, refreshed, payer);
    }

    /** The block version in a {@code meta} value, which key scans read instead of the block. */
    static long decodeVersion(byte[] value, Id key) throws DHashException {
        checkMeta(value, key);
        return ByteBuffer.wrap(value, Integer.BYTES, Long.BYTES).getLong();
    }

    /**
     * Refuses a value shorter than its fixed fields, a negative size, unknown flags, or bytes after
     * a value with no payer.
     */
    private static void checkMeta(byte[] value, Id key) throws DHashException {
        String why = null;
        int flags = value.length < META_FIXED_BYTES ? 0 : value[META_FIXED_BYTES - 1] & 0xff;
        int fixed = META_FIXED_BYTES + ((flags & REFRESHED) != 0 ? Long.BYTES : 0);
        if (value.length < fixed) {
            why = value.length + " bytes, fewer than the " + fixed + " of its fixed fields";
        } else if (value[0] < 0) {
            why = "a size of " + Integer.toUnsignedString(ByteBuffer.wrap(value).getInt()) + " bytes";
        } else if ((flags & ~(PAID | REFRESHED)) != 0) {
            why = "flags " + flags;
        } else if ((flags & PAID) == 0 && value.length > fixed) {
            why = (value.length - fixed) + " bytes after a value with no payer";
        }
        if (why != null) {
            throw new DHashException(DHashException.Kind.IO, "the metadata of block " + key
                    + " is corrupt: " + why);
        }
    }

    static byte[] encodeMeta(int size, long version, long refreshedAtMillis, String payer) {
        byte[] name = payer == null ? new byte[0] : payer.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(META_FIXED_BYTES + Long.BYTES + name.length)
                .putInt(size)
                .putLong(version)
                .put((byte) (REFRESHED | (payer == null ? 0 : PAID)))
                .putLong(refreshedAtMillis)
                .put(name)
                .array();
    }

    /** Adds the change's deltas to the persisted counters, in the same batch as the block. */
    private void record(WriteBatch batch, StoreAccounts.Change change) throws RocksDBException {
        addTo(batch, COUNT_KEY, change.count());
        addTo(batch, BYTES_KEY, change.bytes());
        if (change.creditPayer() != null) {
            addTo(batch, usageKey(change.creditPayer()), -change.credit());
        }
        if (change.chargePayer() != null) {
            addTo(batch, usageKey(change.chargePayer()), change.charge());
        }
    }

    /** uint64add wraps modulo 2^64, so a negative delta in two's complement subtracts. */
    private void addTo(WriteBatch batch, byte[] key, long delta) throws RocksDBException {
        if (delta != 0) {
            batch.merge(counters, key, ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(delta).array());
        }
    }

    private static byte[] usageKey(String source) {
        byte[] name = source.getBytes(StandardCharsets.UTF_8);
        byte[] key = new byte[1 + name.length];
        key[0] = USAGE_PREFIX;
        System.arraycopy(name, 0, key, 1, name.length);
        return key;
    }

    private DHashException ioError(String what, RocksDBException e) {
        return new DHashException(DHashException.Kind.IO, what + " in the block store at " + dir + ": "
                + e.getMessage(), e);
    }
}
