package org.cfs.cluster.lab;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.cfs.cluster.LookupBatch;
import org.cfs.cluster.sim.SimRing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** How big a simulated ring one JVM holds: grow N nodes, stabilize, and record heap and wall time. */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = "Grow a simulated ring of N nodes until every pointer matches the oracle; "
                + "heap used, wall and virtual time.")
final class ScaleExperiment implements Callable<Integer> {
    /** Virtual time between waves of joins, as {@link Experiments#stableRing} gives them. */
    private static final Duration WAVE_PAUSE = Duration.ofSeconds(5);

    @Option(names = "--nodes", defaultValue = "10000", description = "Ring size N (default ${DEFAULT-VALUE}).")
    int nodes;

    @Mixin
    Experiments.Common common;

    /**
     * Hosts joined of N on stderr, so stdout stays the report: a bar redrawn in place on a
     * terminal, otherwise a line every half minute (a run at 10^5 nodes takes half an hour).
     */
    private ProgressBar progress() {
        ProgressBarBuilder bar = new ProgressBarBuilder().setTaskName("scale").setInitialMax(nodes)
                .setStyle(ProgressBarStyle.ASCII).setUnit(" hosts", 1);
        if (System.console() == null) {
            bar.setConsumer(new DelegatingProgressBarConsumer(System.err::println)).setUpdateIntervalMillis(30_000);
        } else {
            bar.setConsumer(new ConsoleProgressBarConsumer(System.err));
        }
        return bar.build();
    }

    @Override
    public Integer call() {
        if (nodes < 1 || common.lookups < 1) {
            throw new IllegalArgumentException("--nodes and --lookups must be at least 1");
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long wall = System.nanoTime();
        long cpu = threads.getCurrentThreadCpuTime();
        SimRing ring = new SimRing(common.seed, SimRing.simConfig(16));
        // Every wave a quarter of the ring it joins, the most growInWaves allows, rather than
        // stableRing's N/16 a wave once past N/4: the same stable ring in less virtual time and
        // fewer events (docs/BENCHMARKS.md, "Simulator scale").
        try (ProgressBar joined = progress()) {
            ring.growInWaves(nodes, nodes, WAVE_PAUSE, joined::stepTo);
            joined.setExtraMessage(" joined; stabilizing");
            Experiments.requireStable(ring);
        }
        double stableSeconds = (System.nanoTime() - wall) / 1e9;
        // The simulation runs on this one thread: its CPU time is the wall time of an idle machine.
        double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpu) / 1e9;
        Duration virtual = ring.now();
        long eventsToStable = ring.clock().executed();
        LookupBatch batch = ring.lookups(common.lookups);
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        new Report("scale")
                .put("nodes", nodes)
                .put("seed", common.seed)
                .put("virtual_seconds_to_stable", virtual.toMillis() / 1000.0)
                .put("wall_seconds_to_stable", stableSeconds)
                .put("cpu_seconds_to_stable", cpuSeconds)
                .put("events_to_stable", eventsToStable)
                .put("events", ring.clock().executed())
                .put("heap_used_mib_after_gc", heap / (1024.0 * 1024.0))
                .put("heap_per_node_kib", heap / 1024.0 / nodes)
                .put("max_heap_mib", Runtime.getRuntime().maxMemory() / (1024.0 * 1024.0))
                .put("lookups", batch.count())
                .put("lookups_correct", batch.correct())
                .put("mean_hops", batch.meanHops())
                .print(System.out, common.json);
        return batch.correct() == batch.count() ? 0 : 1;
    }
}
