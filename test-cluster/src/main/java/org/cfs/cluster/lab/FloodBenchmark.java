package org.cfs.cluster.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.cfs.chord.ByteSize;
import org.cfs.chord.ChordClient;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.SystemScheduler;
import org.cfs.chord.netty.NettyTransport;
import org.cfs.cluster.LoopbackAddresses;
import org.cfs.cluster.LoopbackDHashRing;
import org.cfs.cluster.LoopbackRing;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHash;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.DHashMessages;
import org.cfs.dhash.StoreLimits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Fair sharing under a flood, on real nodes: a ring of three hosts (RocksDB, synced writes, k = 3),
 * a reader that gets stored blocks one at a time, first alone and then while a flooder puts new
 * blocks as fast as the ring takes them (up to --rate a second, --in-flight outstanding), each on a
 * loopback address of its own. The reader's latency in both phases, side by side, and what the
 * flooder got through.
 */
@Command(name = "flood", mixinStandardHelpOptions = true,
        description = "3 real nodes with RocksDB: one host's get latency (p50/p99) alone and while another host"
                + " floods the ring with puts; the puts taken and refused.")
final class FloodBenchmark implements Callable<Integer> {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Option(names = "--seconds", defaultValue = "10", description = "Length of each phase (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--rate", defaultValue = "10000", description = "Most puts a second the flooder sends"
            + " (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--in-flight", defaultValue = "1000", description = "Most puts the flooder has outstanding"
            + " (default ${DEFAULT-VALUE}).")
    int inFlight;

    @Option(names = "--size", defaultValue = "1024", description = "Block size in bytes (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--json", description = "End with one JSON object.")
    boolean json;

    /** One outside host: its own transport, bound to its own loopback address, and a DHash client. */
    private record Client(SystemScheduler scheduler, NettyTransport transport, DHash dhash) implements AutoCloseable {
        static Client at(String localHost, Endpoint via) {
            SystemScheduler scheduler = SystemScheduler.create("flood-" + localHost);
            NettyTransport transport = NettyTransport.client(DHashMessages.registry(),
                    NettyTransport.Options.defaults().withLocalHost(localHost));
            DHash dhash = DHash.client(new ChordClient(transport, scheduler, ChordConfig.defaults()), via, transport,
                    scheduler, DHashConfig.defaults(), Clock.systemUTC());
            return new Client(scheduler, transport, dhash);
        }

        @Override
        public void close() {
            dhash.close();
            transport.close();
            scheduler.close();
        }
    }

    @Override
    public Integer call() throws Exception {
        if (seconds < 1 || rate < 1 || inFlight < 1 || size < 1) {
            throw new IllegalArgumentException("--seconds, --rate, --in-flight and --size must each be at least 1");
        }
        Path dir = Files.createTempDirectory("cfs-flood");
        Report report = new Report("flood").put("nodes", 3).put("seconds", seconds).put("rate", rate)
                .put("in_flight", inFlight).put("block_bytes", size);
        // Quotas lifted: this measures turns, not quotas.
        StoreLimits limits = new StoreLimits(ByteSize.ofGiB(1024), 1.0);
        try (LoopbackDHashRing ring = new LoopbackDHashRing(LoopbackRing.loopbackConfig(), DHashConfig.defaults(),
                limits, dir)) {
            ring.growSequentially(3, 1);
            Experiments.requireStable(ring);
            Endpoint via = ring.hosts().get(0).endpoint();
            try (Client reader = Client.at(LoopbackAddresses.next(), via);
                    Client flooder = Client.at(LoopbackAddresses.next(), via)) {
                SplittableRandom random = new SplittableRandom(9);
                List<Id> stored = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    ContentBlock b = new ContentBlock(bytes(random));
                    reader.dhash().put(b).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                    stored.add(b.key());
                }
                gets(reader.dhash(), stored, Duration.ofSeconds(2), random);
                Histogram alone = gets(reader.dhash(), stored, Duration.ofSeconds(seconds), random);
                Flood flood = new Flood(flooder.dhash());
                Thread sender = new Thread(flood::run, "flooder");
                sender.start();
                Histogram flooded;
                try {
                    Thread.sleep(1000);
                    flooded = gets(reader.dhash(), stored, Duration.ofSeconds(seconds), random);
                } finally {
                    flood.stop.set(true);
                    sender.join(TIMEOUT.toMillis());
                }
                put(report, "alone", alone);
                put(report, "flooded", flooded);
                report.put("p99_ratio", flooded.getValueAtPercentile(99) / (double) alone.getValueAtPercentile(99))
                        .put("flood_sent", flood.sent.get())
                        .put("flood_stored", flood.stored.get())
                        .put("flood_refused", flood.refused.get())
                        .put("flood_puts_per_s", flood.stored.get() / (double) (seconds + 1));
            }
        } finally {
            Experiments.deleteTree(dir);
        }
        report.put("cores", Runtime.getRuntime().availableProcessors()).print(System.out, json);
        return 0;
    }

    private static void put(Report report, String phase, Histogram micros) {
        report.put(phase + "_gets", micros.getTotalCount())
                .put(phase + "_p50_ms", micros.getValueAtPercentile(50) / 1000.0)
                .put(phase + "_p99_ms", micros.getValueAtPercentile(99) / 1000.0)
                .put(phase + "_max_ms", micros.getMaxValue() / 1000.0);
    }

    /** Gets of stored blocks one at a time for {@code span}; their latencies in microseconds. */
    private static Histogram gets(DHash dhash, List<Id> stored, Duration span, SplittableRandom random)
            throws Exception {
        Histogram micros = new Histogram(3);
        long end = System.nanoTime() + span.toNanos();
        while (System.nanoTime() < end) {
            Id key = stored.get(random.nextInt(stored.size()));
            long t = System.nanoTime();
            dhash.get(key).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            micros.recordValue(Math.max(1, (System.nanoTime() - t) / 1000));
        }
        return micros;
    }

    private byte[] bytes(SplittableRandom random) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        return b;
    }

    /** Puts new blocks as fast as allowed until stopped; counts what got through and what was refused. */
    private final class Flood {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong sent = new AtomicLong();
        final AtomicLong stored = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        private final DHash dhash;

        Flood(DHash dhash) {
            this.dhash = dhash;
        }

        void run() {
            Semaphore outstanding = new Semaphore(inFlight);
            SplittableRandom random = new SplittableRandom(17);
            long start = System.nanoTime();
            long nanosPerPut = TimeUnit.SECONDS.toNanos(1) / rate;
            try {
                for (long i = 0; !stop.get(); i++) {
                    long due = start + i * nanosPerPut;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    if (!outstanding.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        continue;
                    }
                    sent.incrementAndGet();
                    dhash.put(new ContentBlock(bytes(random))).whenComplete((ok, e) -> {
                        outstanding.release();
                        (e == null ? stored : refused).incrementAndGet();
                    });
                }
                outstanding.tryAcquire(inFlight, TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
