package org.cfs.cluster.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.ChordHost;
import org.cfs.chord.Endpoint;
import org.cfs.chord.NodeRef;
import org.cfs.cluster.RingOracle;
import org.cfs.cluster.sim.SimDHashRing;
import org.cfs.cluster.sim.SimRing;
import org.cfs.dhash.BlockStore;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHash;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.DHashException;
import org.cfs.dhash.StoreLimits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What a maintenance round costs when nothing changed: every block already sits on its k replica
 * hosts, then each host runs rounds and the bytes its maintenance sent and received are counted.
 * Run it with a small and a large --per-node to see that the cost does not grow with the store.
 */
@Command(name = "dhash-maintenance", mixinStandardHelpOptions = true,
        description = "Bytes per maintenance round with nothing changed, for B blocks per node.")
final class MaintenanceCostExperiment implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "8", description = "Hosts (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--per-node", defaultValue = "1000", description = "Blocks held per node (default ${DEFAULT-VALUE}).")
    int perNode;

    @Option(names = "--replicas", defaultValue = "3", description = "Replicas K (default ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--rounds", defaultValue = "3", description = "Measured rounds (default ${DEFAULT-VALUE}).")
    int rounds;

    @Mixin
    Experiments.Common common;

    @Override
    public Integer call() throws DHashException {
        long wall = System.nanoTime();
        DHashConfig config = DHashConfig.defaults().withReplicas(replicas).withMaintenanceInterval(Duration.ofDays(1));
        try (SimDHashRing ring = new SimDHashRing(common.seed, SimRing.simConfig(16), config, StoreLimits.defaults())) {
            SimRing sim = ring.ring();
            sim.growSequentially(nodes, 1);
            Experiments.requireStable(sim);
            sim.advance(Duration.ofSeconds(30));

            Map<Endpoint, BlockStore> stores = new HashMap<>();
            for (ChordHost h : sim.hosts()) {
                stores.put(h.endpoint(), ring.on(h).stores().get(0));
            }
            RingOracle oracle = sim.oracle();
            long distinct = (long) nodes * perNode / replicas;
            SplittableRandom random = new SplittableRandom(common.seed);
            for (long i = 0; i < distinct; i++) {
                byte[] data = new byte[16];
                random.nextBytes(data);
                ContentBlock b = new ContentBlock(data);
                NodeRef owner = oracle.owner(b.key());
                List<NodeRef> set = new ArrayList<>();
                set.add(owner);
                set.addAll(oracle.successorList(owner));
                for (NodeRef n : set.subList(0, replicas)) {
                    stores.get(n.endpoint()).put(b.key(), b.encode(), null);
                }
            }

            runRoundEverywhere(ring);
            long before = totalBytes(ring);
            long pulledBefore = ring.live().stream().mapToLong(d -> d.stats().pulled() + d.stats().pushed()).sum();
            for (int r = 0; r < rounds; r++) {
                runRoundEverywhere(ring);
            }
            long perRound = (totalBytes(ring) - before) / rounds / nodes;
            long moved = ring.live().stream().mapToLong(d -> d.stats().pulled() + d.stats().pushed()).sum() - pulledBefore;
            long held = ring.live().stream().mapToLong(d -> d.stats().blocks()).sum() / nodes;
            new Report("dhash-maintenance")
                    .put("nodes", nodes)
                    .put("replicas", replicas)
                    .put("blocks_per_node", held)
                    .put("distinct_blocks", distinct)
                    .put("digest_parts", config.digestParts())
                    .put("measured_rounds", rounds)
                    .put("bytes_per_round_per_node", perRound)
                    .put("blocks_moved_while_measuring", moved)
                    .put("wall_seconds", (System.nanoTime() - wall) / 1e9)
                    .print(System.out, common.json);
            return moved == 0 ? 0 : 1;
        }
    }

    private static void runRoundEverywhere(SimDHashRing ring) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (DHash d : ring.live()) {
            all.add(d.maintain());
        }
        ring.ring().awaitDone(CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)), Duration.ofMinutes(30));
    }

    private static long totalBytes(SimDHashRing ring) {
        return ring.live().stream().mapToLong(d -> d.stats().maintenanceBytes()).sum();
    }
}
