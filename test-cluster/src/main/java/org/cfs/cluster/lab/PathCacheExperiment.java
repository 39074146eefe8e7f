package org.cfs.cluster.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.ByteSize;
import org.cfs.cluster.sim.SimDHashRing;
import org.cfs.cluster.sim.SimRing;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHash;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.Fetch;
import org.cfs.dhash.StoreLimits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Path caching under a skewed load: B blocks, then R reads from random nodes with block
 * popularity following Zipf(s). The same seeded run is made with path caching off and on; hops
 * per read in the first and last tenth of the reads, and the share served from caches.
 */
@Command(name = "dhash-cache", mixinStandardHelpOptions = true,
        description = "Zipf-skewed reads with path caching off and on: hops per read early and late, cache hit ratio.")
final class PathCacheExperiment implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "1000", description = "Nodes (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--blocks", defaultValue = "1000", description = "Blocks (default ${DEFAULT-VALUE}).")
    int blocks;

    @Option(names = "--reads", defaultValue = "20000", description = "Reads (default ${DEFAULT-VALUE}).")
    int reads;

    @Option(names = "--zipf", defaultValue = "1.0", description = "Zipf exponent s (default ${DEFAULT-VALUE}).")
    double zipf;

    @Mixin
    Experiments.Common common;

    /** Figures of one run. */
    private record Run(double earlyHops, double lateHops, double meanHops, double cacheShare, double lateCacheShare) {
    }

    @Override
    public Integer call() {
        long wall = System.nanoTime();
        Run off = run(ByteSize.of(0));
        Run on = run(ByteSize.ofMiB(64));
        new Report("dhash-cache")
                .put("nodes", nodes)
                .put("blocks", blocks)
                .put("reads", reads)
                .put("zipf_s", zipf)
                .put("seed", common.seed)
                .put("no_cache_mean_hops", off.meanHops())
                .put("no_cache_late_hops", off.lateHops())
                .put("cache_early_hops", on.earlyHops())
                .put("cache_late_hops", on.lateHops())
                .put("cache_mean_hops", on.meanHops())
                .put("late_hops_ratio_cache_vs_none", on.lateHops() / off.lateHops())
                .put("cache_hit_share_all_reads", on.cacheShare())
                .put("cache_hit_share_late_reads", on.lateCacheShare())
                .put("wall_seconds", (System.nanoTime() - wall) / 1e9)
                .print(System.out, common.json);
        return 0;
    }

    private Run run(ByteSize cacheSize) {
        DHashConfig config = DHashConfig.defaults().withCacheSize(cacheSize)
                .withMaintenanceInterval(Duration.ofDays(1)).withRequestTimeout(Duration.ofSeconds(1));
        try (SimDHashRing ring = new SimDHashRing(common.seed, SimRing.simConfig(16), config, StoreLimits.defaults())) {
            SimRing sim = ring.ring();
            sim.growInWaves(nodes, Math.max(1, nodes / 16), Duration.ofSeconds(5));
            Experiments.requireStable(sim);
            sim.advance(Duration.ofSeconds(60));
            SplittableRandom random = new SplittableRandom(common.seed);
            List<DHash> live = ring.live();
            List<ContentBlock> stored = new ArrayList<>();
            List<CompletableFuture<?>> puts = new ArrayList<>();
            for (int i = 0; i < blocks; i++) {
                byte[] data = new byte[256];
                random.nextBytes(data);
                ContentBlock b = new ContentBlock(data);
                stored.add(b);
                puts.add(live.get(random.nextInt(live.size())).put(b));
            }
            sim.awaitDone(CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)), Duration.ofMinutes(10));

            double[] cumulative = zipfCumulative(blocks, zipf);
            int[] hops = new int[reads];
            boolean[] cached = new boolean[reads];
            int batch = 50;
            for (int start = 0; start < reads; start += batch) {
                List<CompletableFuture<Fetch>> wave = new ArrayList<>();
                for (int i = start; i < Math.min(reads, start + batch); i++) {
                    ContentBlock b = stored.get(pick(cumulative, random.nextDouble()));
                    wave.add(live.get(random.nextInt(live.size())).fetch(b.key()));
                }
                sim.awaitDone(CompletableFuture.allOf(wave.toArray(CompletableFuture[]::new)), Duration.ofMinutes(10));
                for (int i = 0; i < wave.size(); i++) {
                    Fetch f = wave.get(i).join();
                    hops[start + i] = f.hops();
                    cached[start + i] = f.fromCache();
                }
            }
            int tenth = Math.max(1, reads / 10);
            return new Run(mean(hops, 0, tenth), mean(hops, reads - tenth, reads), mean(hops, 0, reads),
                    share(cached, 0, reads), share(cached, reads - tenth, reads));
        }
    }

    private static double[] zipfCumulative(int n, double s) {
        double[] c = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1 / Math.pow(i + 1, s);
            c[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            c[i] /= sum;
        }
        return c;
    }

    private static int pick(double[] cumulative, double u) {
        int i = java.util.Arrays.binarySearch(cumulative, u);
        return Math.min(cumulative.length - 1, i >= 0 ? i : -i - 1);
    }

    private static double mean(int[] values, int from, int to) {
        long sum = 0;
        for (int i = from; i < to; i++) {
            sum += values[i];
        }
        return (double) sum / (to - from);
    }

    private static double share(boolean[] values, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            n += values[i] ? 1 : 0;
        }
        return (double) n / (to - from);
    }
}
