package org.cfs.chord;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.wire.ChordMessages.Ack;
import org.cfs.chord.wire.ChordMessages.Ping;

/**
 * Proximity neighbour selection (PNS, as in DHash++ and Pastry): finger i of a vnode at n may be
 * any node in {@code [n + 2^i, n + 2^(i+1))}, not only the first, and the one with the least
 * measured round trip is taken. Lookups then cover their first hops, where the intervals hold many
 * nodes, over short links, and only the last few hops, where the intervals are narrow, over long ones.
 *
 * <p>The candidates are the first {@link ChordConfig#fingerCandidates} nodes of the finger start's
 * replica set (its owner, then the owner's successors) that lie in the interval, so the rule of
 * Chord's proof holds, each hop at least halving the distance a finger covers, and so does secure
 * routing's: the set comes from the lookup for the start (tested against this node's id density
 * when secure routing is on) and is fixed by the ring, not picked by anyone; the round trip only
 * chooses within it. Round trips are this host's {@link RoundTrips}; a candidate not yet measured
 * is pinged first, and one that does not answer is passed over.
 */
final class ProximityFingers {
    private final NodeRef self;
    private final Rpc rpc;
    private final int candidates;

    ProximityFingers(NodeRef self, Rpc rpc, int candidates) {
        this.self = self;
        this.rpc = rpc;
        this.candidates = candidates;
    }

    /** Finger {@code i}'s node among those {@code found} names, {@code fingers} giving the interval. */
    CompletableFuture<NodeRef> choose(FingerTable fingers, int i, LookupResult found) {
        Id end = i + 1 < Id.BITS ? fingers.start(i + 1) : self.id();
        List<NodeRef> eligible = eligible(fingers.start(i), end, found.replicaSet(), candidates);
        if (eligible.size() == 1) {
            return CompletableFuture.completedFuture(eligible.get(0));
        }
        RoundTrips roundTrips = rpc.roundTrips();
        Set<NodeRef> silent = new HashSet<>();
        List<CompletableFuture<?>> probes = new ArrayList<>();
        for (NodeRef n : eligible) {
            if (roundTrips.nanos(n.endpoint()) < 0) {
                probes.add(rpc.call(n, new Ping(n.vnode()), Ack.class).whenComplete((ack, error) -> {
                    if (error != null) {
                        silent.add(n);
                    }
                }));
            }
        }
        return CompletableFuture.allOf(probes.toArray(CompletableFuture[]::new))
                .handle((ok, error) -> nearest(eligible, silent, roundTrips));
    }

    /**
     * The first node of {@code replicaSet} (the owner of {@code start}, always eligible: it is plain
     * Chord's finger) and those of the following that lie in {@code [start, end)}, at most {@code max}.
     */
    static List<NodeRef> eligible(Id start, Id end, List<NodeRef> replicaSet, int max) {
        List<NodeRef> out = new ArrayList<>(Math.min(max, replicaSet.size()));
        for (NodeRef n : replicaSet) {
            if (out.size() == max) {
                break;
            }
            boolean inside = n.id().equals(start) || n.id().inOpen(start, end);
            if (!out.isEmpty() && !inside) {
                break;
            }
            if (!out.contains(n)) {
                out.add(n);
            }
        }
        return out;
    }

    /** The node of {@code eligible} with the least known round trip, earlier ones winning ties; else the first. */
    static NodeRef nearest(List<NodeRef> eligible, Set<NodeRef> silent, RoundTrips roundTrips) {
        NodeRef best = null;
        long bestNanos = Long.MAX_VALUE;
        for (NodeRef n : eligible) {
            long rtt = roundTrips.nanos(n.endpoint());
            if (rtt >= 0 && rtt < bestNanos && !silent.contains(n)) {
                best = n;
                bestNanos = rtt;
            }
        }
        return best != null ? best : eligible.get(0);
    }
}
