package org.cfs.cluster.lab;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.cfs.chord.ChordConfig;
import org.cfs.cluster.LookupBatch;
import org.cfs.cluster.sim.SimRing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The experiment of the Chord papers: a stabilized ring, a fraction of it fails at once, then a
 * batch of simultaneous lookups right away and another after one stabilization period.
 */
@Command(name = "failures", mixinStandardHelpOptions = true,
        description = "N nodes stabilized, fraction F fails at once, L lookups at once and after one "
                + "stabilization period: fraction reaching the correct live owner, hops, timeouts.")
final class FailuresExperiment implements Callable<Integer> {
    @Option(names = "--nodes", required = true, description = "Ring size N.")
    int nodes;

    @Option(names = "--fail", required = true, description = "Fraction of nodes that fail at once, in [0, 1).")
    double fail;

    @Option(names = "--succ", defaultValue = "16", description = "Successor list length r (default ${DEFAULT-VALUE}).")
    int successors;

    @Mixin
    Experiments.Common common;

    @Override
    public Integer call() {
        if (fail < 0 || fail >= 1) {
            throw new IllegalArgumentException("--fail is " + fail + ", must be in [0, 1)");
        }
        long wall = System.nanoTime();
        ChordConfig config = SimRing.simConfig(successors);
        SimRing ring = Experiments.stableRing(nodes, common.seed, config, Duration.ofSeconds(60));
        int failed = ring.crashFraction(fail);
        LookupBatch atOnce = ring.lookups(common.lookups);
        ring.advance(config.stabilizeInterval());
        LookupBatch after = ring.lookups(common.lookups);
        new Report("failures")
                .put("nodes", nodes)
                .put("failed_nodes", failed)
                .put("fail_fraction", fail)
                .put("successors", successors)
                .put("lookups", common.lookups)
                .put("seed", common.seed)
                .put("at_once_terminated", atOnce.count())
                .put("at_once_correct_fraction", atOnce.correctFraction())
                .put("at_once_failed", atOnce.failed())
                .put("at_once_mean_hops", atOnce.meanHops())
                .put("at_once_mean_timeouts", atOnce.meanTimeouts())
                .put("stabilization_period_ms", config.stabilizeInterval().toMillis())
                .put("after_correct_fraction", after.correctFraction())
                .put("after_failed", after.failed())
                .put("after_mean_hops", after.meanHops())
                .put("after_mean_timeouts", after.meanTimeouts())
                .put("wall_seconds", (System.nanoTime() - wall) / 1e9)
                .print(System.out, common.json);
        return 0;
    }
}
