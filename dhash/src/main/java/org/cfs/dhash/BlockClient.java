package org.cfs.dhash;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.LookupResult;
import org.cfs.chord.NodeRef;
import org.cfs.chord.RoundTrips;
import org.cfs.chord.Scheduler;
import org.cfs.chord.Transport;
import org.cfs.chord.TransportException;
import org.cfs.chord.wire.ChordMessages.Ack;
import org.cfs.chord.wire.Message;
import org.cfs.dhash.DHashMessages.CacheOffer;
import org.cfs.dhash.DHashMessages.FetchBlock;
import org.cfs.dhash.DHashMessages.Fetched;
import org.cfs.dhash.DHashMessages.Probe;
import org.cfs.dhash.DHashMessages.Probed;
import org.cfs.dhash.DHashMessages.ReportBad;
import org.cfs.dhash.DHashMessages.StoreBlock;

/**
 * The reading and writing side of DHash: one lookup per operation, then stores to the k replica
 * hosts in parallel, or fetches from them one at a time in order of measured round-trip time,
 * verifying every block that comes back.
 */
final class BlockClient {
    /** Path nodes, nearest the owner first, that a reader offers a fetched block to. */
    private static final int CACHE_OFFERS = 2;

    private final Function<Id, CompletableFuture<LookupResult>> lookup;
    private final Function<Id, CompletableFuture<LookupResult>> holderLookup;
    /** Tells the lookups of this host (or client) that a node served bad data. */
    private final Consumer<NodeRef> distrust;
    private final Transport transport;
    private final Scheduler scheduler;
    private final DHashConfig config;
    private final Clock clock;
    /** The host's (or client's) round trips, which its Chord requests feed too. */
    private final RoundTrips roundTrips;
    /** Hosts that served a bad copy, to when they are asked last: a liar costs one request, not one per read. */
    private final Map<Endpoint, Long> distrustedUntil = new ConcurrentHashMap<>();
    /** How long a host that served a bad copy is asked only after every other replica. */
    static final Duration DISTRUST = Duration.ofMinutes(10);

    /**
     * {@code holderLookup}, if not null, is a lookup that stops at the first node caching the key
     * (ring members have one; tools outside the ring do not).
     */
    BlockClient(Function<Id, CompletableFuture<LookupResult>> lookup,
                Function<Id, CompletableFuture<LookupResult>> holderLookup, Consumer<NodeRef> distrust,
                Transport transport, Scheduler scheduler, DHashConfig config, Clock clock, RoundTrips roundTrips) {
        this.lookup = lookup;
        this.roundTrips = roundTrips;
        this.holderLookup = holderLookup;
        this.distrust = distrust;
        this.transport = transport;
        this.scheduler = scheduler;
        this.config = config;
        this.clock = clock;
    }

    CompletableFuture<PutResult> put(Block block) {
        return put(block, false);
    }

    /**
     * Stores {@code block} on those of its k replica hosts that do not hold it yet, asking each
     * first: a writer re-sending a tree that is mostly stored already sends only what is missing.
     * Only for content-hash blocks, whose bytes under a key never change.
     */
    CompletableFuture<PutResult> putMissing(ContentBlock block) {
        return put(block, true);
    }

    private CompletableFuture<PutResult> put(Block block, boolean askFirst) {
        Id key = block.key();
        try {
            // Refuse here what every replica would refuse, before shipping it three times.
            block.verify(key, clock.millis(), config.maxDataBytes());
        } catch (DHashException e) {
            return CompletableFuture.failedFuture(e);
        }
        byte[] bytes = block.encode();
        return lookup.apply(key).thenCompose(found -> {
            List<NodeRef> targets = replicaHosts(found.replicaSet(), config.replicas());
            List<CompletableFuture<Boolean>> acks = new ArrayList<>(targets.size());
            for (NodeRef t : targets) {
                acks.add(askFirst ? storeIfMissing(t, key, bytes) : store(t, key, bytes));
            }
            CompletableFuture<?>[] all = acks.toArray(CompletableFuture[]::new);
            return CompletableFuture.allOf(all).handle((ignored, e) -> {
                List<NodeRef> holders = new ArrayList<>();
                List<DHashException> refusals = new ArrayList<>();
                int sent = 0;
                for (int i = 0; i < targets.size(); i++) {
                    CompletableFuture<Boolean> ack = acks.get(i);
                    if (ack.isCompletedExceptionally()) {
                        refusals.add(asDHash(ack.handle((v, error) -> error).join(), targets.get(i)));
                    } else {
                        holders.add(targets.get(i));
                        sent += ack.join() ? 1 : 0;
                    }
                }
                if (holders.size() >= config.minReplicas()) {
                    return new PutResult(key, holders, config.replicas(), holders.size() >= config.replicas(),
                            (long) sent * bytes.length);
                }
                throw new java.util.concurrent.CompletionException(mostTelling(refusals, key, holders.size()));
            });
        });
    }

    /** Stores the block on {@code node}; true once it acknowledged (the bytes were sent). */
    private CompletableFuture<Boolean> store(NodeRef node, Id key, byte[] bytes) {
        return send(node, new StoreBlock(key, bytes, false), Ack.class).thenApply(ack -> true);
    }

    /**
     * True if the bytes had to be sent, false if {@code node} already stored the block; asking
     * restarts the held block's lease there, so a writer that re-sends a tree keeps all of it.
     */
    private CompletableFuture<Boolean> storeIfMissing(NodeRef node, Id key, byte[] bytes) {
        return send(node, new Probe(key, true), Probed.class)
                .thenCompose(p -> p.stored() ? CompletableFuture.completedFuture(false) : store(node, key, bytes));
    }

    /**
     * Finds a copy: first through a lookup that stops at a node caching the key, if this client can
     * do one; failing that (or with no cache on the way), from the replica hosts.
     */
    CompletableFuture<Fetch> fetch(Id key) {
        return fetch(key, false);
    }

    /**
     * Like {@link #fetch(Id)}; with {@code expiredToo} a signed block past its expiry is returned
     * too (servers are asked for it explicitly), so a publisher can learn what it must outrank.
     */
    CompletableFuture<Fetch> fetch(Id key, boolean expiredToo) {
        if (holderLookup == null || expiredToo) {
            return fromReplicas(key, expiredToo);
        }
        return holderLookup.apply(key).thenCompose(found -> {
            if (found.holder() == null) {
                return fromReplicas(key, found, false);
            }
            // A cache may hold an older version of a signed block: those are read from the replicas.
            return send(found.holder(), new FetchBlock(key, false), Fetched.class)
                    .thenApply(f -> verified(key, f, found.holder(), found.hops()))
                    .thenCompose(f -> f.block() instanceof SignedBlock
                            ? fromReplicas(key, false) : CompletableFuture.completedFuture(f))
                    .exceptionallyCompose(e -> fromReplicas(key, false));
        });
    }

    private Fetch verified(Id key, Fetched fetched, NodeRef from, int hops) {
        try {
            Block block = Block.decode(fetched.block(), config.maxDataBytes());
            block.verify(key, clock.millis(), config.maxDataBytes());
            return new Fetch(block, from, fetched.fromCache(), hops);
        } catch (DHashException bad) {
            throw new java.util.concurrent.CompletionException(bad);
        }
    }

    private CompletableFuture<Fetch> fromReplicas(Id key, boolean expiredToo) {
        return lookup.apply(key).thenCompose(found -> fromReplicas(key, found, expiredToo));
    }

    private CompletableFuture<Fetch> fromReplicas(Id key, LookupResult found, boolean expiredToo) {
        List<NodeRef> order = byRoundTrip(replicaHosts(found.replicaSet(), Integer.MAX_VALUE));
        CompletableFuture<Fetch> result = new CompletableFuture<>();
        fetchFrom(key, order, 0, new ArrayList<>(), found, expiredToo, result);
        return result;
    }

    /** The time blocks are verified at: never past any expiry when expired blocks are wanted. */
    private long verifyAt(boolean expiredToo) {
        return expiredToo ? Long.MIN_VALUE : clock.millis();
    }

    private void fetchFrom(Id key, List<NodeRef> order, int index, List<DHashException> errors,
                           LookupResult found, boolean expiredToo, CompletableFuture<Fetch> result) {
        if (index == order.size()) {
            result.completeExceptionally(allFailed(key, errors, order.size()));
            return;
        }
        NodeRef node = order.get(index);
        send(node, new FetchBlock(key, expiredToo), Fetched.class).whenComplete((fetched, error) -> {
            if (error == null) {
                try {
                    Block block = Block.decode(fetched.block(), config.maxDataBytes());
                    block.verify(key, verifyAt(expiredToo), config.maxDataBytes());
                    Fetch fetch = new Fetch(block, node, fetched.fromCache(), found.hops());
                    if (block instanceof SignedBlock signed) {
                        newestSigned(key, signed, fetch, found, expiredToo).whenComplete((newest, e) -> result.complete(newest));
                    } else {
                        result.complete(fetch);
                    }
                    if (holderLookup != null) {
                        offerToPath(key, fetched.block(), found, order);
                    }
                    return;
                } catch (DHashException bad) {
                    if (bad.kind() != DHashException.Kind.EXPIRED) {
                        distrustedUntil.put(node.endpoint(), scheduler.nanoTime() + DISTRUST.toNanos());
                        distrust.accept(node);
                        send(node, new ReportBad(key), Ack.class);
                    }
                    errors.add(new DHashException(bad.kind(), "node " + node + " served a bad copy: " + bad.getMessage()));
                }
            } else {
                errors.add(asDHash(error, node));
            }
            fetchFrom(key, order, index + 1, errors, found, expiredToo, result);
        });
    }

    /**
     * A signed block may differ between replicas while an update spreads: ask the other replica
     * hosts too, return the highest sequence, and give it to any replica that is behind, so a
     * reader never goes backwards while a newer version is held anywhere it can reach.
     */
    private CompletableFuture<Fetch> newestSigned(Id key, SignedBlock first, Fetch firstFetch, LookupResult found,
                                                  boolean expiredToo) {
        List<NodeRef> others = new ArrayList<>(replicaHosts(found.replicaSet(), config.replicas()));
        others.remove(firstFetch.servedBy());
        List<CompletableFuture<SignedBlock>> copies = new ArrayList<>();
        for (NodeRef n : others) {
            copies.add(send(n, new FetchBlock(key, expiredToo), Fetched.class).handle((f, e) -> {
                if (e != null) {
                    return null;
                }
                try {
                    Block b = Block.decode(f.block(), config.maxDataBytes());
                    b.verify(key, verifyAt(expiredToo), config.maxDataBytes());
                    return b instanceof SignedBlock s ? s : null;
                } catch (DHashException bad) {
                    return null;
                }
            }));
        }
        return CompletableFuture.allOf(copies.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            SignedBlock newest = first;
            NodeRef newestFrom = firstFetch.servedBy();
            for (int i = 0; i < others.size(); i++) {
                SignedBlock s = copies.get(i).join();
                if (s != null && s.seq() > newest.seq()) {
                    newest = s;
                    newestFrom = others.get(i);
                }
            }
            byte[] bytes = newest.encode();
            List<NodeRef> holders = new ArrayList<>(others);
            holders.add(firstFetch.servedBy());
            List<SignedBlock> seen = new ArrayList<>(copies.stream().map(CompletableFuture::join).toList());
            seen.add(first);
            for (int i = 0; i < holders.size(); i++) {
                SignedBlock s = seen.get(i);
                if (s == null || s.seq() < newest.seq()) {
                    send(holders.get(i), new StoreBlock(key, bytes, true), Ack.class);
                }
            }
            return newest == first ? firstFetch : new Fetch(newest, newestFrom, false, firstFetch.hops());
        });
    }

    /** CFS path caching: the nodes the lookup passed last are where later lookups converge. */
    private void offerToPath(Id key, byte[] bytes, LookupResult found, List<NodeRef> holders) {
        List<NodeRef> path = found.path();
        int offered = 0;
        for (int i = path.size() - 1; i >= 0 && offered < CACHE_OFFERS; i--) {
            NodeRef n = path.get(i);
            if (!holders.contains(n) && !n.equals(found.owner())) {
                send(n, new CacheOffer(key, bytes), Ack.class);
                offered++;
            }
        }
    }

    CompletableFuture<BlockStat> stat(Id key) {
        return lookup.apply(key).thenCompose(found -> {
            List<NodeRef> replicas = replicaHosts(found.replicaSet(), config.replicas());
            Set<NodeRef> asked = new LinkedHashSet<>(replicas);
            asked.addAll(found.path());
            List<NodeRef> nodes = new ArrayList<>(asked);
            List<CompletableFuture<BlockStat.Holder>> answers = new ArrayList<>();
            for (NodeRef n : nodes) {
                boolean replica = replicas.contains(n);
                answers.add(send(n, new Probe(key, false), Probed.class).handle((p, e) -> e == null
                        ? new BlockStat.Holder(n, replica, p.stored(), p.cached(), null)
                        : new BlockStat.Holder(n, replica, false, false, asDHash(e, n).getMessage())));
            }
            return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                    .thenApply(ignored -> new BlockStat(key, answers.stream().map(CompletableFuture::join).toList()));
        });
    }

    /** The first vnode of each distinct host, in ring order, at most {@code k}: vnodes of one host count once. */
    static List<NodeRef> replicaHosts(List<NodeRef> replicaSet, int k) {
        List<NodeRef> out = new ArrayList<>();
        Set<Endpoint> hosts = new java.util.HashSet<>();
        for (NodeRef n : replicaSet) {
            if (out.size() == k) {
                break;
            }
            if (hosts.add(n.endpoint())) {
                out.add(n);
            }
        }
        return out;
    }

    /**
     * The first k by measured round-trip time (unmeasured last, in ring order), then the rest in ring
     * order; hosts that recently served a bad copy after all of them.
     */
    private List<NodeRef> byRoundTrip(List<NodeRef> hosts) {
        long now = scheduler.nanoTime();
        distrustedUntil.values().removeIf(until -> until - now <= 0);
        List<NodeRef> trusted = new ArrayList<>(hosts.size());
        List<NodeRef> distrusted = new ArrayList<>();
        for (NodeRef n : hosts) {
            (distrustedUntil.containsKey(n.endpoint()) ? distrusted : trusted).add(n);
        }
        int k = Math.min(config.replicas(), trusted.size());
        List<NodeRef> first = new ArrayList<>(trusted.subList(0, k));
        first.sort(Comparator.comparingLong(n -> {
            long rtt = roundTrips.nanos(n.endpoint());
            return rtt < 0 ? Long.MAX_VALUE : rtt;
        }));
        first.addAll(trusted.subList(k, trusted.size()));
        first.addAll(distrusted);
        return first;
    }

    /** Sends a request, and feeds the round-trip time of every answered one into the host's average. */
    private <R extends Message> CompletableFuture<R> send(NodeRef to, Message request, Class<R> replyType) {
        long start = scheduler.nanoTime();
        return Exchange.send(transport, to, request, replyType, config.requestTimeout()).whenComplete((reply, e) -> {
            if (reply != null) {
                roundTrips.record(to.endpoint(), Math.max(0, scheduler.nanoTime() - start));
            }
        });
    }

    /** A failed request as a typed DHash error: the peer's own refusal, or UNAVAILABLE. */
    static DHashException asDHash(Throwable error, NodeRef node) {
        TransportException te = TransportException.unwrap(error);
        if (te != null && te.reason() == TransportException.Reason.REMOTE) {
            int code = te.remote().code() - DHashMessages.ERROR_BASE;
            if (code > 0) {
                try {
                    return new DHashException(DHashException.Kind.fromCode(code), te.remote().getMessage());
                } catch (IllegalArgumentException unknownToThisVersion) {
                    return new DHashException(DHashException.Kind.UNAVAILABLE, "node " + node
                            + " refused with unknown code " + te.remote().code() + ": " + te.remote().getMessage());
                }
            }
        }
        Throwable cause = te != null ? te : error;
        if (cause instanceof DHashException d) {
            return d;
        }
        return new DHashException(DHashException.Kind.UNAVAILABLE, "node " + node + ": " + cause.getMessage());
    }

    /** A put that reached too few replicas: a refusal the writer can act on beats "unavailable". */
    private static DHashException mostTelling(List<DHashException> refusals, Id key, int acknowledged) {
        for (DHashException e : refusals) {
            if (e.kind() != DHashException.Kind.UNAVAILABLE && e.kind() != DHashException.Kind.IO) {
                return e;
            }
        }
        return new DHashException(DHashException.Kind.UNAVAILABLE, "block " + key + " reached only "
                + acknowledged + " replica(s)" + (refusals.isEmpty() ? "" : "; " + refusals.get(0).getMessage()));
    }

    private static DHashException allFailed(Id key, List<DHashException> errors, int tried) {
        if (!errors.isEmpty() && errors.stream().allMatch(e -> e.kind() == DHashException.Kind.NOT_FOUND)) {
            return new DHashException(DHashException.Kind.NOT_FOUND, "block " + key + " is held by none of the "
                    + tried + " replica hosts");
        }
        // Hosts past the replicas rightly say "not found"; what the others said is the story.
        List<DHashException> telling = errors.stream().filter(e -> e.kind() != DHashException.Kind.NOT_FOUND).toList();
        DHashException.Kind only = telling.isEmpty() ? null : telling.get(0).kind();
        if (only != null && only != DHashException.Kind.UNAVAILABLE && telling.stream().allMatch(e -> e.kind() == only)) {
            return new DHashException(only, "no good copy of block " + key + " on " + tried + " hosts; "
                    + telling.get(0).getMessage());
        }
        StringBuilder why = new StringBuilder("block " + key + " could not be read from any of " + tried + " hosts");
        errors.stream().limit(3).forEach(e -> why.append("; ").append(e.getMessage()));
        return new DHashException(DHashException.Kind.UNAVAILABLE, why.toString());
    }
}
