package org.cfs.cluster.lab;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.ChordHost;
import org.cfs.cluster.sim.RingPartition;
import org.cfs.cluster.sim.SimRing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A stabilized ring is cut in two at random; once each side has become a ring of its own and the
 * cut has lasted a while, it heals, and the time until every pointer matches the whole ring's
 * oracle is measured, in virtual time and in stabilization periods. The merge checks' requests
 * are counted per node per minute on the healthy ring and during the cut, beside all requests.
 */
@Command(name = "partition", mixinStandardHelpOptions = true,
        description = "N nodes stabilized, cut in two until each side is a ring, healed: time until one ring "
                + "again, and the merge checks' requests per node per minute.")
final class PartitionExperiment implements Callable<Integer> {
    @Option(names = "--nodes", required = true, description = "Ring size N.")
    int nodes;

    @Option(names = "--side", defaultValue = "0.5", description = "Fraction of hosts on one side of the cut (default ${DEFAULT-VALUE}).")
    double side;

    @Option(names = "--succ", defaultValue = "16", description = "Successor list length r (default ${DEFAULT-VALUE}).")
    int successors;

    @Option(names = "--cut-for", defaultValue = "300", description = "Seconds the cut lasts once both sides are rings (default ${DEFAULT-VALUE}).")
    int cutSeconds;

    @Option(names = "--merge-interval", description = "Merge check period in ms (default: ChordConfig's).")
    Long mergeMillis;

    @Option(names = "--bound", defaultValue = "1800", description = "Seconds to wait for one ring after the heal (default ${DEFAULT-VALUE}).")
    int boundSeconds;

    @Mixin
    Experiments.Common common;

    private static final Duration STEP = Duration.ofSeconds(1);
    private static final Duration HEALTHY_WINDOW = Duration.ofMinutes(5);

    @Override
    public Integer call() {
        if (cutSeconds < 0 || boundSeconds < 1) {
            throw new IllegalArgumentException("--cut-for must be >= 0 and --bound >= 1, got " + cutSeconds + " and " + boundSeconds);
        }
        long wall = System.nanoTime();
        ChordConfig config = SimRing.simConfig(successors);
        if (mergeMillis != null) {
            config = config.withMergeInterval(Duration.ofMillis(mergeMillis));
        }
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        SimRing ring = new SimRing(common.seed, config);
        ring.meterRegistry(meters);
        ring.growInWaves(nodes, Math.max(1, nodes / 16), Duration.ofSeconds(5));
        Experiments.requireStable(ring);
        ring.advance(Duration.ofMinutes(2));
        AtomicLong requests = new AtomicLong();
        for (ChordHost h : ring.hosts()) {
            ring.network().interpose(h.endpoint(), handler -> (from, request) -> {
                requests.incrementAndGet();
                return handler.handle(from, request);
            });
        }

        Window healthy = new Window(ring, meters, requests);
        ring.advance(HEALTHY_WINDOW);
        healthy.close();
        int healthyMismatches = ring.mismatches().count();

        RingPartition partition = RingPartition.random(ring, side, common.seed);
        partition.cut();
        Window cut = new Window(ring, meters, requests);
        // A small side may never become a ring of its own (a vnode keeps no successor on its side
        // with probability (1 - F)^r); the cut still heals, and the report says so.
        Optional<Duration> split = partition.awaitSplit(Duration.ofMinutes(30), STEP);
        int unsplit = split.isPresent() ? 0 : partition.splitMismatches();
        ring.advance(Duration.ofSeconds(cutSeconds));
        cut.close();

        double adoptedBefore = adopted(meters);
        partition.heal();
        Window merging = new Window(ring, meters, requests);
        var merged = ring.stabilize(Duration.ofSeconds(boundSeconds), STEP);
        merging.close();
        double period = config.stabilizeInterval().toNanos() / 1e9;
        new Report("partition")
                .put("nodes", nodes)
                .put("side_hosts", partition.side().size())
                .put("other_hosts", partition.rest().size())
                .put("successors", successors)
                .put("seed", common.seed)
                .put("stabilization_period_ms", config.stabilizeInterval().toMillis())
                .put("merge_interval_ms", config.mergeInterval().toMillis())
                .put("healthy_mismatches", healthyMismatches)
                .put("healthy_merge_adopted", healthy.adopted)
                .put("healthy_merge_requests_per_node_minute", healthy.mergeRequestsPerNodeMinute(nodes))
                .put("healthy_requests_per_node_minute", healthy.requestsPerNodeMinute(nodes))
                .put("split", split.isPresent())
                .put("split_seconds", split.map(d -> d.toMillis() / 1e3).orElse(Double.NaN))
                .put("unsplit_vnodes", unsplit)
                .put("cut_seconds", cut.span().toMillis() / 1e3)
                .put("cut_merge_requests_per_node_minute", cut.mergeRequestsPerNodeMinute(nodes))
                .put("merged", merged.isPresent())
                .put("merge_seconds", merged.map(d -> d.toMillis() / 1e3).orElse(Double.NaN))
                .put("merge_periods", merged.map(d -> d.toNanos() / 1e9 / period).orElse(Double.NaN))
                .put("merge_adopted", adopted(meters) - adoptedBefore)
                .put("merging_merge_requests_per_node_minute", merging.mergeRequestsPerNodeMinute(nodes))
                .put("wall_seconds", (System.nanoTime() - wall) / 1e9)
                .print(System.out, common.json);
        return merged.isPresent() && healthyMismatches == 0 && healthy.adopted == 0 ? 0 : 1;
    }

    private static double adopted(SimpleMeterRegistry meters) {
        return meters.counter("cfs.ring.merge.adopted").count();
    }

    /** Counts over a span of virtual time: merge requests and adoptions, and every request delivered. */
    private static final class Window {
        private final SimRing ring;
        private final SimpleMeterRegistry meters;
        private final AtomicLong requests;
        private final Duration start;
        private final double mergeRequestsAtStart;
        private final double adoptedAtStart;
        private final long requestsAtStart;
        private Duration span;
        private double mergeRequests;
        private long allRequests;
        private double adopted;

        Window(SimRing ring, SimpleMeterRegistry meters, AtomicLong requests) {
            this.ring = ring;
            this.meters = meters;
            this.requests = requests;
            this.start = ring.now();
            this.mergeRequestsAtStart = meters.counter("cfs.ring.merge.requests").count();
            this.adoptedAtStart = adopted(meters);
            this.requestsAtStart = requests.get();
        }

        void close() {
            span = ring.now().minus(start);
            mergeRequests = meters.counter("cfs.ring.merge.requests").count() - mergeRequestsAtStart;
            adopted = adopted(meters) - adoptedAtStart;
            allRequests = requests.get() - requestsAtStart;
        }

        Duration span() {
            return span;
        }

        double mergeRequestsPerNodeMinute(int nodes) {
            return mergeRequests / nodes / minutes();
        }

        double requestsPerNodeMinute(int nodes) {
            return allRequests / (double) nodes / minutes();
        }

        private double minutes() {
            return span.toNanos() / 60e9;
        }
    }
}
