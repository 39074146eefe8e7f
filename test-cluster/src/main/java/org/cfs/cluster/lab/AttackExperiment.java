package org.cfs.cluster.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.ChordHost;
import org.cfs.chord.ChordNode;
import org.cfs.chord.Id;
import org.cfs.chord.LookupResult;
import org.cfs.chord.NodeRef;
import org.cfs.cluster.RingOracle;
import org.cfs.cluster.sim.Adversary;
import org.cfs.cluster.sim.SimDHashRing;
import org.cfs.cluster.sim.SimRing;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.PutResult;
import org.cfs.dhash.StoreLimits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Malicious nodes: N simulated nodes store B blocks per fraction; then, for each fraction F, a
 * random F of the nodes turn malicious in one way, honest nodes look up random keys and read that
 * fraction's blocks, and the malicious nodes turn honest again. The same seed builds the same ring
 * twice, once with secure routing off and once on, and picks the same malicious nodes in both.
 */
@Command(name = "attack", mixinStandardHelpOptions = true,
        description = "A fraction F of N nodes misbehave (drop, misroute, lie-owner, withhold): lookups reaching the "
                + "right replica set and gets that read their block, with and without secure routing.")
final class AttackExperiment implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "1000", description = "Nodes N (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--malicious", split = ",", defaultValue = "0,0.1,0.2,0.25,0.3",
            description = "Fractions F of malicious nodes, comma-separated, each in [0, 1) (default ${DEFAULT-VALUE}).")
    List<Double> fractions;

    @Option(names = "--behaviour", required = true, description = "drop, misroute, lie-owner or withhold.")
    String behaviour;

    @Option(names = "--blocks", defaultValue = "2000", description = "Blocks read per fraction (default ${DEFAULT-VALUE}).")
    int blocks;

    @Option(names = "--replicas", defaultValue = "3", description = "Replicas k (default ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--secure", defaultValue = "both", description = "on, off or both (default ${DEFAULT-VALUE}).")
    String secure;

    @Mixin
    Experiments.Common common;

    /** The figures of one fraction with secure routing on or off. */
    record Run(String behaviour, double fraction, boolean secure, int maliciousNodes, int lookups,
               double lookupCorrect, int lookupsFailed, double messagesPerLookup, int gets,
               int getsWithHonestReplica, double getSuccess, double getSuccessWithHonestReplica) {
    }

    @Override
    public Integer call() {
        Adversary.Behaviour bad = Adversary.Behaviour.parse(behaviour);
        for (double f : fractions) {
            if (f < 0 || f >= 1) {
                throw new IllegalArgumentException("--malicious " + f + " is outside [0, 1)");
            }
        }
        List<Boolean> modes = switch (secure) {
            case "on" -> List.of(true);
            case "off" -> List.of(false);
            case "both" -> List.of(false, true);
            default -> throw new IllegalArgumentException("--secure is '" + secure + "', must be on, off or both");
        };
        long wall = System.nanoTime();
        List<Run> runs = new ArrayList<>();
        for (boolean on : modes) {
            runs.addAll(runRing(bad, on));
        }
        Report report = new Report("attack")
                .put("nodes", nodes)
                .put("behaviour", bad.label())
                .put("replicas", replicas)
                .put("seed", common.seed)
                .put("runs", runs)
                .put("wall_seconds", (System.nanoTime() - wall) / 1e9);
        System.out.println(String.format(Locale.ROOT, "%-10s %5s %6s %9s %9s %9s %10s %10s", "behaviour", "F",
                "secure", "bad nodes", "lookup ok", "msgs/lkup", "get ok", "get ok|h"));
        for (Run r : runs) {
            System.out.println(String.format(Locale.ROOT, "%-10s %5.2f %6s %9d %9.4f %9.2f %10.5f %10.5f", r.behaviour(),
                    r.fraction(), r.secure() ? "on" : "off", r.maliciousNodes(), r.lookupCorrect(),
                    r.messagesPerLookup(), r.getSuccess(), r.getSuccessWithHonestReplica()));
        }
        report.print(System.out, common.json);
        return 0;
    }

    private List<Run> runRing(Adversary.Behaviour bad, boolean secureRouting) {
        DHashConfig config = DHashConfig.defaults().withReplicas(replicas).withMinReplicas(replicas)
                .withMaintenanceInterval(Duration.ofDays(1)).withRequestTimeout(Duration.ofSeconds(1));
        try (SimDHashRing ring = new SimDHashRing(common.seed,
                SimRing.simConfig(Math.max(16, 2 * replicas)).withSecureRouting(secureRouting), config,
                StoreLimits.defaults())) {
            SimRing sim = ring.ring();
            sim.growInWaves(nodes, Math.max(1, nodes / 16), Duration.ofSeconds(5));
            Experiments.requireStable(sim);
            sim.advance(Duration.ofSeconds(60));
            SplittableRandom random = new SplittableRandom(common.seed);
            List<List<ContentBlock>> slices = new ArrayList<>();
            List<List<PutResult>> placed = new ArrayList<>();
            for (int s = 0; s < fractions.size(); s++) {
                List<ContentBlock> slice = new ArrayList<>(blocks);
                slices.add(slice);
                placed.add(put(ring, random, slice));
            }
            List<Run> runs = new ArrayList<>();
            for (int s = 0; s < fractions.size(); s++) {
                double f = fractions.get(s);
                Adversary adversary = Adversary.corrupt(sim, f, bad, new SplittableRandom(common.seed * 31 + s));
                try {
                    runs.add(measure(ring, adversary, f, secureRouting, slices.get(s), placed.get(s),
                            new SplittableRandom(common.seed * 17 + s)));
                } finally {
                    adversary.restore();
                }
            }
            return runs;
        }
    }

    private List<PutResult> put(SimDHashRing ring, SplittableRandom random, List<ContentBlock> slice) {
        List<ChordHost> hosts = ring.hosts();
        List<PutResult> done = new ArrayList<>(blocks);
        for (int batch = 0; batch < blocks; batch += 500) {
            List<CompletableFuture<PutResult>> puts = new ArrayList<>();
            for (int i = batch; i < Math.min(blocks, batch + 500); i++) {
                byte[] data = new byte[32];
                random.nextBytes(data);
                ContentBlock b = new ContentBlock(data);
                slice.add(b);
                puts.add(ring.on(hosts.get(random.nextInt(hosts.size()))).put(b));
            }
            ring.awaitDone(CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)), Duration.ofMinutes(10));
            puts.forEach(p -> done.add(p.join()));
        }
        return done;
    }

    private Run measure(SimDHashRing ring, Adversary adversary, double f, boolean secureRouting,
                        List<ContentBlock> slice, List<PutResult> placed, SplittableRandom random) {
        List<ChordHost> honest = ring.hosts().stream().filter(h -> !adversary.isMalicious(h.endpoint())).toList();
        RingOracle oracle = ring.oracle();
        int lookups = common.lookups;
        List<Id> keys = new ArrayList<>(lookups);
        List<CompletableFuture<LookupResult>> found = new ArrayList<>(lookups);
        for (int i = 0; i < lookups; i++) {
            byte[] k = new byte[Id.BYTES];
            random.nextBytes(k);
            keys.add(Id.fromBytes(k, 0));
            List<ChordNode> vnodes = honest.get(random.nextInt(honest.size())).vnodes();
            found.add(vnodes.get(random.nextInt(vnodes.size())).lookup(keys.get(i)));
        }
        ring.awaitDone(CompletableFuture.allOf(found.stream().map(x -> x.handle((r, e) -> null))
                .toArray(CompletableFuture[]::new)), Duration.ofHours(1));
        int correct = 0;
        int failed = 0;
        long messages = 0;
        for (int i = 0; i < lookups; i++) {
            CompletableFuture<LookupResult> r = found.get(i);
            if (r.isCompletedExceptionally()) {
                failed++;
                continue;
            }
            LookupResult got = r.join();
            messages += got.hops() + got.timeouts();
            correct += rightReplicas(oracle, keys.get(i), got) ? 1 : 0;
        }

        List<CompletableFuture<Boolean>> reads = new ArrayList<>(slice.size());
        for (ContentBlock b : slice) {
            reads.add(ring.on(honest.get(random.nextInt(honest.size()))).get(b.key()).handle((got, e) -> e == null));
        }
        ring.awaitDone(CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)), Duration.ofHours(1));
        int read = 0;
        int withHonest = 0;
        int readWithHonest = 0;
        for (int i = 0; i < slice.size(); i++) {
            boolean ok = reads.get(i).join();
            boolean honestHolder = placed.get(i).holders().stream().anyMatch(n -> !adversary.isMalicious(n.endpoint()));
            read += ok ? 1 : 0;
            withHonest += honestHolder ? 1 : 0;
            readWithHonest += ok && honestHolder ? 1 : 0;
        }
        int answered = lookups - failed;
        return new Run(adversary.behaviour().label(), f, secureRouting, adversary.size(), lookups,
                (double) correct / lookups, failed, answered == 0 ? Double.NaN : (double) messages / answered,
                slice.size(), withHonest, (double) read / slice.size(),
                withHonest == 0 ? Double.NaN : (double) readWithHonest / withHonest);
    }

    /** The owner and the next k - 1 hosts of the answer are the oracle's. */
    private boolean rightReplicas(RingOracle oracle, Id key, LookupResult got) {
        NodeRef owner = oracle.owner(key);
        List<NodeRef> truth = new ArrayList<>();
        truth.add(owner);
        truth.addAll(oracle.successorList(owner));
        int k = Math.min(replicas, truth.size());
        return got.replicaSet().size() >= k && got.replicaSet().subList(0, k).equals(truth.subList(0, k));
    }
}
