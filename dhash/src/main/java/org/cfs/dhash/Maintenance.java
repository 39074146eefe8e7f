package org.cfs.dhash;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.cfs.chord.ChordNode;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.LookupResult;
import org.cfs.chord.NodeRef;
import org.cfs.chord.Scheduler;
import org.cfs.chord.Transport;
import org.cfs.chord.wire.ChordMessages.Ack;
import org.cfs.chord.wire.Message;
import org.cfs.dhash.DHashMessages.Digests;
import org.cfs.dhash.DHashMessages.FetchBlock;
import org.cfs.dhash.DHashMessages.Fetched;
import org.cfs.dhash.DHashMessages.KeyList;
import org.cfs.dhash.DHashMessages.ListKeys;
import org.cfs.dhash.DHashMessages.RangeDigest;
import org.cfs.dhash.DHashMessages.StoreBlock;
import org.cfs.dhash.DHashMessages.StoreBlocks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps k copies of every block, in the spirit of DHash's Passing Tone. Each round, every vnode
 * compares the range it owns, (predecessor, self], with each of its replica hosts: first as
 * {@code parts} sub-range digests, so a round where nothing changed costs bytes independent of
 * the number of blocks, then key lists only where digests differ; it pulls what it lacks and
 * pushes what they lack. Keys the host holds outside every range it serves are checked with one
 * lookup per run of keys that share an owner, pushed to that owner's replica hosts, and deleted
 * only once all of them acknowledged.
 */
final class Maintenance {
    private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);
    /** Keys listed per request when comparing a sub-range. */
    private static final int LIST_LIMIT = 1024;
    /** Batches in flight to each host during a hand-over. */
    static final int HAND_OVER_LANES = 8;

    private final List<ChordNode> vnodes;
    private final Endpoint self;
    private final BlockServer server;
    private final Transport transport;
    private final Scheduler scheduler;
    private final Executor io;
    private final DHashConfig config;
    private final Function<Id, CompletableFuture<LookupResult>> lookup;
    private final RandomGenerator random;
    private final AtomicLong rounds = new AtomicLong();
    private final AtomicLong pulled = new AtomicLong();
    private final AtomicLong pushed = new AtomicLong();
    private final AtomicLong handedOff = new AtomicLong();
    private volatile boolean running;
    /**
     * Keys of the ranges this host's vnodes own that some replica host (this one included) lacked,
     * or held in an older version, when the round in progress compared them; null between rounds.
     */
    private volatile Set<Id> roundLacking;
    /** How many keys the last finished round found under k copies; -1 before the first. */
    private volatile long underReplicated = -1;
    /** When the last round ended and how long it took, on the scheduler's clock; -1 before the first. */
    private volatile long lastRoundEndNanos = -1;
    private volatile long lastRoundNanos = -1;
    private final List<Scheduler.Timer> timers = new ArrayList<>();

    Maintenance(List<ChordNode> vnodes, Endpoint self, BlockServer server, Transport transport, Scheduler scheduler,
                Executor io, DHashConfig config, Function<Id, CompletableFuture<LookupResult>> lookup,
                RandomGenerator random) {
        this.vnodes = vnodes;
        this.self = self;
        this.server = server;
        this.transport = transport;
        this.scheduler = scheduler;
        this.io = io;
        this.config = config;
        this.lookup = lookup;
        this.random = random;
    }

    void start(Duration firstRound) {
        running = true;
        synchronized (timers) {
            timers.add(scheduler.schedule(firstRound, this::loop));
        }
    }

    void stop() {
        running = false;
        synchronized (timers) {
            timers.forEach(Scheduler.Timer::cancel);
            timers.clear();
        }
    }

    private void loop() {
        if (!running) {
            return;
        }
        runRound().whenComplete((ok, error) -> {
            if (error != null) {
                LOG.debug("maintenance round at {} failed: {}", self, error.toString());
            }
            if (running) {
                double jitter = 0.5 + random.nextDouble();
                synchronized (timers) {
                    timers.add(scheduler.schedule(Duration.ofNanos(
                            (long) (config.maintenanceInterval().toNanos() * jitter)), this::loop));
                }
            }
        });
    }

    /** One round over every vnode of the host, then the misplaced-key check. */
    CompletableFuture<Void> runRound() {
        long start = scheduler.nanoTime();
        Set<Id> lacking = ConcurrentHashMap.newKeySet();
        roundLacking = lacking;
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (ChordNode v : vnodes) {
            chain = chain.thenCompose(ignored -> syncOwnedRange(v)).exceptionally(e -> null);
        }
        chain = chain.whenComplete((ok, e) -> {
            roundLacking = null;
            underReplicated = lacking.size();
        });
        return chain.thenCompose(ignored -> handOffMisplaced()).whenComplete((ok, e) -> {
            long end = scheduler.nanoTime();
            lastRoundNanos = end - start;
            lastRoundEndNanos = end;
            rounds.incrementAndGet();
        });
    }

    private CompletableFuture<Void> syncOwnedRange(ChordNode v) {
        Optional<NodeRef> pred = v.predecessor();
        if (pred.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        List<NodeRef> ring = new ArrayList<>();
        ring.add(v.self());
        ring.addAll(v.successors());
        List<NodeRef> replicas = BlockClient.replicaHosts(ring, config.replicas());
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (NodeRef r : replicas) {
            if (!r.endpoint().equals(self)) {
                chain = chain.thenCompose(ignored -> sync(r, pred.get().id(), v.self().id()))
                        .exceptionally(e -> null);
            }
        }
        return chain;
    }

    /** Makes this host and {@code peer} hold the same keys in (from, to]. */
    CompletableFuture<Void> sync(NodeRef peer, Id from, Id to) {
        int parts = config.digestParts();
        return supplyIo(() -> BlockServer.digest(server.store(), from, to, parts))
                .thenCompose(mine -> call(peer, new RangeDigest(from, to, parts), Digests.class)
                        .thenCompose(theirs -> {
                            Id[] bounds = RingRanges.split(from, to, parts);
                            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
                            for (int i = 0; i < parts; i++) {
                                if (!samePart(mine, theirs.digests(), i)) {
                                    Id a = bounds[i];
                                    Id b = bounds[i + 1];
                                    chain = chain.thenCompose(ignored -> reconcile(peer, a, b));
                                }
                            }
                            return chain;
                        }));
    }

    private static boolean samePart(byte[] a, byte[] b, int part) {
        int at = part * DHashMessages.DIGEST_BYTES;
        return b.length == a.length
                && Arrays.equals(a, at, at + DHashMessages.DIGEST_BYTES, b, at, at + DHashMessages.DIGEST_BYTES);
    }

    /**
     * Exchanges key lists with versions for (from, to], a page at a time, and moves what either
     * side lacks or holds only in an older version.
     */
    private CompletableFuture<Void> reconcile(NodeRef peer, Id from, Id to) {
        return call(peer, new ListKeys(from, to, LIST_LIMIT), KeyList.class).thenCompose(theirs -> {
            Id pageEnd = theirs.complete() || theirs.keys().isEmpty() ? to : theirs.keys().get(theirs.keys().size() - 1);
            return supplyIo(() -> versions(from, pageEnd)).thenCompose(mine -> {
                Map<Id, Long> theirVersions = new HashMap<>();
                for (int i = 0; i < theirs.keys().size(); i++) {
                    theirVersions.put(theirs.keys().get(i), theirs.versions().get(i));
                }
                CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
                Set<Id> lacking = roundLacking;
                for (var e : theirVersions.entrySet()) {
                    Long held = mine.get(e.getKey());
                    if (held == null || held < e.getValue()) {
                        noteLacking(lacking, e.getKey());
                        chain = chain.thenCompose(ignored -> pull(peer, e.getKey()));
                    }
                }
                for (var e : mine.entrySet()) {
                    Long peerHeld = theirVersions.get(e.getKey());
                    if (peerHeld == null || peerHeld < e.getValue()) {
                        noteLacking(lacking, e.getKey());
                        chain = chain.thenCompose(ignored -> push(peer, e.getKey()));
                    }
                }
                if (!pageEnd.equals(to)) {
                    chain = chain.thenCompose(ignored -> reconcile(peer, pageEnd, to));
                }
                return chain;
            });
        });
    }

    private static void noteLacking(Set<Id> lacking, Id key) {
        if (lacking != null) {
            lacking.add(key);
        }
    }

    private Map<Id, Long> versions(Id from, Id to) throws DHashException {
        Map<Id, Long> out = new HashMap<>();
        server.store().forEachVersion(from, to, (key, version) -> {
            out.put(key, version);
            return true;
        });
        return out;
    }

    private CompletableFuture<Void> pull(NodeRef peer, Id key) {
        return call(peer, new FetchBlock(key, false), Fetched.class)
                .thenCompose(f -> runIo(() -> server.store(key, f.block(), null)))
                .thenRun(pulled::incrementAndGet)
                .exceptionally(e -> {
                    LOG.debug("pulling {} from {} failed: {}", key, peer, e.toString());
                    return null;
                });
    }

    private CompletableFuture<Void> push(NodeRef peer, Id key) {
        return supplyIo(() -> server.store().get(key)).thenCompose(bytes -> bytes.isEmpty()
                ? CompletableFuture.completedFuture(null)
                : call(peer, new StoreBlock(key, bytes.get(), true), Ack.class).thenRun(pushed::incrementAndGet))
                .exceptionally(e -> {
                    LOG.debug("pushing {} to {} failed: {}", key, peer, e.toString());
                    return null;
                });
    }

    /** Walks the keys outside every range this host owns, one lookup per owner. */
    private CompletableFuture<Void> handOffMisplaced() {
        List<Id[]> owned = new ArrayList<>();
        for (ChordNode v : vnodes) {
            v.predecessor().ifPresent(p -> owned.add(new Id[] {p.id(), v.self().id()}));
        }
        if (owned.size() < vnodes.size()) {
            return CompletableFuture.completedFuture(null);
        }
        return nextForeignKey(owned, vnodes.get(0).self().id(), 0);
    }

    /** Finds the next held key after {@code after} that no vnode here owns, then settles its owner's run. */
    private CompletableFuture<Void> nextForeignKey(List<Id[]> owned, Id after, int steps) {
        Id start = vnodes.get(0).self().id();
        if (steps > 4 * config.replicas() * vnodes.size() + 16) {
            return CompletableFuture.completedFuture(null);
        }
        return supplyIo(() -> firstForeign(owned, after, start)).thenCompose(found -> found.isEmpty()
                ? CompletableFuture.completedFuture(null)
                : lookup.apply(found.get()).thenCompose(r -> settleRun(found.get(), r))
                        .thenCompose(end -> end.equals(start) || !end.inHalfOpen(after, start)
                                ? CompletableFuture.<Void>completedFuture(null)
                                : nextForeignKey(owned, end, steps + 1)));
    }

    /** The first held key in (after, stop] outside every owned range; owned ranges are skipped whole. */
    private Optional<Id> firstForeign(List<Id[]> owned, Id after, Id stop) throws DHashException {
        Id cursor = after;
        for (int hop = 0; hop <= owned.size(); hop++) {
            List<Id> next = server.store().keys(cursor, stop, 1);
            if (next.isEmpty()) {
                return Optional.empty();
            }
            Id k = next.get(0);
            Optional<Id[]> in = owned.stream().filter(r -> k.inHalfOpen(r[0], r[1])).findFirst();
            if (in.isEmpty()) {
                return Optional.of(k);
            }
            Id rangeEnd = in.get()[1];
            if (rangeEnd.equals(stop) || !rangeEnd.inHalfOpen(cursor, stop)) {
                return Optional.empty();
            }
            cursor = rangeEnd;
        }
        return Optional.empty();
    }

    /**
     * Keys in [first, owner] share {@code r}'s owner. If this host is not among its k replica hosts,
     * they go to those hosts and are deleted here once every one of them acknowledged.
     */
    private CompletableFuture<Id> settleRun(Id first, LookupResult r) {
        Id end = r.owner().id();
        List<NodeRef> holders = BlockClient.replicaHosts(r.replicaSet(), config.replicas());
        if (holders.stream().anyMatch(n -> n.endpoint().equals(self))) {
            return CompletableFuture.completedFuture(end);
        }
        Id before = first.minus(Id.powerOfTwo(0));
        return supplyIo(() -> server.store().keys(before, end, Integer.MAX_VALUE)).thenCompose(keys -> {
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (Id k : keys) {
                chain = chain.thenCompose(ignored -> handOff(k, holders));
            }
            return chain.thenApply(ignored -> end);
        });
    }

    private CompletableFuture<Void> handOff(Id key, List<NodeRef> holders) {
        return supplyIo(() -> server.store().get(key)).thenCompose(bytes -> {
            if (bytes.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            List<CompletableFuture<Ack>> acks = new ArrayList<>();
            for (NodeRef h : holders) {
                acks.add(call(h, new StoreBlock(key, bytes.get(), true), Ack.class));
            }
            return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                    .thenCompose(ignored -> runIo(() -> {
                        server.store().delete(key);
                        handedOff.incrementAndGet();
                    }))
                    .exceptionally(e -> null);
        });
    }

    /**
     * Before a graceful leave: puts every held block on the k hosts that hold its key once this host
     * is gone, within {@code bound}. Held keys are walked in runs that share an owner, one lookup per
     * run; each run is compared with each of its hosts by key list, as a maintenance sync does, and
     * only what a host lacks is sent, in {@code StoreBlocks} of up to {@link DHashMessages#BATCH_BYTES}
     * with {@link #HAND_OVER_LANES} in flight per host, every run and host at once. Completes at the
     * bound at the latest, with what it confirmed by then.
     */
    CompletableFuture<HandOver> handOverAll(Duration bound) {
        long start = scheduler.nanoTime();
        HandingOver state = new HandingOver(start + bound.toNanos(), server.store().count());
        CompletableFuture<HandOver> result = new CompletableFuture<>();
        Scheduler.Timer timer = scheduler.schedule(bound, () -> result.complete(state.report(start)));
        Id origin = vnodes.get(0).self().id();
        List<CompletableFuture<Void>> runs = new ArrayList<>();
        walkRuns(origin, origin, runs, state)
                .exceptionally(e -> {
                    LOG.warn("handing blocks over from {}: finding the owners of held keys failed: {}", self, e.toString());
                    return null;
                })
                .thenCompose(ignored -> CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)))
                .whenComplete((ok, e) -> {
                    timer.cancel();
                    result.complete(state.report(start));
                });
        return result;
    }

    /** One hand-over in progress: its deadline and what it confirmed so far. */
    private final class HandingOver {
        final long deadline;
        final long held;
        final AtomicLong confirmed = new AtomicLong();

        HandingOver(long deadline, long held) {
            this.deadline = deadline;
            this.held = held;
        }

        boolean late() {
            return scheduler.nanoTime() - deadline >= 0;
        }

        HandOver report(long start) {
            return new HandOver(held, Math.min(held, confirmed.get()), Duration.ofNanos(scheduler.nanoTime() - start));
        }
    }

    /** Starts a hand-over of each run of held keys after {@code after} that share an owner; done once all started. */
    private CompletableFuture<Void> walkRuns(Id origin, Id after, List<CompletableFuture<Void>> runs, HandingOver state) {
        if (state.late()) {
            return CompletableFuture.completedFuture(null);
        }
        return supplyIo(() -> server.store().keys(after, origin, 1)).thenCompose(next -> next.isEmpty()
                ? CompletableFuture.completedFuture(null)
                : lookup.apply(next.get(0)).thenCompose(r -> {
                    Id owner = r.owner().id();
                    boolean last = owner.equals(origin) || !owner.inHalfOpen(after, origin);
                    Id end = last ? origin : owner;
                    runs.add(handOverRun(after, end, holdersOnceGone(r), state));
                    return last ? CompletableFuture.completedFuture(null) : walkRuns(origin, end, runs, state);
                }));
    }

    /** The first k hosts of the replica set other than this one: who holds its keys once this host left. */
    private List<NodeRef> holdersOnceGone(LookupResult r) {
        List<NodeRef> out = new ArrayList<>();
        for (NodeRef n : BlockClient.replicaHosts(r.replicaSet(), config.replicas() + 1)) {
            if (!n.endpoint().equals(self) && out.size() < config.replicas()) {
                out.add(n);
            }
        }
        return out;
    }

    /** Hands the held keys of (from, to] to every one of {@code holders}; counts them once all confirmed. */
    private CompletableFuture<Void> handOverRun(Id from, Id to, List<NodeRef> holders, HandingOver state) {
        Set<Id> failed = ConcurrentHashMap.newKeySet();
        AtomicBoolean cut = new AtomicBoolean(holders.isEmpty());
        List<CompletableFuture<Void>> each = new ArrayList<>();
        for (NodeRef h : holders) {
            each.add(handOverPages(h, from, to, failed, cut, state).exceptionally(e -> {
                LOG.debug("handing ({}, {}] over to {} failed: {}", from, to, h, e.toString());
                cut.set(true);
                return null;
            }));
        }
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                .thenCompose(ignored -> cut.get() ? CompletableFuture.completedFuture(0L) : supplyIo(() -> count(from, to)))
                .thenAccept(n -> state.confirmed.addAndGet(Math.max(0, n - failed.size())));
    }

    private long count(Id from, Id to) throws DHashException {
        long[] n = {0};
        server.store().forEachKey(from, to, key -> n[0]++);
        return n[0];
    }

    /** Compares (from, to] with {@code holder} a key list page at a time and sends what it lacks. */
    private CompletableFuture<Void> handOverPages(NodeRef holder, Id from, Id to, Set<Id> failed,
                                                 AtomicBoolean cut, HandingOver state) {
        if (state.late()) {
            cut.set(true);
            return CompletableFuture.completedFuture(null);
        }
        return call(holder, new ListKeys(from, to, DHashMessages.MAX_KEYS), KeyList.class).thenCompose(theirs -> {
            Id pageEnd = theirs.complete() || theirs.keys().isEmpty() ? to : theirs.keys().get(theirs.keys().size() - 1);
            return supplyIo(() -> lacking(from, pageEnd, theirs))
                    .thenCompose(keys -> sendAll(holder, keys, failed, cut, state))
                    .thenCompose(ignored -> pageEnd.equals(to) ? CompletableFuture.completedFuture(null)
                            : handOverPages(holder, pageEnd, to, failed, cut, state));
        });
    }

    /** Held keys of (from, to] that {@code theirs} lacks or holds in an older version, in ring order. */
    private List<Id> lacking(Id from, Id to, KeyList theirs) throws DHashException {
        Map<Id, Long> theirVersions = new HashMap<>();
        for (int i = 0; i < theirs.keys().size(); i++) {
            theirVersions.put(theirs.keys().get(i), theirs.versions().get(i));
        }
        List<Id> out = new ArrayList<>();
        server.store().forEachVersion(from, to, (key, version) -> {
            Long held = theirVersions.get(key);
            if (held == null || held < version) {
                out.add(key);
            }
            return true;
        });
        return out;
    }

    private CompletableFuture<Void> sendAll(NodeRef holder, List<Id> keys, Set<Id> failed,
                                            AtomicBoolean cut, HandingOver state) {
        int[] cursor = {0};
        List<CompletableFuture<Void>> lanes = new ArrayList<>();
        for (int i = 0; i < HAND_OVER_LANES; i++) {
            lanes.add(lane(holder, keys, cursor, failed, cut, state));
        }
        return CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new));
    }

    /** Sends batch after batch of {@code keys} from the shared cursor until none are left. */
    private CompletableFuture<Void> lane(NodeRef holder, List<Id> keys, int[] cursor, Set<Id> failed,
                                         AtomicBoolean cut, HandingOver state) {
        if (state.late()) {
            cut.set(true);
            return CompletableFuture.completedFuture(null);
        }
        return supplyIo(() -> nextBatch(keys, cursor)).thenCompose(batch -> batch == null
                ? CompletableFuture.completedFuture(null)
                : storeBatch(holder, batch, 1).handle((ack, e) -> {
                    if (e != null) {
                        LOG.debug("handing {} blocks over to {} failed: {}", batch.keys().size(), holder, e.toString());
                        failed.addAll(batch.keys());
                    } else {
                        handedOff.addAndGet(batch.keys().size());
                    }
                    return null;
                }).thenCompose(ignored -> lane(holder, keys, cursor, failed, cut, state)));
    }

    /**
     * The next blocks from the cursor, up to {@link DHashMessages#BATCH_BYTES} (one block more, alone,
     * if it is larger); null once none are left. Keys no longer held are skipped.
     */
    private StoreBlocks nextBatch(List<Id> keys, int[] cursor) throws DHashException {
        synchronized (cursor) {
            List<Id> batchKeys = new ArrayList<>();
            List<byte[]> blocks = new ArrayList<>();
            long bytes = 0;
            while (cursor[0] < keys.size() && batchKeys.size() < DHashMessages.MAX_BATCH_BLOCKS) {
                Id key = keys.get(cursor[0]);
                Optional<byte[]> block = server.store().get(key);
                if (block.isPresent()) {
                    if (!batchKeys.isEmpty() && bytes + block.get().length > DHashMessages.BATCH_BYTES) {
                        break;
                    }
                    batchKeys.add(key);
                    blocks.add(block.get());
                    bytes += block.get().length;
                }
                cursor[0]++;
            }
            return batchKeys.isEmpty() ? null : new StoreBlocks(batchKeys, blocks);
        }
    }

    private CompletableFuture<Ack> storeBatch(NodeRef holder, StoreBlocks batch, int retries) {
        return call(holder, batch, Ack.class).exceptionallyCompose(e -> retries > 0
                ? storeBatch(holder, batch, retries - 1) : CompletableFuture.failedFuture(e));
    }

    long rounds() {
        return rounds.get();
    }

    /**
     * Keys of this host's own ranges that the last finished round found with fewer than k current
     * copies (a replica host, this one included, lacked them or held an older version) and set
     * about copying; -1 before the first round. Keys whose every copy is gone are not seen.
     */
    long underReplicated() {
        return underReplicated;
    }

    long pulled() {
        return pulled.get();
    }

    long pushed() {
        return pushed.get();
    }

    long handedOff() {
        return handedOff.get();
    }

    /** Bytes this host's maintenance has sent and received, when its transport is a {@link TrafficMeter}. */
    long bytes() {
        return transport instanceof TrafficMeter meter ? meter.bytes() : 0;
    }

    long bytesSent() {
        return transport instanceof TrafficMeter meter ? meter.sent() : 0;
    }

    long bytesReceived() {
        return transport instanceof TrafficMeter meter ? meter.received() : 0;
    }

    /** Time since the last round ended, or null before the first round ended. */
    Duration sinceLastRound() {
        long end = lastRoundEndNanos;
        return end < 0 ? null : Duration.ofNanos(scheduler.nanoTime() - end);
    }

    /** How long the last round took, or null before the first round ended. */
    Duration lastRoundTook() {
        long took = lastRoundNanos;
        return took < 0 ? null : Duration.ofNanos(took);
    }

    private <R extends Message> CompletableFuture<R> call(NodeRef to, Message request, Class<R> type) {
        return Exchange.send(transport, to, request, type, config.requestTimeout());
    }

    @FunctionalInterface
    private interface IoSupplier<T> {
        T get() throws DHashException;
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws DHashException;
    }

    private <T> CompletableFuture<T> supplyIo(IoSupplier<T> work) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return work.get();
            } catch (DHashException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, io);
    }

    private CompletableFuture<Void> runIo(IoAction work) {
        return supplyIo(() -> {
            work.run();
            return null;
        });
    }
}
