package org.cfs.cluster.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.cfs.chord.ByteSize;
import org.cfs.chord.Id;
import org.cfs.cluster.BlockLoad;
import org.cfs.cluster.LoopbackDHashRing;
import org.cfs.cluster.LoopbackRing;
import org.cfs.dhash.Block;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHash;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.StoreLimits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * DHash on real Netty nodes over loopback in one JVM, each with a RocksDB store (synced writes)
 * in a temporary directory: for each block size, put latency one at a time (p50, p99) and put
 * throughput with many outstanding, then the same for gets of the blocks just stored.
 */
@Command(name = "dhash-bench", mixinStandardHelpOptions = true,
        description = "N real nodes in one JVM, each on its own loopback address, with RocksDB stores: for each block size, put and"
                + " get latency p50/p99 one at a time, then blocks/s and MB/s with C outstanding.")
final class DHashBenchmark implements Callable<Integer> {
    private static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(30);

    @Option(names = "--nodes", defaultValue = "16", description = "Hosts, one vnode each (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--sizes", split = ",", defaultValue = "1024,262144",
            description = "Block sizes in bytes, comma-separated (default ${DEFAULT-VALUE}).")
    int[] sizes;

    @Option(names = "--ops", defaultValue = "500",
            description = "Operations timed one at a time, per size and kind (default ${DEFAULT-VALUE}).")
    int ops;

    @Option(names = "--concurrency", defaultValue = "32",
            description = "Outstanding operations in the throughput runs (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--seconds", defaultValue = "10",
            description = "Length of each throughput run (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--replicas", defaultValue = "3", description = "Copies of each block (default ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--json", description = "End with one JSON object.")
    boolean json;

    private final SplittableRandom random = new SplittableRandom(1);
    private final AtomicInteger failed = new AtomicInteger();

    @Override
    public Integer call() throws Exception {
        check(nodes >= 1 && ops >= 1 && concurrency >= 1 && seconds >= 1,
                "--nodes, --ops, --concurrency and --seconds must each be at least 1");
        for (int size : sizes) {
            check(size >= 1 && size <= Block.DEFAULT_MAX_DATA,
                    "block size " + size + " is outside 1.." + Block.DEFAULT_MAX_DATA);
        }
        Path dir = Files.createTempDirectory("dhash-bench");
        Report report = new Report("dhash-bench")
                .put("nodes", nodes)
                .put("transport", "netty-loopback")
                .put("store", "rocksdb-sync")
                .put("replicas", replicas)
                .put("concurrency", concurrency);
        // One host sends every put, so the per-source quota is lifted: this measures speed, not quotas.
        StoreLimits limits = new StoreLimits(ByteSize.ofGiB(1024), 1.0);
        DHashConfig config = DHashConfig.defaults().withReplicas(replicas);
        try (LoopbackDHashRing ring = new LoopbackDHashRing(LoopbackRing.loopbackConfig(), config, limits, dir)) {
            ring.growSequentially(nodes, 1);
            Experiments.requireStable(ring);
            List<DHash> members = ring.hosts().stream().map(ring::on).toList();
            putLatency(members, 1024, Math.min(ops, 200));
            for (int size : sizes) {
                measure(members, size, report);
            }
        } finally {
            Experiments.deleteTree(dir);
        }
        report.put("failures", failed.get())
                .put("cores", Runtime.getRuntime().availableProcessors())
                .print(System.out, json);
        return failed.get() == 0 ? 0 : 1;
    }

    /** Puts then gets of one size; the keys stored by the puts are what the gets read. */
    private void measure(List<DHash> members, int size, Report report) throws Exception {
        String name = label(size);
        List<Id> stored = new ArrayList<>();
        Histogram putMicros = putLatency(members, size, ops, stored);
        Throughput puts = throughput(members, size, () -> {
            byte[] data = new byte[size];
            random.nextBytes(data);
            return data;
        }, (dhash, data) -> dhash.put(new ContentBlock(data)).thenApply(r -> {
            synchronized (stored) {
                stored.add(r.key());
            }
            return r;
        }));
        List<Id> keys = List.copyOf(stored);
        Histogram getMicros = latencies();
        for (int i = 0; i < ops; i++) {
            Id key = keys.get(random.nextInt(keys.size()));
            getMicros.recordValue(timed(() -> pick(members).get(key)));
        }
        Throughput gets = throughput(members, size, () -> keys.get(random.nextInt(keys.size())),
                (dhash, key) -> dhash.get(key));
        report.put("put_" + name + "_p50_ms", millis(putMicros, 50))
                .put("put_" + name + "_p99_ms", millis(putMicros, 99))
                .put("put_" + name + "_blocks_per_s", puts.perSecond())
                .put("put_" + name + "_mb_per_s", puts.perSecond() * size / 1e6)
                .put("get_" + name + "_p50_ms", millis(getMicros, 50))
                .put("get_" + name + "_p99_ms", millis(getMicros, 99))
                .put("get_" + name + "_blocks_per_s", gets.perSecond())
                .put("get_" + name + "_mb_per_s", gets.perSecond() * size / 1e6);
    }

    private Histogram putLatency(List<DHash> members, int size, int count) throws Exception {
        return putLatency(members, size, count, new ArrayList<>());
    }

    /** Puts {@code count} blocks one at a time; their latencies in microseconds. */
    private Histogram putLatency(List<DHash> members, int size, int count, List<Id> stored) throws Exception {
        Histogram micros = latencies();
        for (int i = 0; i < count; i++) {
            ContentBlock block = BlockLoad.block(size, random);
            micros.recordValue(timed(() -> pick(members).put(block)));
            stored.add(block.key());
        }
        return micros;
    }

    /** Microseconds to three significant digits: a 0.1% error in a figure printed to the microsecond. */
    private static Histogram latencies() {
        return new Histogram(3);
    }

    private long timed(Supplier<CompletableFuture<?>> operation) throws Exception {
        long t0 = System.nanoTime();
        try {
            operation.get().get(OPERATION_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            failed.incrementAndGet();
        }
        return (System.nanoTime() - t0) / 1000;
    }

    private record Throughput(int done, double elapsedSeconds) {
        double perSecond() {
            return done / elapsedSeconds;
        }
    }

    /** Keeps {@link #concurrency} operations outstanding for {@link #seconds}, each on a random node. */
    private <T> Throughput throughput(List<DHash> members, int size, Supplier<T> next,
                                      BiFunction<DHash, T, CompletableFuture<?>> operation)
            throws InterruptedException {
        Semaphore window = new Semaphore(concurrency);
        AtomicInteger done = new AtomicInteger();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            if (!window.tryAcquire(OPERATION_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException(concurrency + " operations on " + size
                        + "-byte blocks made no progress in " + OPERATION_TIMEOUT.toSeconds() + " s");
            }
            operation.apply(pick(members), next.get()).whenComplete((r, e) -> {
                (e == null ? done : failed).incrementAndGet();
                window.release();
            });
        }
        if (!window.tryAcquire(concurrency, OPERATION_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException("the last operations did not finish within " + OPERATION_TIMEOUT);
        }
        return new Throughput(done.get(), (System.nanoTime() - start) / 1e9);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private DHash pick(List<DHash> members) {
        return members.get(random.nextInt(members.size()));
    }

    private static double millis(Histogram micros, double percentile) {
        return micros.getValueAtPercentile(percentile) / 1000.0;
    }

    private static String label(int size) {
        return size % 1024 == 0 ? size / 1024 + "k" : size + "b";
    }

}
