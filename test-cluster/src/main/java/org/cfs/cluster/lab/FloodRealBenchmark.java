package org.cfs.cluster.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.cluster.BlockWire;
import org.cfs.cluster.NodeProcesses;
import org.cfs.dhash.ContentBlock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Fair sharing under a flood, across processes: a ring of real {@code cfs node} processes
 * (RocksDB, synced writes, each on its own loopback address), a reader on 127.1.0.21 getting
 * blocks it stored on the first node one at a time, and a flooder process on 127.1.0.20 storing
 * new blocks straight at that node, open loop at --rate. Every other get goes to a second node the
 * flood does not reach: a control, showing what the flood's CPU on the shared cores alone does to
 * a get. The reader's latency alone, under a flood
 * of stores the node refuses after decoding (bad keys: the flood's network and CPU cost without
 * its disk writes), under the real flood, and alone again after; the flooder's achieved and
 * refused rates; and the CPU each process took in each phase.
 */
@Command(name = "flood-real", mixinStandardHelpOptions = true,
        description = "Real node processes: one host's get latency (p50/p99) on a node alone and while another host's"
                + " process floods that node with stores at --rate; stores taken and refused, CPU per process.")
final class FloodRealBenchmark implements Callable<Integer> {
    /** The flooder's and the reader's addresses: outside the range NodeProcesses hands the nodes. */
    private static final String FLOODER_HOST = "127.1.0.20";
    private static final String READER_HOST = "127.1.0.21";
    /** Bound on a node logging that it started or joined (the node's own join bound is 60 s). */
    private static final Duration START_BOUND = Duration.ofSeconds(90);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Bound on the flooder starting to send, and on its final report once told to stop. */
    private static final Duration FLOODER_BOUND = Duration.ofSeconds(60);
    private static final int STORED_BLOCKS = 200;
    private static final String HEAP = "512m";
    /** Room for the flooder's 100,000 stores outstanding at most (10 s at the default rate). */
    private static final String FLOODER_HEAP = "1g";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--runs", defaultValue = "1", description = "Runs, each on a new ring; figures are their medians"
            + " (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--nodes", defaultValue = "3", description = "Node processes (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--seconds", defaultValue = "10", description = "The reader's time in each phase"
            + " (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warm-up", defaultValue = "3", description = "Seconds the flood runs before the reader"
            + " measures (default ${DEFAULT-VALUE}).")
    int warmUp;

    @Option(names = "--rate", defaultValue = "10000", description = "Stores a second the flooder sends"
            + " (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--size", defaultValue = "1024", description = "Block size in bytes (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--flooder-cpu", defaultValue = "-1", description = "Run the flooder alone on this CPU and"
            + " everything else (nodes, reader) on the others, as if the flooder were another machine"
            + " (taskset; default: no pinning).")
    int flooderCpu;

    private String otherCpus;
    /** The machine's CPUs, counted before this process is pinned to some of them. */
    private int cores;

    @Option(names = "--json", description = "End with one JSON object.")
    boolean json;

    /** Phases in the order they run; the floods are the flooder's. */
    private enum PhaseKind {
        ALONE("alone", null), BAD_KEYS("bad_keys_flood", true), FLOOD("flood", false), AFTER("after", null);

        final String label;
        /** Null: no flooder; else whether the flooder sends bad keys. */
        final Boolean badKeys;

        PhaseKind(String label, Boolean badKeys) {
            this.label = label;
            this.badKeys = badKeys;
        }
    }

    /** What the flooder process reported, or all zero for a phase without one. */
    private record FloodCounts(double seconds, long sent, long notSent, long stored, long refusedBusy,
                               long refusedOther, long failed) {
        static final FloodCounts NONE = new FloodCounts(0, 0, 0, 0, 0, 0, 0);

        static FloodCounts of(JsonNode r) {
            return new FloodCounts(r.get("seconds").asDouble(), r.get("sent").asLong(), r.get("not_sent").asLong(),
                    r.get("stored").asLong(), r.get("refused_busy").asLong(), r.get("refused_other").asLong(),
                    r.get("failed").asLong());
        }

        double perSecond(long count) {
            return seconds > 0 ? count / seconds : 0;
        }
    }

    /**
     * The reader's gets of one phase, alternating between the flooded node and a control node the
     * flood does not reach: latencies in microseconds, and the gets that failed.
     */
    private record Reads(Histogram target, Histogram control, long errors) {
    }

    /** One phase: the reader's gets, CPU in cores, the flood. */
    private record Phase(Reads reads, CpuUse.Cores cpu, FloodCounts flood) {
        Histogram micros() {
            return reads.target();
        }

        long errors() {
            return reads.errors();
        }

        double p(double percentile) {
            return reads.target().getValueAtPercentile(percentile) / 1000.0;
        }

        double control(double percentile) {
            return reads.control().getValueAtPercentile(percentile) / 1000.0;
        }
    }

    private record Run(List<Phase> phases) {
        Phase get(PhaseKind kind) {
            return phases.get(kind.ordinal());
        }
    }

    @Override
    public Integer call() throws Exception {
        if (runs < 1 || nodes < 2 || nodes > 16 || seconds < 1 || warmUp < 0 || rate < 1 || size < 1) {
            throw new IllegalArgumentException("--runs, --seconds, --rate and --size must be at least 1, --warm-up at"
                    + " least 0, --nodes 2..16");
        }
        double loadBefore = CpuUse.loadAverage();
        cores = Runtime.getRuntime().availableProcessors();
        if (flooderCpu >= 0) {
            pinSelf();
        }
        List<Run> done = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            Run run = runOnce();
            printPhases(run, i + 1);
            done.add(run);
        }
        report(done, loadBefore);
        return 0;
    }

    /** Every CPU but the flooder's, as a {@code taskset -c} list; found before this process is pinned. */
    private String otherCpus() {
        if (otherCpus != null) {
            return otherCpus;
        }
        int count = Runtime.getRuntime().availableProcessors();
        if (flooderCpu >= count || count < 2) {
            throw new IllegalArgumentException("--flooder-cpu " + flooderCpu + " needs another CPU beside it; this"
                    + " machine has " + count);
        }
        otherCpus = java.util.stream.IntStream.range(0, count).filter(c -> c != flooderCpu)
                .mapToObj(String::valueOf).collect(java.util.stream.Collectors.joining(","));
        return otherCpus;
    }

    /** Moves every thread of this (the reader's) process off the flooder's CPU. */
    private void pinSelf() throws Exception {
        Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", otherCpus(),
                String.valueOf(ProcessHandle.current().pid())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(NodeProcesses.STOP_BOUND.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("taskset could not pin the lab process: " + out.strip());
        }
    }

    /** The ring's node processes (4 vnodes each, the node's default), started and joined; closed on failure. */
    private NodeProcesses startRing(Path dir) throws Exception {
        NodeProcesses ring = new NodeProcesses(dir, nodes, 4, HEAP);
        if (flooderCpu >= 0) {
            ring.pinnedTo(otherCpus());
        }
        try {
            ring.startRing("flood", START_BOUND);
            return ring;
        } catch (Exception | Error e) {
            ring.close();
            throw e;
        }
    }

    private Run runOnce() throws Exception {
        Path dir = Files.createTempDirectory("cfs-flood-real");
        boolean ok = false;
        try (NodeProcesses ring = startRing(dir);
             BlockWire reader = new BlockWire(READER_HOST, TIMEOUT)) {
            Endpoint target = ring.endpoint(0);
            Endpoint control = ring.endpoint(1);
            progress("ring of " + nodes + " node processes up; target " + target + " (pid " + ring.process(0).pid() + ")");
            SplittableRandom random = new SplittableRandom(9);
            List<Id> keys = new ArrayList<>();
            for (int i = 0; i < STORED_BLOCKS; i++) {
                ContentBlock b = new ContentBlock(bytes(random));
                reader.store(target, b.key(), b.encode()).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                reader.store(control, b.key(), b.encode()).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                keys.add(b.key());
            }
            gets(reader, target, control, keys, Duration.ofSeconds(2), random);
            List<Phase> phases = new ArrayList<>();
            for (PhaseKind kind : PhaseKind.values()) {
                progress("phase " + kind.label);
                phases.add(kind.badKeys == null ? measure(ring, null, reader, target, control, keys, random)
                        : flooded(ring, dir, kind.badKeys, reader, target, control, keys, random));
            }
            ok = true;
            return new Run(phases);
        } finally {
            if (ok) {
                Experiments.deleteTree(dir);
            } else {
                progress("kept the run's logs in " + dir);
            }
        }
    }

    /** A phase with the flooder running: started, warmed up, measured beside, stopped, its report read. */
    private Phase flooded(NodeProcesses ring, Path dir, boolean badKeys, BlockWire reader, Endpoint target,
                          Endpoint control, List<Id> keys, SplittableRandom random) throws Exception {
        List<String> command = List.of(NodeProcesses.java(), "-Xmx" + FLOODER_HEAP, "-cp",
                System.getProperty("java.class.path"), "org.cfs.cluster.Lab", "flood-sender",
                "--node", target.toString(), "--from", FLOODER_HOST, "--rate", String.valueOf(rate),
                "--size", String.valueOf(size), "--max-seconds", String.valueOf(warmUp + seconds + 120));
        List<String> args = new ArrayList<>(flooderCpu >= 0 ? List.of("taskset", "-c", String.valueOf(flooderCpu))
                : List.of());
        args.addAll(command);
        if (badKeys) {
            args.add("--bad-keys");
        }
        Process flooder = new ProcessBuilder(args)
                .redirectError(dir.resolve("flooder-" + (badKeys ? "bad-keys" : "flood") + ".log").toFile()).start();
        try {
            BlockingQueue<String> lines = lines(flooder);
            awaitLine(lines, flooder, line -> line.equals("flooding"));
            Thread.sleep(TimeUnit.SECONDS.toMillis(warmUp));
            Phase measured = measure(ring, flooder, reader, target, control, keys, random);
            OutputStream in = flooder.getOutputStream();
            in.write("stop\n".getBytes(StandardCharsets.US_ASCII));
            in.close();
            String last = awaitLine(lines, flooder, line -> line.startsWith("{"));
            if (!flooder.waitFor(NodeProcesses.STOP_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("flooder process " + flooder.pid() + " did not exit after its report");
            }
            return new Phase(measured.reads(), measured.cpu(), FloodCounts.of(JSON.readTree(last)));
        } finally {
            NodeProcesses.stop(List.of(flooder));
        }
    }

    /** The reader's gets for --seconds, with the CPU every process used meanwhile. */
    private Phase measure(NodeProcesses ring, Process flooder, BlockWire reader, Endpoint target, Endpoint control,
                          List<Id> keys, SplittableRandom random) throws Exception {
        CpuUse cpu = new CpuUse(ring, flooder);
        CpuUse.Snapshot before = cpu.snapshot();
        Reads reads = gets(reader, target, control, keys, Duration.ofSeconds(seconds), random);
        return new Phase(reads, cpu.since(before), FloodCounts.NONE);
    }

    /**
     * Gets stored blocks one at a time for {@code span}, every other one from the control node, so
     * both see the same moments of the machine's load.
     */
    private static Reads gets(BlockWire reader, Endpoint target, Endpoint control, List<Id> keys, Duration span,
                              SplittableRandom random) throws Exception {
        Histogram targetMicros = new Histogram(3);
        Histogram controlMicros = new Histogram(3);
        long errors = 0;
        long end = System.nanoTime() + span.toNanos();
        for (long i = 0; System.nanoTime() < end; i++) {
            boolean toTarget = i % 2 == 0;
            Id key = keys.get(random.nextInt(keys.size()));
            long t = System.nanoTime();
            try {
                byte[] block = reader.fetch(toTarget ? target : control, key)
                        .get(TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
                if (block.length == 0) {
                    throw new IllegalStateException("empty block for " + key.shortHex());
                }
                (toTarget ? targetMicros : controlMicros).recordValue(Math.max(1, (System.nanoTime() - t) / 1000));
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                errors++;
            }
        }
        return new Reads(targetMicros, controlMicros, errors);
    }

    /** The process's standard output, a line at a time, read on a daemon thread so waits on it can be bounded. */
    private static BlockingQueue<String> lines(Process p) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread t = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line = out.readLine();
                while (line != null) {
                    lines.add(line);
                    line = out.readLine();
                }
            } catch (IOException e) {
                lines.add("(output failed: " + e.getMessage() + ")");
            }
        }, "flooder-output");
        t.setDaemon(true);
        t.start();
        return lines;
    }

    /** The first line matching {@code wanted} within {@link #FLOODER_BOUND}; fails if the process exits first. */
    private static String awaitLine(BlockingQueue<String> lines, Process p,
                                    java.util.function.Predicate<String> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + FLOODER_BOUND.toNanos();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null && wanted.test(line)) {
                return line;
            }
            if (line == null && !p.isAlive() && lines.isEmpty()) {
                throw new IllegalStateException("flooder process " + p.pid() + " exited with " + p.exitValue()
                        + " early; see its log beside the node logs");
            }
        }
        throw new IllegalStateException("flooder process " + p.pid() + " said nothing expected within "
                + FLOODER_BOUND.toSeconds() + " s");
    }

    private byte[] bytes(SplittableRandom random) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        return b;
    }

    /** One run's phases side by side, for people. */
    private void printPhases(Run run, int number) {
        System.out.printf(Locale.ROOT, "run %d%n%-30s", number, "figure");
        for (PhaseKind k : PhaseKind.values()) {
            System.out.printf(Locale.ROOT, " %15s", k.label);
        }
        System.out.println();
        row(run, "reader gets", p -> p.micros().getTotalCount());
        row(run, "reader failed gets", Phase::errors);
        row(run, "reader p50 ms", p -> p.p(50));
        row(run, "reader p99 ms", p -> p.p(99));
        row(run, "reader p99.9 ms", p -> p.p(99.9));
        row(run, "reader max ms", p -> p.micros().getMaxValue() / 1000.0);
        row(run, "control node p50 ms", p -> p.control(50));
        row(run, "control node p99 ms", p -> p.control(99));
        row(run, "stores sent /s", p -> p.flood().perSecond(p.flood().sent()));
        row(run, "stores taken /s", p -> p.flood().perSecond(p.flood().stored()));
        row(run, "refused busy /s", p -> p.flood().perSecond(p.flood().refusedBusy()));
        row(run, "refused bad key /s", p -> p.flood().perSecond(p.flood().refusedOther()));
        row(run, "stores failed (no answer)", p -> p.flood().failed());
        row(run, "stores not sent (cap)", p -> p.flood().notSent());
        row(run, "cpu cores: target node", p -> p.cpu().target());
        row(run, "cpu cores: other nodes", p -> p.cpu().otherNodes());
        row(run, "cpu cores: flooder", p -> p.cpu().flooder());
        row(run, "cpu cores: reader (lab)", p -> p.cpu().reader());
        row(run, "cpu cores: whole machine", p -> p.cpu().machine());
    }

    private static void row(Run run, String name, java.util.function.ToDoubleFunction<Phase> value) {
        System.out.printf(Locale.ROOT, "%-30s", name);
        for (Phase p : run.phases()) {
            System.out.printf(Locale.ROOT, " %15.3f", value.applyAsDouble(p));
        }
        System.out.println();
    }

    private void report(List<Run> done, double loadBefore) {
        Report report = new Report("flood-real").put("date", LocalDate.now(Clock.systemUTC()).toString())
                .put("runs", runs).put("nodes", nodes).put("seconds", seconds).put("warm_up_s", warmUp)
                .put("flooder_cpu", flooderCpu >= 0 ? flooderCpu : null)
                .put("rate", rate).put("block_bytes", size)
                .put("cores", cores).put("load_average_before", loadBefore);
        RunTable<Run> table = new RunTable<>(done);
        for (PhaseKind k : PhaseKind.values()) {
            String n = k.label;
            table.figure(report, n + "_gets", r -> r.get(k).micros().getTotalCount());
            table.figure(report, n + "_failed_gets", r -> r.get(k).errors());
            table.figure(report, n + "_p50_ms", r -> r.get(k).p(50));
            table.figure(report, n + "_p99_ms", r -> r.get(k).p(99));
            table.figure(report, n + "_p999_ms", r -> r.get(k).p(99.9));
            table.figure(report, n + "_control_p50_ms", r -> r.get(k).control(50));
            table.figure(report, n + "_control_p99_ms", r -> r.get(k).control(99));
            table.figure(report, n + "_cpu_target_node", r -> r.get(k).cpu().target());
            table.figure(report, n + "_cpu_other_nodes", r -> r.get(k).cpu().otherNodes());
            table.figure(report, n + "_cpu_flooder", r -> r.get(k).cpu().flooder());
            table.figure(report, n + "_cpu_reader", r -> r.get(k).cpu().reader());
            table.figure(report, n + "_cpu_machine", r -> r.get(k).cpu().machine());
            if (k.badKeys != null) {
                table.figure(report, n + "_sent_per_s", r -> r.get(k).flood().perSecond(r.get(k).flood().sent()));
                table.figure(report, n + "_taken_per_s", r -> r.get(k).flood().perSecond(r.get(k).flood().stored()));
                table.figure(report, n + "_refused_busy_per_s",
                        r -> r.get(k).flood().perSecond(r.get(k).flood().refusedBusy()));
                table.figure(report, n + "_refused_other_per_s",
                        r -> r.get(k).flood().perSecond(r.get(k).flood().refusedOther()));
                table.figure(report, n + "_failed", r -> r.get(k).flood().failed());
                table.figure(report, n + "_not_sent", r -> r.get(k).flood().notSent());
                table.figure(report, n + "_p99_ratio", r -> r.get(k).p(99) / r.get(PhaseKind.ALONE).p(99));
                table.figure(report, n + "_control_p99_ratio",
                        r -> r.get(k).control(99) / r.get(PhaseKind.ALONE).control(99));
            }
        }
        table.figure(report, "after_p99_ratio", r -> r.get(PhaseKind.AFTER).p(99) / r.get(PhaseKind.ALONE).p(99));
        table.print(System.out);
        report.print(System.out, json);
    }

    private static void progress(String what) {
        System.err.println(java.time.LocalTime.now(Clock.systemUTC()).withNano(0) + " flood-real: " + what);
    }
}
