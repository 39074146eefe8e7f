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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
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
        if (config.repair() == DHashConfig.Repair.CARBONITE) {
            List<NodeRef> peers = new ArrayList<>(BlockClient.replicaHosts(ring, Integer.MAX_VALUE));
            peers.removeIf(n -> n.endpoint().equals(self));
            return keepEnoughCopies(peers, pred.get().id(), v.self().id());
        }
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

    /** The keys held in (from, to] with their versions, in the order the store visits them: ring order. */
    private Map<Id, Long> versions(Id from, Id to) throws DHashException {
        Map<Id, Long> out = new java.util.LinkedHashMap<>();
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

    /**
     * Carbonite's repair of (from, to], which this host owns: counts the current copies of each key
     * here and on every host of {@code peers} (its successor list) that answers, and only where
     * fewer than k are reachable makes new ones, on the first hosts in ring order that lack it
     * (this one first). A host holding an older version of a signed block is always brought up to
     * date. A peer whose digest of a sub-range equals this host's holds the same keys there and is
     * not listed; one with an empty sub-range holds none.
     */
    CompletableFuture<Void> keepEnoughCopies(List<NodeRef> peers, Id from, Id to) {
        int parts = config.digestParts();
        Id[] bounds = RingRanges.split(from, to, parts);
        return supplyIo(() -> new Census(versions(from, to), bounds, BlockServer.digest(server.store(), from, to, parts)))
                .thenCompose(census -> survey(census, peers, 0, from, to, bounds))
                .thenCompose(this::repairShort);
    }

    /** What this host holds of a range, and what each peer that answered holds, in ring order. */
    private static final class Census {
        final Map<Id, Long> mine;
        /** The keys of {@link #mine} in each sub-range. */
        final List<List<Id>> mineByPart = new ArrayList<>();
        final byte[] digest;
        final Map<NodeRef, Map<Id, Long>> peers = new java.util.LinkedHashMap<>();

        /** {@code mine} iterates in ring order from the range's start, as the store visits it. */
        Census(Map<Id, Long> mine, Id[] bounds, byte[] digest) {
            this.mine = mine;
            this.digest = digest;
            int parts = bounds.length - 1;
            for (int p = 0; p < parts; p++) {
                mineByPart.add(new ArrayList<>());
            }
            int part = 0;
            for (Id key : mine.keySet()) {
                while (part < parts - 1 && !key.inHalfOpen(bounds[part], bounds[part + 1])) {
                    part++;
                }
                mineByPart.get(part).add(key);
            }
        }
    }

    /** Adds what {@code peers[next..]} hold of (from, to] to the census, one peer after another. */
    private CompletableFuture<Census> survey(Census census, List<NodeRef> peers, int next, Id from, Id to,
                                             Id[] bounds) {
        if (next == peers.size()) {
            return CompletableFuture.completedFuture(census);
        }
        NodeRef peer = peers.get(next);
        int parts = bounds.length - 1;
        Map<Id, Long> held = new HashMap<>();
        return call(peer, new RangeDigest(from, to, parts), Digests.class).thenCompose(theirs -> {
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (int p = 0; p < parts; p++) {
                Id a = bounds[p];
                Id b = bounds[p + 1];
                if (samePart(census.digest, theirs.digests(), p)) {
                    for (Id key : census.mineByPart.get(p)) {
                        held.put(key, census.mine.get(key));
                    }
                } else if (!samePart(new byte[census.digest.length], theirs.digests(), p)) {
                    chain = chain.thenCompose(ignored -> listInto(peer, a, b, held));
                }
            }
            return chain;
        }).handle((ok, e) -> {
            if (e != null) {
                LOG.debug("counting copies of ({}, {}] on {} failed: {}", from, to, peer, e.toString());
            } else {
                census.peers.put(peer, held);
            }
            return null;
        }).thenCompose(ignored -> survey(census, peers, next + 1, from, to, bounds));
    }

    /** Adds the keys and versions {@code peer} holds in (from, to] to {@code into}, a page at a time. */
    private CompletableFuture<Void> listInto(NodeRef peer, Id from, Id to, Map<Id, Long> into) {
        return call(peer, new ListKeys(from, to, LIST_LIMIT), KeyList.class).thenCompose(page -> {
            for (int i = 0; i < page.keys().size(); i++) {
                into.put(page.keys().get(i), page.versions().get(i));
            }
            Id pageEnd = page.complete() || page.keys().isEmpty() ? to : page.keys().get(page.keys().size() - 1);
            return pageEnd.equals(to) ? CompletableFuture.completedFuture(null) : listInto(peer, pageEnd, to, into);
        });
    }

    /** Makes the copies the census shows missing, key after key. */
    private CompletableFuture<Void> repairShort(Census census) {
        Map<Id, Long> newest = new HashMap<>(census.mine);
        for (Map<Id, Long> held : census.peers.values()) {
            held.forEach((key, version) -> newest.merge(key, version, Math::max));
        }
        Set<Id> lacking = roundLacking;
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (var e : newest.entrySet()) {
            Id key = e.getKey();
            long version = e.getValue();
            Long mine = census.mine.get(key);
            int current = mine != null && mine == version ? 1 : 0;
            NodeRef source = null;
            for (var peer : census.peers.entrySet()) {
                Long held = peer.getValue().get(key);
                if (held != null && held == version) {
                    current++;
                    source = source == null ? peer.getKey() : source;
                }
            }
            List<NodeRef> targets = targets(census, key, version, current);
            boolean pullHere = mine == null ? current < config.replicas() || !targets.isEmpty() : mine < version;
            if (current < config.replicas() || pullHere || !targets.isEmpty()) {
                noteLacking(lacking, key);
            }
            NodeRef from = source;
            if (pullHere) {
                chain = chain.thenCompose(ignored -> pull(from, key));
            }
            for (NodeRef t : targets) {
                chain = chain.thenCompose(ignored -> push(t, key));
            }
        }
        return chain;
    }

    /**
     * The peers to send {@code key} to: every one holding an older version, then, while fewer than
     * k copies would be current, the first in ring order that lack it. This host comes first in
     * ring order, so it takes a copy itself before any peer does.
     */
    private List<NodeRef> targets(Census census, Id key, long version, int current) {
        List<NodeRef> out = new ArrayList<>();
        Long mine = census.mine.get(key);
        int after = current + (mine == null && current < config.replicas() || mine != null && mine < version ? 1 : 0);
        for (var peer : census.peers.entrySet()) {
            Long held = peer.getValue().get(key);
            if (held != null && held < version) {
                out.add(peer.getKey());
                after++;
            }
        }
        for (var peer : census.peers.entrySet()) {
            if (after >= config.replicas()) {
                break;
            }
            if (!peer.getValue().containsKey(key)) {
                out.add(peer.getKey());
                after++;
            }
        }
        return out;
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
     * they go to those hosts and are deleted here once every one of them acknowledged. An answer
     * whose replica hosts pass over a vnode of this host comes from a view that misses it (a stale
     * successor list, a node wrongly thought dead, two rings still merging): in the ring as it is,
     * this host is one of those replica hosts, so it keeps its copies.
     */
    private CompletableFuture<Id> settleRun(Id first, LookupResult r) {
        Id end = r.owner().id();
        List<NodeRef> holders = BlockClient.replicaHosts(r.replicaSet(), config.replicas());
        // Under Carbonite a copy anywhere in the owner's successor list is counted, so it stays.
        List<NodeRef> keepers = config.repair() == DHashConfig.Repair.CARBONITE
                ? BlockClient.replicaHosts(r.replicaSet(), Integer.MAX_VALUE) : holders;
        if (keepers.isEmpty() || keepers.stream().anyMatch(n -> n.endpoint().equals(self))) {
            return CompletableFuture.completedFuture(end);
        }
        Id before = first.minus(Id.powerOfTwo(0));
        Id last = keepers.get(keepers.size() - 1).id();
        if (vnodes.stream().anyMatch(v -> v.self().id().inHalfOpen(before, last))) {
            LOG.debug("{} keeps keys in [{}, {}]: the answer's replica hosts {} pass over it", self, first, end, keepers);
            return CompletableFuture.completedFuture(end);
        }
        LOG.debug("{} holds keys in [{}, {}] owned by {} with replica hosts {}: handing them over",
                self, first, end, r.owner(), holders);
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
                        LOG.debug("{} handed {} over to {} and deleted its copy", self, key, holders);
                    }))
                    .exceptionally(e -> null);
        });
    }

    /**
     * Before a graceful leave: puts every held block on the k hosts that hold its key once this host
     * is gone, within {@code bound}. Held keys are walked in runs that share an owner, one lookup per
     * run, and each run's keys and versions are read once. Each host of a run is compared with it
     * as a maintenance sync does, by sub-range digests first and key lists only where they differ,
     * and sent only what it lacks, in {@code StoreBlocks} of up to {@link DHashMessages#BATCH_BYTES}
     * with {@link #HAND_OVER_LANES} in flight per host, every run and host at once after all are
     * compared. Completes at the bound at the latest, naming every key not yet confirmed on all the
     * hosts of its run.
     */
    CompletableFuture<HandOver> handOverAll(Duration bound) {
        long start = scheduler.nanoTime();
        Id origin = vnodes.get(0).self().id();
        HandingOver state = new HandingOver(origin, start + bound.toNanos());
        CompletableFuture<HandOver> result = new CompletableFuture<>();
        Runnable report = () -> {
            if (state.stop()) {
                supplyIo(() -> state.report(start)).whenComplete((done, e) -> {
                    if (e != null) {
                        result.completeExceptionally(e);
                    } else {
                        result.complete(done);
                    }
                });
            }
        };
        Scheduler.Timer timer = scheduler.schedule(bound, report);
        walkRuns(origin, state)
                .exceptionally(e -> {
                    LOG.warn("handing blocks over from {}: finding the owners of held keys failed: {}", self, e.toString());
                    return null;
                })
                .thenCompose(ignored -> handOverRuns(state))
                .whenComplete((ok, e) -> {
                    timer.cancel();
                    report.run();
                });
        return result;
    }

    /** The held keys of (from, to], all of one owner, in ring order, and how many of its hosts confirmed each. */
    private static final class Run {
        final Id from;
        final Id to;
        final Id[] keys;
        final long[] versions;
        final List<NodeRef> holders;
        final AtomicIntegerArray confirmations;

        Run(Id from, Id to, List<Id> keys, List<Long> versions, List<NodeRef> holders) {
            this.from = from;
            this.to = to;
            this.keys = keys.toArray(Id[]::new);
            this.versions = versions.stream().mapToLong(Long::longValue).toArray();
            this.holders = holders;
            this.confirmations = new AtomicIntegerArray(this.keys.length);
        }

        /** One more host listed key {@code i} in its version or newer, or acknowledged its copy. */
        void confirm(int i) {
            confirmations.incrementAndGet(i);
        }

        boolean confirmed(int i) {
            return !holders.isEmpty() && confirmations.get(i) >= holders.size();
        }
    }

    /**
     * One hand-over in progress: its deadline, the runs started and how far the walk got. Once
     * stopped it starts nothing more, and its report counts only what was confirmed by then.
     */
    private final class HandingOver {
        final Id origin;
        final long deadline;
        private final List<Run> runs = new ArrayList<>();
        /** The end of the last run started; null before the first. */
        private Id walkedTo;
        private boolean walkedAll;
        private boolean stopped;

        HandingOver(Id origin, long deadline) {
            this.origin = origin;
            this.deadline = deadline;
        }

        boolean late() {
            return scheduler.nanoTime() - deadline >= 0 || stopped();
        }

        synchronized boolean stopped() {
            return stopped;
        }

        /** Stops it; false if it was stopped already. */
        synchronized boolean stop() {
            boolean was = stopped;
            stopped = true;
            return !was;
        }

        /** Takes a run to hand over; false once stopped, when the run is left to the report. */
        synchronized boolean add(Run run, boolean last) {
            if (stopped) {
                return false;
            }
            runs.add(run);
            walkedTo = run.to;
            walkedAll = last;
            return true;
        }

        synchronized void walkedAll() {
            walkedAll = true;
        }

        synchronized List<Run> runs() {
            return new ArrayList<>(runs);
        }

        /** Every key of a run not confirmed on all its hosts, and every held key the walk did not reach. */
        HandOver report(long start) throws DHashException {
            List<Run> taken;
            Id reached;
            boolean all;
            synchronized (this) {
                taken = new ArrayList<>(runs);
                reached = walkedTo;
                all = walkedAll;
            }
            long held = 0;
            List<Id> missed = new ArrayList<>();
            for (Run run : taken) {
                held += run.keys.length;
                for (int i = 0; i < run.keys.length; i++) {
                    if (!run.confirmed(i)) {
                        missed.add(run.keys[i]);
                    }
                }
            }
            if (!all) {
                long before = missed.size();
                server.store().forEachKey(reached == null ? origin : reached, origin, missed::add);
                held += missed.size() - before;
            }
            return new HandOver(held, held - missed.size(), Duration.ofNanos(scheduler.nanoTime() - start), missed);
        }
    }

    /** Reads and starts handing over each run of held keys that share an owner, one after another. */
    private CompletableFuture<Void> walkRuns(Id after, HandingOver state) {
        if (state.late()) {
            return CompletableFuture.completedFuture(null);
        }
        Id origin = state.origin;
        return supplyIo(() -> server.store().keys(after, origin, 1)).thenCompose(next -> {
            if (next.isEmpty()) {
                state.walkedAll();
                return CompletableFuture.completedFuture(null);
            }
            return lookup.apply(next.get(0)).thenCompose(r -> {
                Id owner = r.owner().id();
                boolean last = owner.equals(origin) || !owner.inHalfOpen(after, origin);
                Id end = last ? origin : owner;
                return supplyIo(() -> readRun(after, end, holdersOnceGone(r))).thenCompose(run -> {
                    if (!state.add(run, last)) {
                        return CompletableFuture.completedFuture(null);
                    }
                    return last ? CompletableFuture.completedFuture(null) : walkRuns(end, state);
                });
            });
        });
    }

    private Run readRun(Id from, Id to, List<NodeRef> holders) throws DHashException {
        List<Id> keys = new ArrayList<>();
        List<Long> versions = new ArrayList<>();
        server.store().forEachVersion(from, to, (key, version) -> {
            keys.add(key);
            versions.add(version);
            return true;
        });
        return new Run(from, to, keys, versions, holders);
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

    /**
     * Compares every run walked with each of its hosts, all at once, and only then sends each host
     * what it lacks. Comparing first keeps the digest and key-list requests from queueing behind
     * the hand-over's own batches at the receivers, where under load they outlasted the request
     * timeout and left the keys of whole runs unconfirmed. A host whose comparison fails confirms
     * nothing more of that run.
     */
    private CompletableFuture<Void> handOverRuns(HandingOver state) {
        List<Runnable> sends = new ArrayList<>();
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        List<CompletableFuture<Void>> compared = new ArrayList<>();
        for (Run run : state.runs()) {
            for (NodeRef h : run.holders) {
                CompletableFuture<Void> done = new CompletableFuture<>();
                sent.add(done);
                compared.add(compare(run, h, state).handle((lacking, e) -> {
                    if (e != null) {
                        LOG.debug("comparing ({}, {}] with {} failed: {}", run.from, run.to, h, e.toString());
                        done.complete(null);
                    } else {
                        synchronized (sends) {
                            sends.add(() -> sendAll(run, h, lacking, state).whenComplete((ok, failed) -> done.complete(null)));
                        }
                    }
                    return null;
                }));
            }
        }
        return CompletableFuture.allOf(compared.toArray(CompletableFuture[]::new)).thenCompose(ignored -> {
            synchronized (sends) {
                sends.forEach(Runnable::run);
            }
            return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
        });
    }

    /**
     * Confirms the keys of {@code run} that {@code holder} has in their version or newer and
     * returns the indices of the rest: sub-range digests first, about {@link DHashMessages#MAX_KEYS}
     * keys a part; a part that matches is confirmed whole, one the holder has nothing of is lacked
     * whole, and only the others are listed.
     */
    private CompletableFuture<int[]> compare(Run run, NodeRef holder, HandingOver state) {
        int parts = (int) Math.max(1, Math.min(DHashMessages.MAX_PARTS,
                ((long) run.keys.length + DHashMessages.MAX_KEYS - 1) / DHashMessages.MAX_KEYS));
        Id[] bounds = RingRanges.split(run.from, run.to, parts);
        int[] partStart = new int[parts + 1];
        byte[] ours = new byte[parts * DHashMessages.DIGEST_BYTES];
        byte[] scratch = new byte[Id.BYTES];
        int part = 0;
        for (int i = 0; i < run.keys.length; i++) {
            while (part < parts - 1 && !run.keys[i].inHalfOpen(bounds[part], bounds[part + 1])) {
                partStart[++part] = i;
            }
            BlockServer.fold(ours, part, run.keys[i], run.versions[i], scratch);
        }
        while (part < parts) {
            partStart[++part] = run.keys.length;
        }
        return call(holder, new RangeDigest(run.from, run.to, parts), Digests.class).thenCompose(theirs -> {
            if (theirs.digests().length != ours.length) {
                throw new java.util.concurrent.CompletionException(new DHashException(DHashException.Kind.IO,
                        holder + " sent " + theirs.digests().length + " digest bytes for " + parts + " parts"));
            }
            IndexList lacking = new IndexList();
            List<Integer> differ = new ArrayList<>();
            for (int p = 0; p < parts; p++) {
                int at = p * DHashMessages.DIGEST_BYTES;
                if (Arrays.equals(ours, at, at + DHashMessages.DIGEST_BYTES,
                        theirs.digests(), at, at + DHashMessages.DIGEST_BYTES)) {
                    for (int i = partStart[p]; i < partStart[p + 1]; i++) {
                        run.confirm(i);
                    }
                } else if (Arrays.equals(theirs.digests(), at, at + DHashMessages.DIGEST_BYTES,
                        new byte[DHashMessages.DIGEST_BYTES], 0, DHashMessages.DIGEST_BYTES)) {
                    lacking.addRange(partStart[p], partStart[p + 1]);
                } else {
                    differ.add(p);
                }
            }
            return listParts(run, holder, differ, 0, bounds, partStart, lacking, state)
                    .thenApply(ignored -> lacking.toArray());
        });
    }

    /** Compares the parts {@code differ} from the {@code next}-th on with {@code holder} by key list, one after another. */
    private CompletableFuture<Void> listParts(Run run, NodeRef holder, List<Integer> differ, int next, Id[] bounds,
                                              int[] partStart, IndexList lacking, HandingOver state) {
        if (next == differ.size() || state.late()) {
            return CompletableFuture.completedFuture(null);
        }
        int p = differ.get(next);
        return listPages(run, holder, bounds[p], bounds[p + 1], partStart[p], partStart[p + 1], lacking, state)
                .thenCompose(ignored -> listParts(run, holder, differ, next + 1, bounds, partStart, lacking, state));
    }

    /**
     * Compares (from, to], whose held keys are {@code run.keys[first..end)}, with {@code holder} a
     * key list page at a time: confirms what it lists in the held version or newer, the rest lacks.
     */
    private CompletableFuture<Void> listPages(Run run, NodeRef holder, Id from, Id to, int first, int end,
                                              IndexList lacking, HandingOver state) {
        if (state.late()) {
            return CompletableFuture.completedFuture(null);
        }
        return call(holder, new ListKeys(from, to, DHashMessages.MAX_KEYS), KeyList.class).thenCompose(theirs -> {
            Id pageEnd = theirs.complete() || theirs.keys().isEmpty() ? to : theirs.keys().get(theirs.keys().size() - 1);
            Map<Id, Long> theirVersions = new HashMap<>();
            for (int i = 0; i < theirs.keys().size(); i++) {
                theirVersions.put(theirs.keys().get(i), theirs.versions().get(i));
            }
            int i = first;
            for (; i < end && run.keys[i].inHalfOpen(from, pageEnd); i++) {
                Long version = theirVersions.get(run.keys[i]);
                if (version != null && version >= run.versions[i]) {
                    run.confirm(i);
                } else {
                    lacking.add(i);
                }
            }
            int next = i;
            return pageEnd.equals(to) ? CompletableFuture.completedFuture(null)
                    : listPages(run, holder, pageEnd, to, next, end, lacking, state);
        });
    }

    /** Indices into a run's keys, appended in order. */
    private static final class IndexList {
        private int[] items = new int[16];
        private int size;

        synchronized void add(int i) {
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            items[size++] = i;
        }

        synchronized void addRange(int from, int to) {
            for (int i = from; i < to; i++) {
                add(i);
            }
        }

        synchronized int[] toArray() {
            return Arrays.copyOf(items, size);
        }
    }

    /**
     * Sends the blocks of {@code run.keys[lacking[..]]} to {@code holder} over {@link #HAND_OVER_LANES}
     * lanes, which take the (sorted) indices in shares of consecutive keys.
     */
    private CompletableFuture<Void> sendAll(Run run, NodeRef holder, int[] lacking, HandingOver state) {
        Arrays.sort(lacking);
        int share = Math.max(1, Math.min(DHashMessages.MAX_BATCH_BLOCKS,
                (lacking.length + HAND_OVER_LANES - 1) / HAND_OVER_LANES));
        Shares shares = new Shares(lacking.length, share);
        List<CompletableFuture<Void>> lanes = new ArrayList<>();
        for (int i = 0; i < HAND_OVER_LANES; i++) {
            lanes.add(lane(run, holder, lacking, shares, new Batch(), state));
        }
        return CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new));
    }

    /** Sends batch after batch from the shared cursor until none are left; the holder's ack confirms a batch. */
    private CompletableFuture<Void> lane(Run run, NodeRef holder, int[] lacking, Shares shares, Batch batch,
                                         HandingOver state) {
        if (state.late()) {
            return CompletableFuture.completedFuture(null);
        }
        return supplyIo(() -> batch.fill(run, lacking, shares)).thenCompose(message -> message == null
                ? CompletableFuture.completedFuture(null)
                : storeBatch(holder, message, 1).handle((ack, e) -> {
                    int[] sent = batch.sent();
                    if (e != null) {
                        LOG.debug("handing {} blocks over to {} failed: {}", sent.length, holder, e.toString());
                    } else {
                        for (int i : sent) {
                            run.confirm(i);
                        }
                        handedOff.addAndGet(sent.length);
                    }
                    return null;
                }).thenCompose(ignored -> lane(run, holder, lacking, shares, batch, state)));
    }

    /** Hands out [0, size) in shares of consecutive positions, each taken by one lane. */
    private static final class Shares {
        private final AtomicInteger cursor = new AtomicInteger();
        private final int size;
        private final int share;

        Shares(int size, int share) {
            this.size = size;
            this.share = share;
        }

        /** The start of the next share (its end is {@link #end}), or -1 once all are taken. */
        int take() {
            int at = cursor.getAndAdd(share);
            return at < size && at >= 0 ? at : -1;
        }

        int end(int start) {
            return (int) Math.min(size, (long) start + share);
        }
    }

    /**
     * One lane's batches, up to {@link DHashMessages#BATCH_BYTES} each (a larger block alone), from
     * the shares of lacking indices it takes. Where a share's keys are most of the run's keys
     * between its first and last, their blocks are read with one {@link BlockStore#forEachBlock}
     * (sequential, no lock), else one {@link BlockStore#get} each; a key no longer held is skipped.
     * The block that would overflow a batch starts the lane's next one.
     */
    private final class Batch {
        /** Read the share with one range read unless it spans more than this many run keys per lacking one. */
        private static final int SPARSE = 4;

        private int[] indices = new int[0];
        /** What is left of the lane's share: lacking[next..end). */
        private int next;
        private int end;

        /** The next batch, or null once every share is taken and sent. */
        StoreBlocks fill(Run run, int[] lacking, Shares shares) throws DHashException {
            Filling filling = new Filling();
            while (!filling.full()) {
                if (next == end) {
                    int start = shares.take();
                    if (start < 0) {
                        break;
                    }
                    next = start;
                    end = shares.end(start);
                }
                readShare(run, lacking, filling);
            }
            indices = Arrays.copyOf(filling.taken, filling.keys.size());
            return filling.keys.isEmpty() ? null : new StoreBlocks(filling.keys, filling.blocks);
        }

        /** Adds blocks from lacking[next..end) until the batch is full or the share is read. */
        private void readShare(Run run, int[] lacking, Filling filling) throws DHashException {
            int first = lacking[next];
            int last = lacking[end - 1];
            if ((long) last - first + 1 > (long) SPARSE * (end - next)) {
                for (; next < end && !filling.full(); next++) {
                    Optional<byte[]> block = server.store().get(run.keys[lacking[next]]);
                    if (block.isPresent() && !filling.add(lacking[next], run.keys[lacking[next]], block.get())) {
                        return;
                    }
                }
                return;
            }
            Id after = first == 0 ? run.from : run.keys[first - 1];
            server.store().forEachBlock(after, run.keys[last], (key, block) -> {
                // keys before the wanted one are held but not lacked; wanted keys passed over are no longer held
                while (next < end && !key.inHalfOpen(after, run.keys[lacking[next]])) {
                    next++;
                }
                if (next == end) {
                    return false;
                }
                if (!key.equals(run.keys[lacking[next]])) {
                    return true;
                }
                if (!filling.add(lacking[next], key, block)) {
                    return false;
                }
                next++;
                return !filling.full();
            });
            if (!filling.full()) {
                // the read reached the share's last key: whatever is left was not held
                next = end;
            }
        }

        /** The indices of the last batch filled. */
        int[] sent() {
            return indices;
        }
    }

    /** A batch being filled. */
    private static final class Filling {
        final List<Id> keys = new ArrayList<>();
        final List<byte[]> blocks = new ArrayList<>();
        final int[] taken = new int[DHashMessages.MAX_BATCH_BLOCKS];
        long bytes;
        boolean full;

        /** Adds run index {@code i}; false, adding nothing, if it would overflow a non-empty batch. */
        boolean add(int i, Id key, byte[] block) {
            if (!keys.isEmpty() && bytes + block.length > DHashMessages.BATCH_BYTES) {
                full = true;
                return false;
            }
            taken[keys.size()] = i;
            keys.add(key);
            blocks.add(block);
            bytes += block.length;
            full = keys.size() == DHashMessages.MAX_BATCH_BLOCKS || bytes >= DHashMessages.BATCH_BYTES;
            return true;
        }

        boolean full() {
            return full;
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
