package org.cfs.cluster.lab;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.ByteSize;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.ChordHost;
import org.cfs.chord.ChordNode;
import org.cfs.chord.Id;
import org.cfs.chord.KbrApplication;
import org.cfs.chord.LookupResult;
import org.cfs.chord.NodeRef;
import org.cfs.chord.sim.RegionLatency;
import org.cfs.chord.sim.SimNetwork;
import org.cfs.cluster.LookupBatch;
import org.cfs.cluster.sim.SimDHashRing;
import org.cfs.cluster.sim.SimRing;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHash;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.StoreLimits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Proximity neighbour selection on an Internet-like latency model ({@link RegionLatency}): the
 * same ring (same seed, same placement of hosts) is built twice, once with plain Chord fingers
 * and once with each finger the nearest of {@code --candidates} nodes, and the same lookups and
 * DHash fetches run on both, and the same keys are routed recursively with KBR {@code route}.
 * A lookup's stretch is its latency over the direct round trip from its origin to the owner it
 * found (lookups are iterative: every step is a round trip from the origin); a routed message's
 * is its one-way latency to the owner over the direct one-way delay.
 */
@Command(name = "proximity", mixinStandardHelpOptions = true,
        description = "N simulated nodes in five regions of an Internet-like latency model, with and without "
                + "proximity neighbour selection: lookup latency (mean, median, p99), stretch over the direct "
                + "round trip, recursive routes (one way) and their stretch, DHash fetch latency.")
final class ProximityExperiment implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "1000", description = "Nodes N (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--candidates", defaultValue = "16",
            description = "Nodes each finger is chosen from with PNS (default ${DEFAULT-VALUE}).")
    int candidates;

    @Option(names = "--blocks", defaultValue = "1000", description = "Blocks stored, then fetched (default ${DEFAULT-VALUE}).")
    int blocks;

    @Option(names = "--finger-time", defaultValue = "120",
            description = "Seconds of virtual time after the ring is stable, for the fingers to settle (default ${DEFAULT-VALUE}).")
    int fingerSeconds;

    @Mixin
    Experiments.Common common;

    @Override
    public Integer call() {
        if (nodes < 2 || blocks < 1 || common.lookups < 1 || fingerSeconds < 0) {
            throw new IllegalArgumentException("--nodes must be at least 2, --blocks and --lookups at least 1, "
                    + "--finger-time at least 0");
        }
        Report report = new Report("proximity")
                .put("nodes", nodes)
                .put("seed", common.seed)
                .put("latency_model", RegionLatency.internet(common.seed).toString())
                .put("pns_candidates", candidates);
        Run plain = run(1);
        Run pns = run(candidates);
        plain.into(report, "plain");
        pns.into(report, "pns");
        report.put("route_mean_reduction", 1 - pns.routeMs.mean() / plain.routeMs.mean())
                .put("lookup_mean_reduction", 1 - pns.lookupMs.mean() / plain.lookupMs.mean())
                .put("lookup_median_reduction", 1 - pns.lookupMs.percentile(50) / plain.lookupMs.percentile(50))
                .put("fetch_mean_reduction", 1 - pns.fetchMs.mean() / plain.fetchMs.mean())
                .print(System.out, common.json);
        return plain.correct == common.lookups && pns.correct == common.lookups ? 0 : 1;
    }

    /** One ring with fingers chosen among {@code fingerCandidates}: the figures of its lookups and fetches. */
    private Run run(int fingerCandidates) {
        long wall = System.nanoTime();
        ChordConfig chord = SimRing.simConfig(16).withFingerCandidates(fingerCandidates);
        DHashConfig config = DHashConfig.defaults().withCacheSize(ByteSize.of(0))
                .withMaintenanceInterval(Duration.ofDays(1)).withRequestTimeout(Duration.ofSeconds(1));
        SimRing sim = new SimRing(common.seed, chord, RegionLatency.internet(common.seed));
        try (SimDHashRing ring = new SimDHashRing(sim, chord, config, StoreLimits.defaults())) {
            sim.growInWaves(nodes, Math.max(1, nodes / 16), Duration.ofSeconds(5));
            Experiments.requireStable(sim);
            sim.advance(Duration.ofSeconds(fingerSeconds));
            Run run = new Run();
            lookups(sim, run);
            routes(sim, run);
            fetches(ring, run);
            run.wallSeconds = (System.nanoTime() - wall) / 1e9;
            return run;
        }
    }

    /** Lookups from random nodes for random keys, all at once; the keys and origins depend on the seed only. */
    private void lookups(SimRing sim, Run run) {
        SplittableRandom random = new SplittableRandom(common.seed);
        List<ChordNode> members = sim.nodes();
        List<ChordNode> origins = new ArrayList<>(common.lookups);
        List<Id> keys = new ArrayList<>(common.lookups);
        List<CompletableFuture<LookupResult>> results = new ArrayList<>(common.lookups);
        for (int i = 0; i < common.lookups; i++) {
            ChordNode origin = members.get(random.nextInt(members.size()));
            Id key = randomKey(random);
            origins.add(origin);
            keys.add(key);
            results.add(origin.lookup(key));
        }
        sim.awaitDone(CompletableFuture.allOf(results.stream().map(f -> f.handle((r, e) -> null))
                .toArray(CompletableFuture[]::new)), Duration.ofMinutes(10));
        SimNetwork network = sim.network();
        var oracle = sim.oracle();
        for (int i = 0; i < common.lookups; i++) {
            CompletableFuture<LookupResult> f = results.get(i);
            if (f.isCompletedExceptionally()) {
                continue;
            }
            LookupResult r = f.join();
            if (oracle.owner(keys.get(i)).equals(r.owner())) {
                run.correct++;
            }
            double ms = r.elapsed().toNanos() / 1e6;
            run.lookupMs.add(ms);
            run.hops.add(r.hops());
            double direct = network.roundTrip(origins.get(i).self().endpoint(), r.owner().endpoint()).toNanos() / 1e6;
            if (!origins.get(i).self().endpoint().equals(r.owner().endpoint())) {
                run.stretch.add(ms / direct);
            }
        }
    }

    /**
     * Messages routed recursively (KBR {@code route}: each hop forwards to the next) from random
     * nodes to random keys: one-way latency to delivery at the owner, and its stretch over the
     * direct one-way delay, Pastry's relative delay penalty. Same origins and keys as the lookups.
     */
    private void routes(SimRing sim, Run run) {
        SplittableRandom random = new SplittableRandom(common.seed);
        List<ChordNode> members = sim.nodes();
        int count = common.lookups;
        long[] delivered = new long[count];
        ChordNode[] deliveredAt = new ChordNode[count];
        Arrays.fill(delivered, -1);
        for (ChordNode node : members) {
            node.setApplication(new KbrApplication() {
                @Override
                public void deliver(Id key, byte[] message) {
                    int i = ByteBuffer.wrap(message).getInt();
                    delivered[i] = sim.clock().nanoTime();
                    deliveredAt[i] = node;
                }
            });
        }
        List<ChordNode> origins = new ArrayList<>(count);
        List<Id> keys = new ArrayList<>(count);
        long start = sim.clock().nanoTime();
        for (int i = 0; i < count; i++) {
            ChordNode origin = members.get(random.nextInt(members.size()));
            Id key = randomKey(random);
            origins.add(origin);
            keys.add(key);
            origin.route(key, ByteBuffer.allocate(4).putInt(i).array(), null);
        }
        for (int waited = 0; waited < 120 && Arrays.stream(delivered).anyMatch(t -> t < 0); waited++) {
            sim.advance(Duration.ofSeconds(1));
        }
        var oracle = sim.oracle();
        for (int i = 0; i < count; i++) {
            if (delivered[i] < 0) {
                continue;
            }
            NodeRef at = deliveredAt[i].self();
            if (oracle.owner(keys.get(i)).equals(at)) {
                run.routedCorrect++;
            }
            double ms = (delivered[i] - start) / 1e6;
            run.routeMs.add(ms);
            if (!origins.get(i).self().endpoint().equals(at.endpoint())) {
                run.routeStretch.add(ms / (sim.network().roundTrip(origins.get(i).self().endpoint(),
                        at.endpoint()).toNanos() / 2e6));
            }
        }
    }

    /** Stores blocks from random hosts, then fetches each from another random host, all at once. */
    private void fetches(SimDHashRing ring, Run run) {
        SplittableRandom random = new SplittableRandom(common.seed + 1);
        List<ChordHost> hosts = ring.hosts();
        List<ContentBlock> stored = new ArrayList<>(blocks);
        List<CompletableFuture<?>> puts = new ArrayList<>(blocks);
        for (int i = 0; i < blocks; i++) {
            byte[] data = new byte[1024];
            random.nextBytes(data);
            ContentBlock b = new ContentBlock(data);
            stored.add(b);
            puts.add(ring.on(hosts.get(random.nextInt(hosts.size()))).put(b));
        }
        ring.awaitDone(CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)), Duration.ofMinutes(10));
        List<CompletableFuture<Double>> fetches = new ArrayList<>(blocks);
        for (ContentBlock b : stored) {
            DHash reader = ring.on(hosts.get(random.nextInt(hosts.size())));
            long start = ring.ring().clock().nanoTime();
            fetches.add(reader.fetch(b.key()).thenApply(f -> (ring.ring().clock().nanoTime() - start) / 1e6));
        }
        ring.awaitDone(CompletableFuture.allOf(fetches.stream().map(f -> f.handle((r, e) -> null))
                .toArray(CompletableFuture[]::new)), Duration.ofMinutes(10));
        for (CompletableFuture<Double> f : fetches) {
            if (!f.isCompletedExceptionally()) {
                run.fetchMs.add(f.join());
            }
        }
    }

    private static Id randomKey(SplittableRandom random) {
        byte[] bytes = new byte[Id.BYTES];
        random.nextBytes(bytes);
        return Id.fromBytes(bytes, 0);
    }

    /** The figures of one ring. */
    private static final class Run {
        final Sample lookupMs = new Sample();
        final Sample hops = new Sample();
        final Sample stretch = new Sample();
        final Sample fetchMs = new Sample();
        final Sample routeMs = new Sample();
        final Sample routeStretch = new Sample();
        int correct;
        int routedCorrect;
        double wallSeconds;

        void into(Report report, String mode) {
            report.put(mode + "_lookups_correct", correct)
                    .put(mode + "_mean_hops", hops.mean())
                    .put(mode + "_lookup_mean_ms", lookupMs.mean())
                    .put(mode + "_lookup_median_ms", lookupMs.percentile(50))
                    .put(mode + "_lookup_p99_ms", lookupMs.percentile(99))
                    .put(mode + "_stretch_mean", stretch.mean())
                    .put(mode + "_stretch_median", stretch.percentile(50))
                    .put(mode + "_routed_correct", routedCorrect)
                    .put(mode + "_route_mean_ms", routeMs.mean())
                    .put(mode + "_route_median_ms", routeMs.percentile(50))
                    .put(mode + "_route_p99_ms", routeMs.percentile(99))
                    .put(mode + "_route_stretch_mean", routeStretch.mean())
                    .put(mode + "_route_stretch_median", routeStretch.percentile(50))
                    .put(mode + "_fetches", fetchMs.count())
                    .put(mode + "_fetch_mean_ms", fetchMs.mean())
                    .put(mode + "_fetch_median_ms", fetchMs.percentile(50))
                    .put(mode + "_fetch_p99_ms", fetchMs.percentile(99))
                    .put(mode + "_wall_seconds", wallSeconds);
        }
    }

    /** A growing list of values with its mean and nearest-rank percentiles. */
    private static final class Sample {
        private double[] values = new double[64];
        private int count;
        private boolean sorted;

        void add(double v) {
            if (count == values.length) {
                values = Arrays.copyOf(values, 2 * count);
            }
            values[count++] = v;
            sorted = false;
        }

        int count() {
            return count;
        }

        double mean() {
            double sum = 0;
            for (int i = 0; i < count; i++) {
                sum += values[i];
            }
            return count == 0 ? Double.NaN : sum / count;
        }

        double percentile(double p) {
            if (count == 0) {
                return Double.NaN;
            }
            if (!sorted) {
                Arrays.sort(values, 0, count);
                sorted = true;
            }
            int rank = (int) Math.ceil(p / 100 * count);
            return values[Math.max(0, rank - 1)];
        }
    }
}
