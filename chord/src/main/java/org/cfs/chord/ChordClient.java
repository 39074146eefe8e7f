package org.cfs.chord;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.cfs.chord.wire.ChordMessages.GetNeighbours;
import org.cfs.chord.wire.ChordMessages.Neighbours;

/**
 * Talks to a ring without being part of it: iterative lookups through a known host, and walks
 * of the successor pointers (what {@code cfs ring} prints).
 */
public final class ChordClient {
    private final Rpc rpc;
    private final ChordConfig config;

    public ChordClient(Transport transport, Scheduler scheduler, ChordConfig config) {
        this(transport, scheduler, config, ChordMetrics.DISCARDING);
    }

    /** A client whose lookups are counted and timed in {@code registry} ({@code cfs.lookup*}). */
    public ChordClient(Transport transport, Scheduler scheduler, ChordConfig config, MeterRegistry registry) {
        this.rpc = new Rpc(transport, scheduler, config.requestTimeout(), ChordMetrics.of(registry), new RoundTrips());
        this.config = config;
    }

    /** The round trips this client measured to the nodes it asked. */
    public RoundTrips roundTrips() {
        return rpc.roundTrips();
    }

    /** Looks {@code key} up starting at vnode 0 of the host at {@code via}. */
    public CompletableFuture<LookupResult> lookup(Id key, Endpoint via) {
        return Lookup.fromSeeds(key, rpc, config, List.of(NodeRef.of(via, 0)), null);
    }

    /** A vnode's own view of its neighbourhood. */
    /** As {@link ChordNode#distrust}: this client's secure lookups take {@code node}'s answers last for a while. */
    public void distrust(NodeRef node) {
        rpc.suspects().mark(node.id());
    }

    public CompletableFuture<Neighbours> neighbours(NodeRef node) {
        return rpc.call(node, new GetNeighbours(node.vnode()), Neighbours.class);
    }

    /** The successor pointers from vnode 0 at {@code via}, followed until they come back round. */
    public record RingWalk(List<NodeRef> nodes, boolean closed, String problem) {
        public RingWalk {
            nodes = List.copyOf(nodes);
        }
    }

    /**
     * Follows first successors from vnode 0 at {@code via} for at most {@code maxSteps} nodes. The
     * ring is closed when the walk returns to its start having visited each vnode once, in
     * increasing id order but for one wrap.
     */
    public CompletableFuture<RingWalk> walk(Endpoint via, int maxSteps) {
        NodeRef start = NodeRef.of(via, 0);
        CompletableFuture<RingWalk> done = new CompletableFuture<>();
        try {
            rpc.scheduler().execute(() -> step(start, start, new ArrayList<>(), new HashSet<>(), maxSteps, done));
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(new IllegalStateException("the client's scheduler is closed", e));
        }
        return done;
    }

    private void step(NodeRef start, NodeRef at, List<NodeRef> seen, Set<NodeRef> visited, int left,
                      CompletableFuture<RingWalk> done) {
        if (left == 0) {
            done.complete(new RingWalk(seen, false, "walk stopped after " + seen.size() + " nodes"));
            return;
        }
        neighbours(at).whenComplete((nb, error) -> {
            if (error != null) {
                done.complete(new RingWalk(seen, false, "node " + at + " did not answer: "
                        + rootMessage(error)));
                return;
            }
            seen.add(at);
            visited.add(at);
            if (nb.successors().isEmpty()) {
                boolean alone = at.equals(start);
                done.complete(new RingWalk(seen, alone, alone ? null : "node " + at + " has no successor"));
                return;
            }
            NodeRef next = nb.successors().get(0);
            if (next.equals(start)) {
                done.complete(new RingWalk(seen, wrapsOnce(seen), wrapsOnce(seen) ? null
                        : "successor pointers are not in id order"));
            } else if (visited.contains(next)) {
                done.complete(new RingWalk(seen, false, "walk looped back to " + next + " before reaching the start"));
            } else {
                step(start, next, seen, visited, left - 1, done);
            }
        });
    }

    private static boolean wrapsOnce(List<NodeRef> walk) {
        int descents = 0;
        for (int i = 0; i < walk.size(); i++) {
            Id a = walk.get(i).id();
            Id b = walk.get((i + 1) % walk.size()).id();
            if (b.compareTo(a) < 0) {
                descents++;
            }
        }
        return descents <= 1;
    }

    private static String rootMessage(Throwable t) {
        TransportException te = TransportException.unwrap(t);
        return te != null ? te.reason() + " (" + te.getMessage() + ")" : String.valueOf(t);
    }
}
