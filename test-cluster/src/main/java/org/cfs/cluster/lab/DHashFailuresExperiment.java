package org.cfs.cluster.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.ChordHost;
import org.cfs.chord.Endpoint;
import org.cfs.chord.NodeRef;
import org.cfs.cluster.sim.SimDHashRing;
import org.cfs.cluster.sim.SimRing;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHash;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.PutResult;
import org.cfs.dhash.StoreLimits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The DHash failure experiment: N simulated nodes, B blocks with K replicas, a fraction F of the
 * nodes stopped at once, then a read of every block. Maintenance is off so the figure is what
 * replication alone gives: a block is lost only if all K of its replicas failed, 1 - F^K.
 */
@Command(name = "dhash-failures", mixinStandardHelpOptions = true,
        description = "N nodes, B blocks with K replicas, fraction F stopped at once, then every block read: "
                + "readable fraction beside 1 - F^K.")
final class DHashFailuresExperiment implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "1000", description = "Nodes N (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--blocks", defaultValue = "10000", description = "Blocks B (default ${DEFAULT-VALUE}).")
    int blocks;

    @Option(names = "--replicas", defaultValue = "5", description = "Replicas K (default ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--fail", required = true, description = "Fraction F of nodes stopped at once, in [0, 1).")
    double fail;

    @Mixin
    Experiments.Common common;

    @Override
    public Integer call() {
        if (fail < 0 || fail >= 1) {
            throw new IllegalArgumentException("--fail is " + fail + ", must be in [0, 1)");
        }
        long wall = System.nanoTime();
        DHashConfig config = DHashConfig.defaults().withReplicas(replicas).withMinReplicas(replicas)
                .withMaintenanceInterval(Duration.ofDays(1)).withRequestTimeout(Duration.ofSeconds(1));
        try (SimDHashRing ring = new SimDHashRing(common.seed, SimRing.simConfig(Math.max(16, 2 * replicas)), config,
                StoreLimits.defaults())) {
            SimRing sim = ring.ring();
            sim.growInWaves(nodes, Math.max(1, nodes / 16), Duration.ofSeconds(5));
            Experiments.requireStable(sim);
            sim.advance(Duration.ofSeconds(60));

            SplittableRandom random = new SplittableRandom(common.seed);
            List<ContentBlock> stored = new ArrayList<>(blocks);
            List<List<NodeRef>> holders = new ArrayList<>(blocks);
            List<DHash> live = ring.live();
            for (int batch = 0; batch < blocks; batch += 500) {
                List<ContentBlock> wave = new ArrayList<>();
                List<CompletableFuture<PutResult>> puts = new ArrayList<>();
                for (int i = batch; i < Math.min(blocks, batch + 500); i++) {
                    byte[] data = new byte[32];
                    random.nextBytes(data);
                    ContentBlock b = new ContentBlock(data);
                    wave.add(b);
                    puts.add(live.get(random.nextInt(live.size())).put(b));
                }
                sim.awaitDone(CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)), Duration.ofMinutes(10));
                for (int i = 0; i < wave.size(); i++) {
                    stored.add(wave.get(i));
                    holders.add(puts.get(i).join().holders());
                }
            }

            int failed = sim.crashFraction(fail);
            Set<Endpoint> alive = new HashSet<>();
            for (ChordHost h : sim.hosts()) {
                alive.add(h.endpoint());
            }
            live = ring.live();
            List<CompletableFuture<Boolean>> reads = new ArrayList<>(blocks);
            for (ContentBlock b : stored) {
                reads.add(live.get(random.nextInt(live.size())).get(b.key()).handle((got, e) -> e == null));
            }
            sim.awaitDone(CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)), Duration.ofHours(1));

            int readable = 0;
            int anyReplicaAlive = 0;
            int lostDespiteLiveReplica = 0;
            for (int i = 0; i < stored.size(); i++) {
                boolean ok = reads.get(i).join();
                boolean survivor = holders.get(i).stream().anyMatch(n -> alive.contains(n.endpoint()));
                readable += ok ? 1 : 0;
                anyReplicaAlive += survivor ? 1 : 0;
                if (survivor && !ok) {
                    lostDespiteLiveReplica++;
                }
            }
            double fraction = (double) readable / stored.size();
            double expected = 1 - Math.pow(fail, replicas);
            // Exactly failed of N nodes fail, so all k replicas of a block die with the hypergeometric
            // probability, not quite F^k.
            double allDead = 1;
            for (int i = 0; i < replicas; i++) {
                allDead *= (double) (failed - i) / (nodes - i);
            }
            double exact = 1 - Math.max(0, allDead);
            // Blocks on the same replica set live or die together: the independent samples are the sets.
            long sets = holders.stream().map(h -> h.stream().map(NodeRef::endpoint).toList()).distinct().count();
            double stderr = Math.sqrt(exact * (1 - exact) / sets);
            new Report("dhash-failures")
                    .put("nodes", nodes)
                    .put("blocks", stored.size())
                    .put("replicas", replicas)
                    .put("fail_fraction", fail)
                    .put("failed_nodes", failed)
                    .put("seed", common.seed)
                    .put("readable", readable)
                    .put("readable_fraction", fraction)
                    .put("expected_1_minus_f_pow_k", expected)
                    .put("expected_exact_hypergeometric", exact)
                    .put("distinct_replica_sets", sets)
                    .put("standard_error_over_sets", stderr)
                    .put("deviation_in_standard_errors", stderr == 0 ? 0.0 : (fraction - exact) / stderr)
                    .put("blocks_with_a_live_replica", anyReplicaAlive)
                    .put("unreadable_with_a_live_replica", lostDespiteLiveReplica)
                    .put("wall_seconds", (System.nanoTime() - wall) / 1e9)
                    .print(System.out, common.json);
            return lostDespiteLiveReplica == 0 ? 0 : 1;
        }
    }
}
