package org.cfs.cluster.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.cfs.chord.ByteSize;
import org.cfs.chord.ChordHost;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.NodeRef;
import org.cfs.cluster.LoopbackDHashRing;
import org.cfs.cluster.LoopbackRing;
import org.cfs.cluster.RingOracle;
import org.cfs.dhash.BlockStore;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.DHashException;
import org.cfs.dhash.HandOver;
import org.cfs.dhash.RocksBlockStore;
import org.cfs.dhash.StoreLimits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A graceful leave of a node that holds many blocks, on real Netty hosts over loopback with
 * RocksDB stores: every block it holds is first put on its k replica hosts (straight into their
 * stores, one synced batch at a time) and the stores finish compacting, then the node hands over
 * within the bound, as {@code cfs node} does on SIGTERM, and leaves. Afterwards each block's copies
 * are counted on the k hosts responsible for it once the node is gone, and every block below k
 * must be one the hand-over named as missed. Maintenance is held off, so what the count shows is
 * the hand-over's work alone.
 */
@Command(name = "handover", mixinStandardHelpOptions = true,
        description = "One of N real nodes, holding B blocks it is a replica of, hands them over and leaves;"
                + " then every block's copies are counted on the k hosts now responsible for it.")
final class HandOverExperiment implements Callable<Integer> {
    private static final int FILL_BATCH = 2000;
    /** Longest wait for the stores' compactions after the fill. */
    private static final Duration SETTLE_BOUND = Duration.ofMinutes(5);

    @Option(names = "--blocks", defaultValue = "100000", description = "Blocks the leaving node holds (default ${DEFAULT-VALUE}).")
    int blocks;

    @Option(names = "--size", defaultValue = "1024", description = "Bytes of data per block (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--nodes", defaultValue = "5", description = "Hosts, one vnode each (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--replicas", defaultValue = "3", description = "Copies of each block (default ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--bound", defaultValue = "30", description = "Seconds the hand-over may take, as a node's"
            + " shutdown allows (default ${DEFAULT-VALUE}).")
    int bound;

    @Option(names = "--json", description = "End with one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (nodes <= replicas || blocks < 1 || size < 1 || bound < 1) {
            throw new IllegalArgumentException("--nodes must exceed --replicas (" + nodes + " <= " + replicas
                    + "), and --blocks, --size and --bound must be at least 1");
        }
        Path dir = Files.createTempDirectory("handover");
        Report report = new Report("handover").put("nodes", nodes).put("replicas", replicas).put("blocks", blocks)
                .put("block_bytes", size).put("bound_s", bound);
        DHashConfig config = DHashConfig.defaults().withReplicas(replicas).withMaintenanceInterval(Duration.ofDays(1));
        StoreLimits limits = new StoreLimits(ByteSize.ofGiB(1024), 1.0);
        int underK;
        try (LoopbackDHashRing ring = new LoopbackDHashRing(LoopbackRing.loopbackConfig(), config, limits, dir)) {
            ring.growSequentially(nodes, 1);
            Experiments.requireStable(ring);
            ChordHost leaving = ring.hosts().get(0);
            long fillStart = System.nanoTime();
            List<Id> keys = fill(ring, leaving);
            report.put("fill_s", seconds(System.nanoTime() - fillStart));
            long settleStart = System.nanoTime();
            report.put("settled", settle(ring)).put("settle_s", seconds(System.nanoTime() - settleStart));

            long start = System.nanoTime();
            HandOver done = ring.on(leaving).handOver(Duration.ofSeconds(bound))
                    .get(bound + 5L, TimeUnit.SECONDS);
            report.put("hand_over_s", seconds(System.nanoTime() - start))
                    .put("held", done.held()).put("handed_over", done.handedOver())
                    .put("not_handed_over", done.notHandedOver())
                    .put("blocks_per_s", done.handedOver() / Math.max(1e-9, done.took().toNanos() / 1e9));
            boolean left = await(leaving.leave(), Duration.ofSeconds(5));
            ring.crash(leaving);
            report.put("left", left);
            int[] copies = copies(ring, keys);
            underK = report(keys, copies, done, report);
        } finally {
            Files.walk(dir).sorted(java.util.Comparator.reverseOrder()).forEach(HandOverExperiment::delete);
        }
        report.put("cores", Runtime.getRuntime().availableProcessors()).print(System.out, json);
        return underK == 0 ? 0 : 1;
    }

    /**
     * Makes {@link #blocks} random blocks that {@code leaving} is a replica host of and stores each
     * on its k replica hosts; their keys.
     */
    private List<Id> fill(LoopbackDHashRing ring, ChordHost leaving) throws Exception {
        RingOracle oracle = ring.oracle();
        Map<Endpoint, BlockStore> stores = new HashMap<>();
        Map<Endpoint, Map<Id, byte[]>> pending = new HashMap<>();
        for (ChordHost h : ring.hosts()) {
            stores.put(h.endpoint(), ring.store(h));
            pending.put(h.endpoint(), new LinkedHashMap<>());
        }
        SplittableRandom random = new SplittableRandom(1);
        List<Id> keys = new ArrayList<>(blocks);
        while (keys.size() < blocks) {
            byte[] data = new byte[size];
            random.nextBytes(data);
            ContentBlock block = new ContentBlock(data);
            List<NodeRef> holders = holders(oracle, block.key());
            if (holders.stream().noneMatch(n -> n.endpoint().equals(leaving.endpoint()))) {
                continue;
            }
            keys.add(block.key());
            byte[] encoded = block.encode();
            for (NodeRef n : holders) {
                pending.get(n.endpoint()).put(block.key(), encoded);
            }
            if (pending.get(leaving.endpoint()).size() >= FILL_BATCH) {
                flush(stores, pending);
            }
        }
        flush(stores, pending);
        return keys;
    }

    /** Writes every host's pending blocks, the hosts at once. */
    private static void flush(Map<Endpoint, BlockStore> stores, Map<Endpoint, Map<Id, byte[]>> pending)
            throws Exception {
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (var e : pending.entrySet()) {
            Map<Id, byte[]> batch = new LinkedHashMap<>(e.getValue());
            e.getValue().clear();
            BlockStore store = stores.get(e.getKey());
            writes.add(CompletableFuture.runAsync(() -> {
                try {
                    store.putAll(batch, null);
                } catch (DHashException ex) {
                    throw new IllegalStateException(ex.getMessage(), ex);
                }
            }));
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    private List<NodeRef> holders(RingOracle oracle, Id key) {
        return oracle.replicaHosts(key, replicas);
    }

    /**
     * Waits, at most {@link #SETTLE_BOUND}, until no store has a compaction running or pending: a
     * node that held its blocks for a while has compacted them, and the fill wrote them all at
     * once. False if the bound passed first.
     */
    private static boolean settle(LoopbackDHashRing ring) throws InterruptedException {
        long end = System.nanoTime() + SETTLE_BOUND.toNanos();
        while (System.nanoTime() - end < 0) {
            boolean busy = false;
            for (ChordHost h : ring.hosts()) {
                RocksBlockStore store = ring.store(h);
                busy |= store.property("rocksdb.compaction-pending") > 0
                        || store.property("rocksdb.num-running-compactions") > 0
                        || store.property("rocksdb.num-running-flushes") > 0;
            }
            if (!busy) {
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }

    /** How many of the hosts responsible for each key now hold it, by the key's index. */
    private int[] copies(LoopbackDHashRing ring, List<Id> keys) throws DHashException {
        RingOracle oracle = ring.oracle();
        Map<Id, Integer> index = new HashMap<>(keys.size() * 2);
        for (int i = 0; i < keys.size(); i++) {
            index.put(keys.get(i), i);
        }
        int[] copies = new int[keys.size()];
        for (ChordHost h : ring.hosts()) {
            Endpoint at = h.endpoint();
            ring.store(h).forEachKey(Id.ZERO, Id.ZERO, key -> {
                Integer i = index.get(key);
                if (i != null && holders(oracle, key).stream().anyMatch(n -> n.endpoint().equals(at))) {
                    copies[i]++;
                }
            });
        }
        return copies;
    }

    /**
     * Reports the keys on k hosts, below k and on none, and those below k that the hand-over did
     * not name as missed (it should name every one); the number below k.
     */
    private int report(List<Id> keys, int[] copies, HandOver done, Report report) {
        Set<Id> named = new HashSet<>(done.missed());
        int underK = 0;
        int lost = 0;
        int unnamed = 0;
        for (int i = 0; i < copies.length; i++) {
            underK += copies[i] < replicas ? 1 : 0;
            lost += copies[i] == 0 ? 1 : 0;
            unnamed += copies[i] < replicas && !named.contains(keys.get(i)) ? 1 : 0;
        }
        report.put("blocks_on_k_hosts", keys.size() - underK).put("blocks_under_k", underK).put("blocks_lost", lost)
                .put("under_k_not_named", unnamed);
        return underK;
    }

    private static boolean await(CompletableFuture<?> f, Duration bound) throws InterruptedException {
        try {
            f.get(bound.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException | ExecutionException e) {
            return false;
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static void delete(Path p) {
        try {
            Files.delete(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
