package org.cfs.cluster.lab;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.cfs.cluster.LookupBatch;
import org.cfs.cluster.sim.SimRing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Path length: a stabilized simulated ring of N nodes, hops over many random lookups. */
@Command(name = "paths", mixinStandardHelpOptions = true,
        description = "Simulated ring of N nodes, stabilized; hops of random lookups beside 0.5*log2(N).")
final class PathsExperiment implements Callable<Integer> {
    @Option(names = "--nodes", required = true, description = "Ring size N.")
    int nodes;

    @Option(names = "--secure-routing", defaultValue = "true", arity = "1",
            description = "Test every answer's id density and retry suspect results over other routes, "
                    + "as nodes do by default (default ${DEFAULT-VALUE}).")
    boolean secureRouting;

    @Mixin
    Experiments.Common common;

    @Override
    public Integer call() {
        long wall = System.nanoTime();
        // Fingers are refreshed one distinct entry per round: a minute settles them after the ring.
        SimRing ring = Experiments.stableRing(nodes, common.seed,
                SimRing.simConfig(16).withSecureRouting(secureRouting), Duration.ofSeconds(60));
        LookupBatch batch = ring.lookups(common.lookups);
        double expected = 0.5 * Math.log(nodes) / Math.log(2);
        new Report("paths")
                .put("nodes", nodes)
                .put("seed", common.seed)
                .put("secure_routing", secureRouting)
                .put("lookups", batch.count())
                .put("correct", batch.correct())
                .put("mean_hops", batch.meanHops())
                .put("half_log2_n", expected)
                .put("ratio", batch.meanHops() / expected)
                .put("p1_hops", batch.hopsPercentile(1))
                .put("p50_hops", batch.hopsPercentile(50))
                .put("p99_hops", batch.hopsPercentile(99))
                .put("max_hops", batch.hopsPercentile(100))
                .put("wall_seconds", (System.nanoTime() - wall) / 1e9)
                .print(System.out, common.json);
        return batch.correct() == batch.count() ? 0 : 1;
    }
}
