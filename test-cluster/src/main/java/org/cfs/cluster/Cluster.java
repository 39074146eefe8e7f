package org.cfs.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;
import org.cfs.chord.ChordHost;
import org.cfs.chord.ChordNode;
import org.cfs.chord.Id;
import org.cfs.chord.LookupException;
import org.cfs.chord.LookupResult;
import org.cfs.chord.NodeRef;

/**
 * A ring of hosts that a test or experiment drives, whatever carries it: the simulator on virtual
 * time or Netty on loopback. Scenarios are written once against this and run on both.
 */
public interface Cluster extends AutoCloseable {

    /** Starts a host of {@code vnodes} vnodes, joining through a running host, and waits until it joined. */
    ChordHost addHost(int vnodes);

    /** The hosts that have not been crashed. */
    List<ChordHost> hosts();

    /** Stops a host abruptly: it tells nobody. */
    void crash(ChordHost host);

    /** Successor list length of the hosts. */
    int successors();

    /** Lets {@code span} of the cluster's time pass. */
    void advance(Duration span);

    /** The cluster's clock. */
    Duration now();

    /** Waits (in the cluster's time) until {@code f} completes, at most {@code bound}. */
    void awaitDone(CompletableFuture<?> f, Duration bound);

    @Override
    void close();

    /** Every vnode of the live hosts. */
    default List<ChordNode> nodes() {
        List<ChordNode> out = new ArrayList<>();
        hosts().forEach(h -> out.addAll(h.vnodes()));
        return out;
    }

    default RingOracle oracle() {
        return new RingOracle(nodes().stream().map(ChordNode::self).toList(), successors());
    }

    /** How many vnodes disagree with the oracle, with the first difference. */
    default RingOracle.Mismatch mismatches() {
        return oracle().mismatches(nodes());
    }

    /** Adds hosts one after another, each joining once the previous one has. */
    default void growSequentially(int hosts, int vnodes) {
        for (int i = 0; i < hosts; i++) {
            addHost(vnodes);
        }
    }

    /**
     * Lets time pass in steps until every pointer agrees with the oracle; the time it took, or
     * empty if it did not within {@code bound}.
     */
    default Optional<Duration> stabilize(Duration bound, Duration step) {
        Duration start = now();
        Duration deadline = start.plus(bound);
        while (now().compareTo(deadline) < 0) {
            if (mismatches().count() == 0) {
                return Optional.of(now().minus(start));
            }
            advance(step);
        }
        return mismatches().count() == 0 ? Optional.of(now().minus(start)) : Optional.empty();
    }

    /**
     * Issues {@code count} lookups at once from random vnodes for random keys, waits until all
     * finished, and compares each owner with the oracle.
     */
    default LookupBatch lookups(int count, RandomGenerator random) {
        List<ChordNode> nodes = nodes();
        RingOracle oracle = oracle();
        List<Id> keys = new ArrayList<>(count);
        List<CompletableFuture<LookupResult>> results = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] k = new byte[Id.BYTES];
            random.nextBytes(k);
            Id key = Id.fromBytes(k, 0);
            keys.add(key);
            results.add(nodes.get(random.nextInt(nodes.size())).lookup(key));
        }
        awaitDone(CompletableFuture.allOf(results.stream()
                .map(f -> f.handle((r, e) -> null)).toArray(CompletableFuture[]::new)), Duration.ofMinutes(10));
        LookupBatch batch = new LookupBatch();
        for (int i = 0; i < count; i++) {
            CompletableFuture<LookupResult> f = results.get(i);
            if (f.isCompletedExceptionally()) {
                Throwable t = f.handle((r, e) -> e).join();
                Throwable cause = t.getCause() != null ? t.getCause() : t;
                int timeouts = cause instanceof LookupException le ? le.timeouts() : 0;
                batch.failed(timeouts, cause.getMessage());
            } else {
                LookupResult r = f.join();
                NodeRef truth = oracle.owner(keys.get(i));
                batch.finished(r, truth.equals(r.owner()), "lookup of " + keys.get(i) + " returned " + r.owner()
                        + " after " + r.hops() + " hops and " + r.timeouts() + " timeouts; the owner is " + truth);
            }
        }
        return batch;
    }
}
