package org.cfs.dhash;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import org.cfs.chord.Id;

/**
 * A {@link BlockStore} in memory, for the simulator and tests. It keeps the caller's arrays as
 * they are and one small record per block, so a simulated ring can hold millions of blocks.
 * Reads take no lock; writes take one, as they are too short to be worth more.
 */
public final class MemoryBlockStore implements BlockStore {
    private record Entry(byte[] block, String payer, long refreshedAtMillis) {
    }

    private final ConcurrentSkipListMap<Id, Entry> blocks = new ConcurrentSkipListMap<>();
    private final StoreLimits limits;
    private final StoreAccounts accounts;
    private final Leases leases;
    private final Object writeLock = new Object();
    private volatile boolean closed;

    /** A store on the system clock. */
    public MemoryBlockStore(StoreLimits limits) {
        this(limits, Clock.systemUTC());
    }

    /** A store whose leases and expiries run on {@code clock}. */
    public MemoryBlockStore(StoreLimits limits, Clock clock) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.accounts = new StoreAccounts(limits);
        this.leases = new Leases(limits.lease(), Objects.requireNonNull(clock, "clock"), new Holdings());
    }

    @Override
    public Optional<byte[]> get(Id key) throws DHashException {
        checkOpen();
        Entry entry = blocks.get(key);
        return entry == null ? Optional.empty() : Optional.of(entry.block());
    }

    @Override
    public boolean contains(Id key) throws DHashException {
        checkOpen();
        return blocks.containsKey(key);
    }

    @Override
    public void put(Id key, byte[] block, String source) throws DHashException {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(block, "block");
        leases.retryAfterCollecting(() -> {
            synchronized (writeLock) {
                checkOpen();
                Entry old = blocks.get(key);
                StoreAccounts.Change change = accounts.charge(held(old), block.length, source);
                blocks.put(key, stored(block, change.chargePayer()));
            }
        });
    }

    @Override
    public boolean refresh(Id key, String source) throws DHashException {
        Objects.requireNonNull(key, "key");
        boolean[] held = {false};
        leases.retryAfterCollecting(() -> {
            synchronized (writeLock) {
                checkOpen();
                Entry old = blocks.get(key);
                if (old != null) {
                    StoreAccounts.Change change = accounts.charge(held(old), old.block().length, source);
                    blocks.put(key, stored(old.block(), change.chargePayer()));
                }
                held[0] = old != null;
            }
        });
        return held[0];
    }

    @Override
    public void putAll(Map<Id, byte[]> entries, String source) throws DHashException {
        leases.retryAfterCollecting(() -> putAllOnce(entries, source));
    }

    private void putAllOnce(Map<Id, byte[]> entries, String source) throws DHashException {
        synchronized (writeLock) {
            checkOpen();
            List<StoreAccounts.Change> changes = new ArrayList<>(entries.size());
            try {
                for (var e : entries.entrySet()) {
                    Entry old = blocks.get(e.getKey());
                    changes.add(accounts.charge(held(old), e.getValue().length, source));
                }
            } catch (DHashException refused) {
                for (int i = changes.size() - 1; i >= 0; i--) {
                    accounts.undo(changes.get(i));
                }
                throw refused;
            }
            int i = 0;
            for (var e : entries.entrySet()) {
                blocks.put(e.getKey(), stored(e.getValue(), changes.get(i++).chargePayer()));
            }
        }
    }

    @Override
    public boolean delete(Id key) throws DHashException {
        synchronized (writeLock) {
            checkOpen();
            Entry old = blocks.remove(key);
            if (old == null) {
                return false;
            }
            accounts.remove(held(old));
            return true;
        }
    }

    private static StoreAccounts.Held held(Entry entry) {
        return entry == null ? null : new StoreAccounts.Held(entry.block().length, entry.payer());
    }

    /** The entry for a block stored or refreshed now. */
    private Entry stored(byte[] block, String payer) {
        long now = leases.now();
        leases.stored(block, now);
        return new Entry(block, payer, now);
    }

    private long collectableAt(Entry entry) {
        byte[] block = entry.block();
        return leases.collectableAt(BlockCodec.version(block), BlockCodec.expiresAtMillis(block),
                entry.refreshedAtMillis());
    }

    /** What a collection round sees. */
    private final class Holdings implements Leases.Holdings {
        @Override
        public void forEachBlock(Leases.BlockVisitor visitor) throws DHashException {
            checkOpen();
            for (var e : blocks.entrySet()) {
                if (!visitor.visit(e.getKey(), BlockCodec.version(e.getValue().block()) > 0,
                        collectableAt(e.getValue()))) {
                    return;
                }
            }
        }

        @Override
        public boolean deleteIfCollectable(Id key, long nowMillis) throws DHashException {
            synchronized (writeLock) {
                checkOpen();
                Entry entry = blocks.get(key);
                if (entry == null || collectableAt(entry) > nowMillis) {
                    return false;
                }
                blocks.remove(key);
                accounts.remove(held(entry));
                return true;
            }
        }
    }

    @Override
    public List<Id> keys(Id fromExclusive, Id toInclusive, int limit) throws DHashException {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        List<Id> out = new ArrayList<>(Math.min(limit, 1024));
        for (NavigableMap<Id, Entry> part : parts(fromExclusive, toInclusive)) {
            for (Id key : part.keySet()) {
                if (out.size() == limit) {
                    return out;
                }
                out.add(key);
            }
        }
        return out;
    }

    @Override
    public void forEachKey(Id fromExclusive, Id toInclusive, Consumer<Id> visitor) throws DHashException {
        for (NavigableMap<Id, Entry> part : parts(fromExclusive, toInclusive)) {
            part.keySet().forEach(visitor);
        }
    }

    @Override
    public void forEachVersion(Id fromExclusive, Id toInclusive, VersionVisitor visitor) throws DHashException {
        for (NavigableMap<Id, Entry> part : parts(fromExclusive, toInclusive)) {
            for (var e : part.entrySet()) {
                if (!visitor.visit(e.getKey(), BlockCodec.version(e.getValue().block()))) {
                    return;
                }
            }
        }
    }

    @Override
    public void forEachBlock(Id fromExclusive, Id toInclusive, BlockVisitor visitor) throws DHashException {
        for (NavigableMap<Id, Entry> part : parts(fromExclusive, toInclusive)) {
            for (var e : part.entrySet()) {
                if (!visitor.visit(e.getKey(), e.getValue().block())) {
                    return;
                }
            }
        }
    }

    /** (from, to] as one or, when it wraps past zero, two ascending views. */
    private List<NavigableMap<Id, Entry>> parts(Id from, Id to) throws DHashException {
        checkOpen();
        if (from.compareTo(to) < 0) {
            return List.of(blocks.subMap(from, false, to, true));
        }
        return List.of(blocks.tailMap(from, false), blocks.headMap(to, true));
    }

    @Override
    public long count() {
        return accounts.count();
    }

    @Override
    public long bytes() {
        return accounts.bytes();
    }

    @Override
    public StoreLimits limits() {
        return limits;
    }

    @Override
    public long usage(String source) {
        return accounts.usage(source);
    }

    /** Frees the blocks; the counters keep their last values. */
    @Override
    public void close() {
        synchronized (writeLock) {
            closed = true;
            blocks.clear();
        }
    }

    private void checkOpen() throws DHashException {
        if (closed) {
            throw new DHashException(DHashException.Kind.IO, "the in-memory block store is closed");
        }
    }
}
