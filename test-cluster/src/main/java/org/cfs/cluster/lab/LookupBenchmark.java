package org.cfs.cluster.lab;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;
import org.cfs.chord.ChordNode;
import org.cfs.chord.Id;
import org.cfs.cluster.LoopbackRing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Lookups on real Netty nodes over loopback in one JVM: latency of one lookup at a time (p50,
 * p99), then throughput with many outstanding.
 */
@Command(name = "lookup-bench", mixinStandardHelpOptions = true,
        description = "N real nodes in one JVM, each on its own loopback address,: lookup latency p50/p99 one at a time, "
                + "then lookups per second with C outstanding.")
final class LookupBenchmark implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "16", description = "Hosts, one vnode each (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--lookups", defaultValue = "5000", description = "Lookups timed one at a time (default ${DEFAULT-VALUE}).")
    int lookups;

    @Option(names = "--concurrency", defaultValue = "64", description = "Outstanding lookups in the throughput run (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--seconds", defaultValue = "10", description = "Length of the throughput run (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--json", description = "End with one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try (LoopbackRing ring = new LoopbackRing(LoopbackRing.loopbackConfig())) {
            ring.growSequentially(nodes, 1);
            Experiments.requireStable(ring);
            ring.advance(Duration.ofSeconds(3));
            List<ChordNode> members = ring.nodes();
            SplittableRandom random = new SplittableRandom(1);

            for (int i = 0; i < Math.min(1000, lookups); i++) {
                randomNode(members, random).lookup(randomKey(random)).get(10, TimeUnit.SECONDS);
            }
            // Three significant digits: a 0.1% error in a latency printed to the microsecond.
            Histogram micros = new Histogram(3);
            double hops = 0;
            for (int i = 0; i < lookups; i++) {
                long t0 = System.nanoTime();
                hops += randomNode(members, random).lookup(randomKey(random)).get(10, TimeUnit.SECONDS).hops();
                micros.recordValue((System.nanoTime() - t0) / 1000);
            }

            Semaphore window = new Semaphore(concurrency);
            AtomicInteger done = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                window.acquire();
                randomNode(members, random).lookup(randomKey(random)).whenComplete((r, e) -> {
                    (e == null ? done : failed).incrementAndGet();
                    window.release();
                });
            }
            window.acquire(concurrency);
            double elapsed = (System.nanoTime() - start) / 1e9;

            new Report("lookup-bench")
                    .put("nodes", nodes)
                    .put("transport", "netty-loopback")
                    .put("lookups_timed", lookups)
                    .put("mean_hops", hops / lookups)
                    .put("latency_p50_us", micros.getValueAtPercentile(50))
                    .put("latency_p99_us", micros.getValueAtPercentile(99))
                    .put("concurrency", concurrency)
                    .put("throughput_lookups_per_s", done.get() / elapsed)
                    .put("throughput_failed", failed.get())
                    .put("cores", Runtime.getRuntime().availableProcessors())
                    .print(System.out, json);
            return failed.get() == 0 ? 0 : 1;
        }
    }

    private static ChordNode randomNode(List<ChordNode> members, SplittableRandom random) {
        return members.get(random.nextInt(members.size()));
    }

    private static Id randomKey(SplittableRandom random) {
        byte[] bytes = new byte[Id.BYTES];
        random.nextBytes(bytes);
        return Id.fromBytes(bytes, 0);
    }
}
