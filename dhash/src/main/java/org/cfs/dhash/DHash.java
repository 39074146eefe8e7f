package org.cfs.dhash;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.cfs.chord.ChordClient;
import org.cfs.chord.ChordHost;
import org.cfs.chord.ChordNode;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.LookupResult;
import org.cfs.chord.NodeRef;
import org.cfs.chord.Scheduler;
import org.cfs.chord.Transport;
import org.cfs.dhash.DHashMessages.GetStatus;
import org.cfs.dhash.DHashMessages.NodeStatus;
import org.cfs.dhash.DHashMessages.Probe;
import org.cfs.dhash.DHashMessages.Probed;
import org.cfs.dhash.DHashMessages.VnodeStatus;

/**
 * The DHash block store on a Chord ring. On a ring member ({@link #node}) it serves blocks from
 * the host's {@link BlockStore}, keeps k replicas by maintenance and caches blocks readers offer;
 * from outside the ring ({@link #client}) it only reads and writes. Either way {@link #put} and
 * {@link #get} verify every block, and fail with a {@link DHashException} saying why.
 */
public final class DHash implements AutoCloseable, MeterBinder {
    private final BlockClient client;
    private final BlockServer server;
    private final Maintenance maintenance;
    private final ExecutorService ownedIo;
    /** The ring member this node serves on, and when it started on its scheduler's clock; null for a client. */
    private final ChordHost host;
    private final long startedNanos;

    private DHash(BlockClient client, BlockServer server, Maintenance maintenance, ExecutorService ownedIo,
                  ChordHost host) {
        this.client = client;
        this.server = server;
        this.maintenance = maintenance;
        this.ownedIo = ownedIo;
        this.host = host;
        this.startedNanos = host == null ? 0 : host.scheduler().nanoTime();
    }

    /**
     * Threads of the store I/O pool a node owns. A synced write spends its time waiting for the
     * disk, and RocksDB commits writers that wait together with one log sync: the more writers, the
     * more blocks per sync. Two threads held a node to two blocks per sync, and publishing to it
     * to a few MB/s.
     */
    static final int IO_THREADS = 16;

    /** The store I/O pool of a node given no executor: {@link #IO_THREADS} daemon threads. */
    static ExecutorService ioPool(String name) {
        return Executors.newFixedThreadPool(IO_THREADS, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * DHash on a ring member: installs the block server on {@code host} and starts maintenance. The
     * store's I/O runs on {@code io}; pass null for a small pool this object owns.
     */
    public static DHash node(ChordHost host, BlockStore store, DHashConfig config, Clock clock, Executor io,
                             RandomGenerator random) {
        Objects.requireNonNull(store, "store");
        ExecutorService owned = io == null ? ioPool("dhash-io-" + host.endpoint().port()) : null;
        Executor executor = io != null ? io : owned;
        boolean caching = config.cacheSize().bytes() > 0;
        Function<Id, CompletableFuture<LookupResult>> lookup = key -> host.vnodes().get(0).lookup(key);
        BlockServer server = new BlockServer(store, new BlockCache(Math.max(1, config.cacheSize().bytes())), config, clock,
                executor, (keys, from) -> areReplicaCopies(host, keys, from, lookup, config.replicas()));
        host.setServiceHandler(server);
        if (caching) {
            host.setKeyHolder(server.cache()::contains);
        }
        Function<Id, CompletableFuture<LookupResult>> holderLookup = caching
                ? key -> host.vnodes().get(0).lookupHolder(key) : null;
        BlockClient client = new BlockClient(lookup, holderLookup, node -> host.vnodes().get(0).distrust(node),
                host.transport(), host.scheduler(), config, clock, host.roundTrips());
        // Maintenance's requests and lookups all go through one meter, so a round's cost is measurable.
        TrafficMeter meter = new TrafficMeter(host.transport(), DHashMessages.registry());
        ChordClient metered = new ChordClient(meter, host.scheduler(), host.config(), host.meterRegistry());
        Maintenance maintenance = new Maintenance(host.vnodes(), host.endpoint(), server, meter,
                host.scheduler(), executor, config, key -> metered.lookup(key, host.endpoint()),
                random != null ? random : new SplittableRandom());
        maintenance.start(config.maintenanceInterval().dividedBy(4));
        DHash dhash = new DHash(client, server, maintenance, owned, host);
        // On the scheduler thread, where the vnodes' tables are changed, so the view is consistent.
        server.statusSource(() -> CompletableFuture.supplyAsync(dhash::status, host.scheduler()));
        return dhash;
    }

    /**
     * True if {@code keys} share one owner and {@code host} and the sender both are among its
     * replica hosts: the first k distinct hosts of the owner's replica set, plus one more for a
     * replica that is being replaced. An owner knows its replica set from its own successors;
     * anyone else looks up the first key.
     */
    private static CompletableFuture<Boolean> areReplicaCopies(ChordHost host, List<Id> keys, String fromHost,
                                                               Function<Id, CompletableFuture<LookupResult>> lookup,
                                                               int k) {
        Id first = keys.get(0);
        for (ChordNode v : host.vnodes()) {
            var pred = v.predecessor();
            if (pred.isPresent() && first.inHalfOpen(pred.get().id(), v.self().id())) {
                if (!allIn(keys, pred.get().id(), v.self().id())) {
                    return CompletableFuture.completedFuture(false);
                }
                List<NodeRef> ring = new ArrayList<>();
                ring.add(v.self());
                ring.addAll(v.successors());
                return CompletableFuture.completedFuture(sentByReplica(ring, fromHost, k));
            }
        }
        return lookup.apply(first)
                .thenApply(r -> allIn(keys, first.minus(Id.powerOfTwo(0)), r.owner().id())
                        && BlockClient.replicaHosts(r.replicaSet(), k + 1).stream()
                                .anyMatch(n -> n.endpoint().equals(host.endpoint()))
                        && sentByReplica(r.replicaSet(), fromHost, k))
                .exceptionally(e -> false);
    }

    private static boolean allIn(List<Id> keys, Id fromExclusive, Id toInclusive) {
        return keys.stream().allMatch(key -> key.inHalfOpen(fromExclusive, toInclusive));
    }

    private static boolean sentByReplica(List<NodeRef> replicaSet, String fromHost, int k) {
        return BlockClient.replicaHosts(replicaSet, k + 1).stream().anyMatch(n -> n.endpoint().host().equals(fromHost));
    }

    /** DHash from outside the ring: puts and gets through the host at {@code via}. */
    public static DHash client(ChordClient chord, Endpoint via, Transport transport, Scheduler scheduler,
                               DHashConfig config, Clock clock) {
        Function<Id, CompletableFuture<LookupResult>> lookup = key -> chord.lookup(key, via);
        return new DHash(new BlockClient(lookup, null, chord::distrust, transport, scheduler, config, clock,
                chord.roundTrips()),
                null, null, null, null);
    }

    /** Asks the host at {@code node} for its {@link NodeStatus} ({@code GetStatus}). */
    public static CompletableFuture<NodeStatus> status(Transport transport, Endpoint node, Duration timeout) {
        return Exchange.send(transport, NodeRef.of(node, 0), new GetStatus(), NodeStatus.class, timeout);
    }

    /**
     * Whether the host at {@code node} stores {@code key} durably (a cached copy does not count),
     * asked with {@code Probe}; the lease is left as it is.
     */
    public static CompletableFuture<Boolean> stores(Transport transport, Endpoint node, Id key, Duration timeout) {
        return Exchange.send(transport, NodeRef.of(node, 0), new Probe(key, false), Probed.class, timeout)
                .thenApply(Probed::stored);
    }

    /** The software a status names: the version in the jar's manifest, if built into one. */
    static String software() {
        String version = DHash.class.getPackage().getImplementationVersion();
        return "cfs " + (version != null ? version : "(development build)");
    }

    /** This node's view of itself, as {@code GetStatus} answers it; read it on the host's scheduler. */
    public NodeStatus status() {
        if (host == null) {
            throw new IllegalStateException("a DHash client has no node status");
        }
        List<VnodeStatus> vnodes = new ArrayList<>();
        for (ChordNode v : host.vnodes()) {
            vnodes.add(new VnodeStatus(v.self(), v.predecessor().orElse(null), v.successors(), v.fingers()));
        }
        BlockStore store = server.store();
        return new NodeStatus(software(), Duration.ofNanos(host.scheduler().nanoTime() - startedNanos),
                store.count(), store.bytes(), store.limits().capacity().bytes(), server.cache().bytes(),
                maintenance.rounds(), maintenance.sinceLastRound(), maintenance.lastRoundTook(), vnodes);
    }

    /**
     * Keys of this node's own ranges that its last maintenance round found with fewer than k
     * current copies, and set about copying; -1 before the first round, or on a client.
     */
    public long replicasUnderK() {
        return maintenance == null ? -1 : maintenance.underReplicated();
    }

    /**
     * Registers this node's gauges and counters in {@code registry}: its store, path cache,
     * maintenance, and RocksDB's file sizes when the store is a {@link RocksBlockStore}. They are
     * read when the registry is scraped, so serving costs nothing more. A client has none.
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        if (server == null) {
            return;
        }
        NodeMeters.bind(registry, server.store(), server.cache(), maintenance);
    }

    /**
     * The k hosts that hold a key's block, from its lookup's replica set (owner first, then its
     * successors): the first vnode of each distinct host, in ring order, since vnodes of one host
     * count once.
     */
    public static List<NodeRef> replicaHosts(List<NodeRef> replicaSet, int k) {
        return BlockClient.replicaHosts(replicaSet, k);
    }

    /** Stores {@code block} on its k replica hosts. */
    public CompletableFuture<PutResult> put(Block block) {
        return client.put(block);
    }

    /**
     * Stores {@code block} on those of its k replica hosts that lack it, asking them first; what
     * {@link PutResult#bytesSent} reports is what went over the wire.
     */
    public CompletableFuture<PutResult> putMissing(ContentBlock block) {
        return client.putMissing(block);
    }

    /** Fetches and verifies the block named {@code key}. */
    public CompletableFuture<Block> get(Id key) {
        return client.fetch(key).thenApply(Fetch::block);
    }

    /**
     * Like {@link #get}, but a signed block past its expiry is returned rather than refused: for a
     * publisher, which must outrank the current version whether or not it has expired.
     */
    public CompletableFuture<Block> getIncludingExpired(Id key) {
        return client.fetch(key, true).thenApply(Fetch::block);
    }

    /** Like {@link #get}, also saying who served the block and in how many lookup hops. */
    public CompletableFuture<Fetch> fetch(Id key) {
        return client.fetch(key);
    }

    /** Asks the replica hosts and the lookup path whether they hold or cache {@code key}. */
    public CompletableFuture<BlockStat> stat(Id key) {
        return client.stat(key);
    }

    /**
     * Before a graceful leave: puts every held block on the k hosts that hold its key once this node
     * is gone, sending each only what it lacks. Completes within {@code bound}, saying how many
     * blocks it confirmed; a client has none to hand over.
     */
    public CompletableFuture<HandOver> handOver(Duration bound) {
        return maintenance == null ? CompletableFuture.completedFuture(new HandOver(0, 0, Duration.ZERO, List.of()))
                : maintenance.handOverAll(bound);
    }

    /** Runs one maintenance round now (tests and experiments). */
    public CompletableFuture<Void> maintain() {
        return maintenance == null ? CompletableFuture.completedFuture(null) : maintenance.runRound();
    }

    /**
     * Counters of this node: maintenance rounds, blocks pulled, pushed and handed off, bytes
     * maintenance sent and received (frames included), blocks and bytes stored, cache hits and misses.
     */
    public Stats stats() {
        if (server == null) {
            return new Stats(0, 0, 0, 0, 0, 0, 0, 0, 0);
        }
        BlockCache cache = server.cache();
        return new Stats(maintenance.rounds(), maintenance.pulled(), maintenance.pushed(), maintenance.handedOff(),
                maintenance.bytes(), server.store().count(), server.store().bytes(), cache.hits(), cache.misses());
    }

    /** What {@link #stats} reports. */
    public record Stats(long rounds, long pulled, long pushed, long handedOff, long maintenanceBytes, long blocks,
                        long bytes, long cacheHits, long cacheMisses) {
    }

    /** The store this node serves from, if it is a node. */
    public List<BlockStore> stores() {
        return server == null ? List.of() : List.of(server.store());
    }

    /** Stops maintenance and the I/O pool this object owns; the store stays open for its owner to close. */
    @Override
    public void close() {
        if (maintenance != null) {
            maintenance.stop();
        }
        if (ownedIo != null) {
            ownedIo.shutdown();
            try {
                ownedIo.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
