package org.cfs.cluster.lab;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.cfs.chord.Id;
import org.cfs.cluster.sim.SimRing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Load balance, as in the Chord paper (ToN'03, Figs. 8 and 9): N hosts, each with v vnodes whose
 * ids are H(ip#vnode) of the simulator's addresses, and K random keys, each owned by the host of
 * the first vnode at or after it. No messages are needed for this: the owner of a key is a pure
 * function of the ids, which is what the stabilized ring agrees on. Reports keys per host (mean,
 * 1st and 99th percentiles, max) for each K with one vnode, then the 99th percentile over the
 * mean for each v.
 */
@Command(name = "balance", mixinStandardHelpOptions = true,
        description = "Keys per host for N hosts and K random keys (Chord ToN'03 Figs. 8, 9): percentiles "
                + "for each K with one vnode, then the 99th percentile over the mean for each vnode count.")
final class BalanceExperiment implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "10000", description = "Hosts N (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--keys", split = ",", defaultValue = "100000,200000,500000,1000000",
            description = "Key counts K for the one-vnode table (default ${DEFAULT-VALUE}).")
    int[] keyCounts;

    @Option(names = "--vnodes", split = ",", defaultValue = "1,2,5,10,20",
            description = "Vnodes per host for the second table, with the largest K (default ${DEFAULT-VALUE}).")
    int[] vnodeCounts;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the keys (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "End with one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        if (nodes < 1 || Arrays.stream(keyCounts).anyMatch(k -> k < 1) || Arrays.stream(vnodeCounts).anyMatch(v -> v < 1)) {
            throw new IllegalArgumentException("--nodes, --keys and --vnodes must be at least 1");
        }
        Report report = new Report("balance").put("nodes", nodes).put("seed", seed);
        List<Map<String, Object>> byKeys = new ArrayList<>();
        System.out.printf("%-10s %10s %8s %8s %8s %10s%n", "keys", "mean", "p1", "p99", "max", "p99/mean");
        for (int keys : keyCounts) {
            Map<String, Object> row = row(keys, 1);
            byKeys.add(row);
            System.out.printf("%-10d %10.1f %8s %8s %8s %10.2f%n", keys, row.get("mean"), row.get("p1"),
                    row.get("p99"), row.get("max"), row.get("p99_over_mean"));
        }
        int keys = Arrays.stream(keyCounts).max().orElseThrow();
        List<Map<String, Object>> byVnodes = new ArrayList<>();
        System.out.printf("%n%-10s %10s %8s %8s %8s %10s   (K = %d)%n", "vnodes", "mean", "p1", "p99", "max",
                "p99/mean", keys);
        for (int v : vnodeCounts) {
            Map<String, Object> row = row(keys, v);
            byVnodes.add(row);
            System.out.printf("%-10d %10.1f %8s %8s %8s %10.2f%n", v, row.get("mean"), row.get("p1"), row.get("p99"),
                    row.get("max"), row.get("p99_over_mean"));
        }
        if (json) {
            report.put("by_keys", byKeys).put("by_vnodes", byVnodes);
        }
        report.print(System.out, json);
        return 0;
    }

    /** Keys per host for {@code keys} random keys and {@code vnodes} vnodes per host. */
    private Map<String, Object> row(int keys, int vnodes) {
        int total = nodes * vnodes;
        Id[] ids = new Id[total];
        int[] hostOf = new int[total];
        Integer[] order = new Integer[total];
        for (int h = 0; h < nodes; h++) {
            String ip = SimRing.address(h);
            for (int v = 0; v < vnodes; v++) {
                ids[h * vnodes + v] = Id.ofNode(ip, v);
                order[h * vnodes + v] = h * vnodes + v;
            }
        }
        Arrays.sort(order, (a, b) -> ids[a].compareTo(ids[b]));
        Id[] sorted = new Id[total];
        int[] sortedHost = new int[total];
        for (int i = 0; i < total; i++) {
            sorted[i] = ids[order[i]];
            sortedHost[i] = order[i] / vnodes;
        }
        long[] perHost = new long[nodes];
        SplittableRandom random = new SplittableRandom(seed);
        byte[] bytes = new byte[Id.BYTES];
        for (int k = 0; k < keys; k++) {
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) random.nextInt(256);
            }
            int at = Arrays.binarySearch(sorted, Id.fromBytes(bytes, 0));
            int owner = at >= 0 ? at : -at - 1;
            perHost[sortedHost[owner == total ? 0 : owner]]++;
        }
        Arrays.sort(perHost);
        double mean = (double) keys / nodes;
        long p99 = percentile(perHost, 0.99);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("keys", keys);
        row.put("vnodes", vnodes);
        row.put("mean", mean);
        row.put("p1", percentile(perHost, 0.01));
        row.put("p99", p99);
        row.put("max", perHost[nodes - 1]);
        row.put("p99_over_mean", p99 / mean);
        return row;
    }

    /** The value at or below which a fraction q of the sorted values lie (nearest rank). */
    private static long percentile(long[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
