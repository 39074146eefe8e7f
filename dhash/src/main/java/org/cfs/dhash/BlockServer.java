package org.cfs.dhash;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.cfs.chord.Id;
import org.cfs.chord.RemoteException;
import org.cfs.chord.Transport;
import org.cfs.chord.wire.ChordMessages.Ack;
import org.cfs.chord.wire.Message;
import org.cfs.dhash.DHashMessages.BlockRequest;
import org.cfs.dhash.DHashMessages.CacheOffer;
import org.cfs.dhash.DHashMessages.Digests;
import org.cfs.dhash.DHashMessages.FetchBlock;
import org.cfs.dhash.DHashMessages.Fetched;
import org.cfs.dhash.DHashMessages.GetStatus;
import org.cfs.dhash.DHashMessages.KeyList;
import org.cfs.dhash.DHashMessages.ListKeys;
import org.cfs.dhash.DHashMessages.NodeStatus;
import org.cfs.dhash.DHashMessages.Probe;
import org.cfs.dhash.DHashMessages.Probed;
import org.cfs.dhash.DHashMessages.RangeDigest;
import org.cfs.dhash.DHashMessages.ReportBad;
import org.cfs.dhash.DHashMessages.StoreBlock;
import org.cfs.dhash.DHashMessages.StoreBlocks;

/**
 * The serving side of DHash on one host: verifies every block before storing it, keeps only the
 * highest sequence of a signed block, serves blocks from durable storage or the path cache, and
 * answers the digest and key-list queries of maintenance. Store I/O runs on {@code io}, never on
 * a network or protocol thread.
 */
final class BlockServer implements Transport.RequestHandler, BlockRequest.Handler {
    private static final int LOCK_STRIPES = 64;

    private final BlockStore store;
    private final BlockCache cache;
    private final DHashConfig config;
    private final Clock clock;
    private final FairShare fair;
    /** Requests of all sources running at once: the node's I/O pool size. */
    static final int FAIR_SLOTS = DHash.IO_THREADS;
    /** Requests of one host running at once: the rest of the slots stay free for others. */
    static final int FAIR_SLOTS_PER_SOURCE = FAIR_SLOTS * 3 / 4;
    /** Requests one host may have waiting before more are refused. */
    static final int MAX_QUEUED_PER_SOURCE = 1024;
    /** Payload bytes one host may have waiting before more are refused. */
    static final long MAX_QUEUED_BYTES_PER_SOURCE = 64L << 20;
    private final Object[] locks = new Object[LOCK_STRIPES];
    private final Responsibility responsibility;
    private volatile Supplier<CompletableFuture<NodeStatus>> status;

    /**
     * Whether stores marked as maintenance copies are ones: the keys share one owner, and this host
     * and the sending host are both among its replica hosts. Only then are they taken without
     * charging the sender's quota.
     */
    interface Responsibility {
        CompletableFuture<Boolean> areReplicaCopies(List<Id> keys, String fromHost);
    }

    BlockServer(BlockStore store, BlockCache cache, DHashConfig config, Clock clock, Executor io,
                Responsibility responsibility) {
        this.responsibility = responsibility;
        this.store = store;
        this.cache = cache;
        this.config = config;
        this.clock = clock;
        this.fair = new FairShare(io, FAIR_SLOTS, FAIR_SLOTS_PER_SOURCE, MAX_QUEUED_PER_SOURCE,
                MAX_QUEUED_BYTES_PER_SOURCE);
        for (int i = 0; i < LOCK_STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    /** Where {@code GetStatus} is answered from; until this is set it is refused as unsupported. */
    void statusSource(Supplier<CompletableFuture<NodeStatus>> source) {
        this.status = source;
    }

    /**
     * Serves DHash's block requests through {@link BlockRequest.Handler}, and {@code GetStatus} from
     * the status source; any other message is not a request this host serves.
     */
    @Override
    public CompletableFuture<? extends Message> handle(String fromHost, Message request) {
        if (request instanceof BlockRequest r) {
            return r.accept(this, fromHost);
        }
        Supplier<CompletableFuture<NodeStatus>> statusSource = status;
        if (request instanceof GetStatus && statusSource != null) {
            return statusSource.get();
        }
        return CompletableFuture.failedFuture(new RemoteException(RemoteException.UNSUPPORTED,
                "DHash does not serve " + request.getClass().getSimpleName()));
    }

    @Override
    public CompletableFuture<Ack> onStoreBlock(StoreBlock request, String fromHost) {
        if (!request.replica()) {
            return inTurn(fromHost, request.block().length, () -> {
                store(request.key(), request.block(), fromHost);
                return new Ack();
            });
        }
        // A copy from maintenance is free only where this host must hold the key; anyone else
        // claiming to be maintenance pays like any writer.
        return responsibility.areReplicaCopies(List.of(request.key()), fromHost).thenCompose(mine ->
                inTurn(fromHost, request.block().length, () -> {
                    store(request.key(), request.block(), mine ? null : fromHost);
                    return new Ack();
                }));
    }

    @Override
    public CompletableFuture<Ack> onStoreBlocks(StoreBlocks request, String fromHost) {
        long bytes = request.blocks().stream().mapToLong(b -> b.length).sum();
        return responsibility.areReplicaCopies(request.keys(), fromHost).thenCompose(mine ->
                inTurn(fromHost, bytes, () -> {
                    storeAll(request, mine ? null : fromHost);
                    return new Ack();
                }));
    }

    @Override
    public CompletableFuture<Fetched> onFetchBlock(FetchBlock request, String fromHost) {
        return inTurn(fromHost, 0, () -> fetch(request.key(), request.expiredToo()));
    }

    @Override
    public CompletableFuture<Probed> onProbe(Probe request, String fromHost) {
        return inTurn(fromHost, 0, () -> new Probed(
                request.refresh() ? store.refresh(request.key(), fromHost) : store.contains(request.key()),
                cache.get(request.key()) != null));
    }

    @Override
    public CompletableFuture<Ack> onCacheOffer(CacheOffer request, String fromHost) {
        return inTurn(fromHost, request.block().length, () -> {
            Block.decode(request.block(), config.maxDataBytes())
                    .verify(request.key(), clock.millis(), config.maxDataBytes());
            cache.put(request.key(), request.block());
            return new Ack();
        });
    }

    @Override
    public CompletableFuture<Digests> onRangeDigest(RangeDigest request, String fromHost) {
        return inTurn(fromHost, 0,
                () -> new Digests(digest(store, request.from(), request.to(), request.parts())));
    }

    @Override
    public CompletableFuture<KeyList> onListKeys(ListKeys request, String fromHost) {
        return inTurn(fromHost, 0, () -> listKeys(request));
    }

    @Override
    public CompletableFuture<Ack> onReportBad(ReportBad request, String fromHost) {
        return inTurn(fromHost, 0, () -> {
            dropIfBad(request.key());
            return new Ack();
        });
    }

    /**
     * Verifies every block of a batch, then stores the content blocks in one durable write (the
     * sender sends only what a key list showed missing, so asking again first would cost a read each) and the signed ones one at a time under their sequence rules. A signed block this host
     * holds in a newer or conflicting version is left as it is: the batch is a hand-over, and the
     * sender learns nothing it could act on. Any block that fails verification refuses the whole batch.
     */
    void storeAll(StoreBlocks m, String source) throws DHashException {
        Map<Id, byte[]> fresh = new LinkedHashMap<>();
        List<Integer> signed = new ArrayList<>();
        for (int i = 0; i < m.keys().size(); i++) {
            Id key = m.keys().get(i);
            Block block = Block.decode(m.blocks().get(i), config.maxDataBytes());
            block.verify(key, clock.millis(), config.maxDataBytes());
            if (block instanceof SignedBlock) {
                signed.add(i);
            } else {
                fresh.put(key, m.blocks().get(i));
            }
        }
        store.putAll(fresh, source);
        for (int i : signed) {
            try {
                store(m.keys().get(i), m.blocks().get(i), source);
            } catch (DHashException e) {
                if (e.kind() != DHashException.Kind.STALE && e.kind() != DHashException.Kind.CONFLICT) {
                    throw e;
                }
            }
        }
    }

    /**
     * Answers on the I/O pool, in turn with other hosts' requests ({@link FairShare}), counting
     * {@code bytes} of payload against {@code fromHost}.
     */
    private <T> CompletableFuture<T> inTurn(String fromHost, long bytes, FairShare.Work<T> work) {
        return fair.submit(fromHost == null ? "" : fromHost, bytes, work);
    }

    private KeyList listKeys(ListKeys request) throws DHashException {
        int limit = Math.min(Math.max(1, request.limit()), DHashMessages.MAX_KEYS);
        List<Id> keys = new ArrayList<>();
        List<Long> versions = new ArrayList<>();
        store.forEachVersion(request.from(), request.to(), (key, version) -> {
            keys.add(key);
            versions.add(version);
            return keys.size() <= limit;
        });
        boolean complete = keys.size() <= limit;
        return complete ? new KeyList(keys, versions, true)
                : new KeyList(keys.subList(0, limit), versions.subList(0, limit), false);
    }

    /**
     * Verifies and stores; a signed block replaces the held one only with a higher sequence. The
     * same bytes again restart the held block's lease (unless they are a maintenance copy, which
     * must not keep a block alive) without rewriting them.
     */
    void store(Id key, byte[] bytes, String source) throws DHashException {
        Block block = Block.decode(bytes, config.maxDataBytes());
        block.verify(key, clock.millis(), config.maxDataBytes());
        synchronized (locks[Math.floorMod(key.hashCode(), LOCK_STRIPES)]) {
            var held = store.get(key);
            if (held.isPresent()) {
                if (Arrays.equals(held.get(), bytes)) {
                    if (source != null) {
                        store.refresh(key, source);
                    }
                    return;
                }
                if (block instanceof SignedBlock signed) {
                    refuseUnlessNewer(key, signed, held.get());
                }
            }
            store.put(key, bytes, source);
            if (block instanceof SignedBlock) {
                cache.invalidate(key);
            }
        }
    }

    private void refuseUnlessNewer(Id key, SignedBlock offered, byte[] heldBytes) throws DHashException {
        Block held = Block.decode(heldBytes, Integer.MAX_VALUE);
        if (!(held instanceof SignedBlock current)) {
            return;
        }
        if (offered.seq() < current.seq()) {
            throw new DHashException(DHashException.Kind.STALE, "block " + key.shortHex() + " has sequence "
                    + current.seq() + " here; refusing older sequence " + offered.seq());
        }
        if (offered.seq() == current.seq()) {
            throw new DHashException(DHashException.Kind.CONFLICT, "block " + key.shortHex()
                    + " already holds different content at sequence " + offered.seq());
        }
    }

    /** Verifies the held copy of {@code key} and deletes it if it is bad, so maintenance restores a good one. */
    void dropIfBad(Id key) throws DHashException {
        synchronized (locks[Math.floorMod(key.hashCode(), LOCK_STRIPES)]) {
            var held = store.get(key);
            if (held.isEmpty()) {
                return;
            }
            try {
                Block.decode(held.get(), Integer.MAX_VALUE).verify(key, Long.MIN_VALUE, Integer.MAX_VALUE);
            } catch (DHashException bad) {
                store.delete(key);
                cache.invalidate(key);
            }
        }
    }

    private Fetched fetch(Id key, boolean expiredToo) throws DHashException {
        var held = store.get(key);
        boolean fromCache = false;
        byte[] bytes = held.orElse(null);
        if (bytes == null) {
            bytes = cache.get(key);
            fromCache = bytes != null;
        }
        if (bytes == null) {
            throw new DHashException(DHashException.Kind.NOT_FOUND, "block " + key + " is not held here");
        }
        // Only signed blocks expire; a content block is served without decoding it.
        if (!expiredToo && BlockCodec.version(bytes) > 0
                && Block.decode(bytes, Integer.MAX_VALUE) instanceof SignedBlock s && s.expiresAtMillis() <= clock.millis()) {
            throw new DHashException(DHashException.Kind.EXPIRED, "block " + key + " (sequence " + s.seq()
                    + ") expired at " + java.time.Instant.ofEpochMilli(s.expiresAtMillis()));
        }
        return new Fetched(bytes, fromCache);
    }

    /**
     * Count and XOR of the keys in each equal part of (from, to], each key with its version folded
     * into its last eight bytes: what two replicas compare, so a newer signed block shows too.
     */
    static byte[] digest(BlockStore store, Id from, Id to, int parts) throws DHashException {
        Id[] bounds = RingRanges.split(from, to, parts);
        byte[] out = new byte[parts * DHashMessages.DIGEST_BYTES];
        byte[] keyBytes = new byte[Id.BYTES];
        int[] part = {0};
        store.forEachVersion(from, to, (key, version) -> {
            while (part[0] < parts - 1 && !key.inHalfOpen(bounds[part[0]], bounds[part[0] + 1])) {
                part[0]++;
            }
            fold(out, part[0], key, version, keyBytes);
            return true;
        });
        return out;
    }

    /** Adds {@code key} at {@code version} to the digest of {@code part} in {@code digests}; {@code keyBytes} is scratch. */
    static void fold(byte[] digests, int part, Id key, long version, byte[] keyBytes) {
        int at = part * DHashMessages.DIGEST_BYTES;
        int count = ((digests[at] & 0xff) << 24 | (digests[at + 1] & 0xff) << 16 | (digests[at + 2] & 0xff) << 8
                | (digests[at + 3] & 0xff)) + 1;
        digests[at] = (byte) (count >>> 24);
        digests[at + 1] = (byte) (count >>> 16);
        digests[at + 2] = (byte) (count >>> 8);
        digests[at + 3] = (byte) count;
        key.writeTo(keyBytes, 0);
        for (int i = 0; i < Id.BYTES; i++) {
            digests[at + 4 + i] ^= keyBytes[i];
        }
        for (int i = 0; i < Long.BYTES; i++) {
            digests[at + 4 + Id.BYTES - Long.BYTES + i] ^= (byte) (version >>> (56 - 8 * i));
        }
    }

    BlockStore store() {
        return store;
    }

    BlockCache cache() {
        return cache;
    }
}
