package org.cfs.chord;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;

/**
 * A lookup whose answer the asker can check (Castro et al., "Secure routing for structured
 * peer-to-peer overlay networks", OSDI 2002): the replica set that comes back must be about as
 * dense as the asker's own successor list ({@link IdDensity}), and the walk back along its owner's
 * predecessors must not have run out ({@link Lookup#disputed}). One that fails either is retried
 * over other routes, each starting at a different first hop and avoiding the nodes whose answers
 * were suspect or named the suspect owner, until an answer passes or {@link #RETRIES} routes were
 * tried; the answers are then combined, nearest the key first, so that one honest answer is enough.
 */
final class SecureLookup {
    /** Other routes tried after a suspect answer. */
    static final int RETRIES = 4;

    private final Id key;
    private final Rpc rpc;
    private final ChordConfig config;
    private final Lookup.Origin origin;
    private final long startNanos;
    private final List<LookupResult> answers = new ArrayList<>();
    private final Set<Id> avoid = new HashSet<>();
    private final Set<Id> dead = new HashSet<>();
    private final Set<NodeRef> firstHops = new LinkedHashSet<>();
    private final CompletableFuture<LookupResult> result = new CompletableFuture<>();
    /** The asker's own density (a client's: its seed's), which every route starts from. */
    private IdDensity own;
    /** What the last route tested answers against, and so the final answer too. */
    private IdDensity reference;
    private int retries;
    /** Hops and timeouts of routes that ended in failure: messages spent all the same. */
    private int failedHops;
    private int failedTimeouts;

    private SecureLookup(Id key, Rpc rpc, ChordConfig config, Lookup.Origin origin) {
        this.key = key;
        this.rpc = rpc;
        this.config = config;
        this.origin = origin;
        this.startNanos = rpc.scheduler().nanoTime();
    }

    /** Starts on the scheduler's thread, where this node's tables are read. */
    static CompletableFuture<LookupResult> fromNode(Id key, Rpc rpc, ChordConfig config, Lookup.Origin origin,
                                                    boolean stopAtHolder) {
        SecureLookup secure = new SecureLookup(key, rpc, config, origin);
        try {
            rpc.scheduler().execute(() -> {
                var neighbours = origin.localNeighbours();
                secure.own = IdDensity.of(origin.self().id(), neighbours.successors());
                secure.firstHops.addAll(origin.localStep(key).closer());
                secure.firstHops.addAll(neighbours.successors());
                secure.run(Lookup.attemptLocal(key, rpc, config, origin, stopAtHolder, secure.own));
            });
        } catch (RejectedExecutionException e) {
            secure.result.completeExceptionally(
                    new LookupException("lookup of " + key + " refused: the host is closed", 0, 0));
        }
        return secure.result;
    }

    static CompletableFuture<LookupResult> fromSeeds(Id key, Rpc rpc, ChordConfig config, List<NodeRef> seeds,
                                                     Lookup.Origin origin) {
        SecureLookup secure = new SecureLookup(key, rpc, config, origin);
        secure.firstHops.addAll(seeds);
        secure.run(Lookup.attempt(key, rpc, config, seeds, origin, Set.of(), null));
        return secure.result;
    }

    private void run(Lookup attempt) {
        attempt.result().whenComplete((found, error) -> {
            if (own == null) {
                own = attempt.own();
            }
            reference = attempt.reference();
            avoid.addAll(attempt.distrusted());
            dead.addAll(attempt.dead());
            if (error != null && unwrap(error) instanceof LookupException le) {
                failedHops += le.hops();
                failedTimeouts += le.timeouts();
            }
            if (error == null) {
                if (found.holder() != null) {
                    result.complete(found);
                    return;
                }
                answers.add(found);
                firstHops.addAll(found.path());
                if (!attempt.disputed() && (reference == null || reference.admits(key, found.replicaSet()))) {
                    finish();
                    return;
                }
                avoid.add(found.owner().id());
            }
            retry(error);
        });
    }

    /** Tries the next first hop not yet distrusted; with none left, or enough tries, settles. */
    private void retry(Throwable lastError) {
        NodeRef self = origin == null ? null : origin.self();
        NodeRef from = null;
        for (NodeRef n : firstHops) {
            if (!avoid.contains(n.id()) && !dead.contains(n.id()) && !n.equals(self)) {
                from = n;
                break;
            }
        }
        if (from == null || retries == RETRIES) {
            if (answers.isEmpty()) {
                result.completeExceptionally(lastError != null ? unwrap(lastError)
                        : new LookupException("lookup of " + key + " found no route to try", 0, 0));
            } else {
                finish();
            }
            return;
        }
        retries++;
        firstHops.remove(from);
        Set<Id> skip = new HashSet<>(avoid);
        skip.addAll(dead);
        run(Lookup.attempt(key, rpc, config, List.of(from), origin, skip, own));
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** The answers combined; hops and timeouts summed over every route tried. */
    private void finish() {
        LookupResult first = answers.get(0);
        List<NodeRef> replicas;
        if (answers.size() == 1) {
            replicas = first.replicaSet();
        } else {
            replicas = IdDensity.combine(key, answers.stream().map(LookupResult::replicaSet).toList(), dead,
                    config.successors() + 1);
        }
        if (replicas.isEmpty()) {
            replicas = first.replicaSet();
        }
        int hops = failedHops;
        int timeouts = failedTimeouts;
        for (LookupResult a : answers) {
            hops += a.hops();
            timeouts += a.timeouts();
        }
        Duration elapsed = Duration.ofNanos(rpc.scheduler().nanoTime() - startNanos);
        result.complete(new LookupResult(key, replicas.get(0), replicas, hops, timeouts, elapsed, first.path(), null));
    }
}
