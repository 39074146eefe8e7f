package org.cfs.cluster.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.HdrHistogram.Histogram;
import org.cfs.cluster.netns.NetnsCluster;
import org.cfs.cluster.netns.NetnsNetwork;
import org.cfs.cluster.netns.NetnsScenarios;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * DHash on a real network on one machine: {@code --hosts} real node processes, each in a network
 * namespace of its own, on links 10..80 ms apart one way (a seeded model, delays added in user
 * space). Put and get latency one at a time through random hosts; then, unless skipped, a
 * partition of half the hosts for {@code --cut} seconds (reads on both sides, time to one ring
 * after healing) and the kill of half the processes (every block with a live holder read, the
 * read latency in the window after). Needs root and iproute2.
 */
@Command(name = "netns-bench", mixinStandardHelpOptions = true,
        description = "Real node processes in network namespaces 10..80 ms apart: put/get p50/p99, reads on both sides"
                + " of a partition and time to one ring after it heals, reads after half the processes are killed."
                + " Needs root and iproute2.")
final class NetnsBenchmark implements Callable<Integer> {
    private static final Duration START_BOUND = Duration.ofSeconds(180);
    private static final Duration STABLE_BOUND = Duration.ofSeconds(120);

    @Option(names = "--hosts", defaultValue = "20", description = "Node processes (default ${DEFAULT-VALUE}).")
    int hosts;

    @Option(names = "--vnodes", defaultValue = "1", description = "Vnodes per process (default ${DEFAULT-VALUE}).")
    int vnodes;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the link model and the choices (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--loss", defaultValue = "0", description = "Chance each message is lost (default ${DEFAULT-VALUE}).")
    double loss;

    @Option(names = "--ops", defaultValue = "200", description = "Puts timed one at a time, then as many gets"
            + " (default ${DEFAULT-VALUE}).")
    int ops;

    @Option(names = "--size", defaultValue = "8192", description = "Block size in bytes (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--cut", defaultValue = "60", description = "Seconds half the hosts are cut off; 0 skips the"
            + " partition (default ${DEFAULT-VALUE}).")
    int cut;

    @Option(names = "--heal-bound", defaultValue = "120", description = "Seconds allowed for one ring after the cut"
            + " heals (default ${DEFAULT-VALUE}).")
    int healBound;

    @Option(names = "--window", defaultValue = "60", description = "Seconds after killing half the processes in which"
            + " every block with a live holder must be read; 0 skips the kill (default ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--json", description = "End with one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (hosts < 4 || ops < 1 || size < 1) {
            throw new IllegalArgumentException("need --hosts >= 4, --ops >= 1 and --size >= 1");
        }
        String why = NetnsNetwork.unavailable();
        if (why != null) {
            throw new IllegalStateException("cannot make network namespaces here: " + why);
        }
        NetnsCluster.Settings settings = NetnsCluster.Settings.of(hosts).withSeed(seed).withLoss(loss).withVnodes(vnodes);
        Report report = new Report("netns-bench")
                .put("hosts", hosts)
                .put("vnodes", vnodes)
                .put("replicas", settings.replicas())
                .put("delay_ms", settings.minDelay().toMillis() + ".." + settings.maxDelay().toMillis())
                .put("jitter_ms", settings.jitter().toMillis())
                .put("loss", loss)
                .put("block_bytes", size);
        boolean ok = run(settings, report, "bench", (cluster, scenarios, all) -> {
            NetnsScenarios.Latency latency = scenarios.putsAndGets(all, ops, size);
            report.put("put_p50_ms", millis(latency.puts(), 50))
                    .put("put_p99_ms", millis(latency.puts(), 99))
                    .put("get_p50_ms", millis(latency.gets(), 50))
                    .put("get_p99_ms", millis(latency.gets(), 99))
                    .put("op_failures", latency.failures());
            return latency.failures() == 0 & (window <= 0 || kill(scenarios, report));
        });
        if (cut > 0) {
            // A cluster of its own: the kill above leaves half the hosts dead, and a cut that does
            // not heal into one ring would leave two.
            ok &= run(settings, report, "cut", (cluster, scenarios, all) -> {
                int failures = scenarios.puts(all, ops, size, new java.util.ArrayList<>()).failures();
                return failures == 0 & partition(scenarios, report);
            });
        }
        report.put("cores", Runtime.getRuntime().availableProcessors()).print(System.out, json);
        return ok ? 0 : 1;
    }

    /** What runs on a started, whole cluster; true if its checks held. */
    @FunctionalInterface
    private interface Phase {
        boolean run(NetnsCluster cluster, NetnsScenarios scenarios, List<Integer> all) throws Exception;
    }

    /** Starts a cluster of {@code settings}, waits for one ring, runs {@code phase} and removes the cluster. */
    private boolean run(NetnsCluster.Settings settings, Report report, String name, Phase phase) throws Exception {
        Path dir = Files.createTempDirectory("netns-bench");
        try (NetnsCluster cluster = NetnsCluster.create(settings, dir)) {
            List<Integer> all = IntStream.range(0, hosts).boxed().toList();
            long t0 = System.nanoTime();
            cluster.start(START_BOUND);
            report.put(name + "_started_s", seconds(System.nanoTime() - t0));
            NetnsCluster.RingState ring = cluster.awaitRing(all, STABLE_BOUND);
            report.put(name + "_one_ring_s", seconds(System.nanoTime() - t0));
            if (!ring.whole()) {
                throw new IllegalStateException("the started ring is not whole after " + STABLE_BOUND.toSeconds() + " s: " + ring);
            }
            return phase.run(cluster, new NetnsScenarios(cluster, settings.seed()), all);
        } finally {
            Experiments.deleteTree(dir);
        }
    }

    private boolean partition(NetnsScenarios scenarios, Report report) throws Exception {
        NetnsScenarios.Placement placed = scenarios.settle(NetnsScenarios.SETTLE_BOUND);
        report.put("cut_blocks_placed_s", placed.settled() == null ? null : seconds(placed.settled().toNanos()))
                .put("cut_blocks_misplaced", placed.misplaced());
        List<Integer> sideA = scenarios.randomHosts(hosts / 2);
        NetnsScenarios.Partition p = scenarios.partition(sideA, Duration.ofSeconds(cut), Duration.ofSeconds(healBound));
        report.put("cut_s", cut)
                .put("cut_side_a_ring_s", p.settleA() == null ? null : seconds(p.settleA().toNanos()))
                .put("cut_side_b_ring_s", p.settleB() == null ? null : seconds(p.settleB().toNanos()))
                .put("cut_reads_expected", p.readsA().expected() + p.readsB().expected())
                .put("cut_reads_done", p.readsA().read() + p.readsB().read())
                .put("cut_read_a_p99_ms", millis(p.readsA().micros(), 99))
                .put("cut_read_b_p99_ms", millis(p.readsB().micros(), 99))
                .put("cut_unread_examples", String.join("; ", concat(p.readsA().why(), p.readsB().why())))
                .put("heal_bound_s", healBound)
                .put("one_ring_after_heal_s", p.healed() == null ? null : seconds(p.healed().toNanos()))
                .put("after_heal", p.after().toString());
        return placed.settled() != null && p.healed() != null && p.readsA().unread().isEmpty()
                && p.readsB().unread().isEmpty();
    }

    private boolean kill(NetnsScenarios scenarios, Report report) throws Exception {
        NetnsScenarios.Placement placed = scenarios.settle(NetnsScenarios.SETTLE_BOUND);
        report.put("kill_blocks_placed_s", placed.settled() == null ? null : seconds(placed.settled().toNanos()))
                .put("kill_blocks_misplaced", placed.misplaced());
        NetnsScenarios.Reads r = scenarios.killAndRead(scenarios.randomHosts(hosts / 2), Duration.ofSeconds(window));
        report.put("killed", hosts / 2)
                .put("blocks", scenarios.holders().size())
                .put("blocks_no_live_holder", r.lost())
                .put("blocks_with_live_holder", r.expected())
                .put("blocks_read", r.read())
                .put("read_after_kill_p50_ms", millis(r.micros(), 50))
                .put("read_after_kill_p99_ms", millis(r.micros(), 99))
                .put("read_after_kill_max_ms", r.micros().getMaxValue() / 1000.0)
                .put("kill_unread_examples", String.join("; ", r.why()));
        return placed.settled() != null && r.unread().isEmpty();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static double millis(Histogram micros, double percentile) {
        return micros.getTotalCount() == 0 ? Double.NaN : micros.getValueAtPercentile(percentile) / 1000.0;
    }

    private static double seconds(long nanos) {
        return Math.round(nanos / 1e8) / 10.0;
    }
}
