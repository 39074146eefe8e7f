package org.cfs.cluster.lab;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import org.cfs.chord.ByteSize;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.Id;
import org.cfs.cluster.lab.ChunkedFile.EditCost;
import org.cfs.cluster.BlockLoad;
import org.cfs.cluster.LoopbackDHashRing;
import org.cfs.cluster.LoopbackRing;
import org.cfs.dhash.Block;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHash;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.StoreLimits;
import org.cfs.fs.FastCdc;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What the FastCDC chunk size costs and buys. For each average size (min = avg/4, max = 4 avg up
 * to DHash's 1 MiB block limit), on one random file: the chunks and bytes a re-publish must send
 * after changing one byte in the middle and after inserting 100 bytes at the start (and the mean
 * and worst of each over many places); chunking throughput; and the rate at which real nodes on
 * loopback (RocksDB, k replicas) serve that file's chunks with many fetches outstanding.
 */
@Command(name = "chunking", mixinStandardHelpOptions = true,
        description = "FastCDC parameters: new chunks and bytes after small edits, chunking MB/s, and fetch"
                + " MB/s of the chunks on N real nodes on loopback addresses of their own with RocksDB.")
final class ChunkingExperiment implements Callable<Integer> {
    private static final int KIB = 1024;
    private static final int MIB = 1 << 20;
    private static final int INSERTED_BYTES = 100;
    /** Chunking runs per candidate; the median is reported. */
    private static final int CHUNKING_RUNS = 3;
    /** Bounds the read passes when a pass is very fast. */
    private static final int MAX_READ_PASSES = 10_000;
    private static final Duration CHORD_REQUEST_TIMEOUT = Duration.ofSeconds(2);
    /** Puts only set up the reads, so they go a few at a time and leave the ring responsive. */
    private static final int PUT_WINDOW = 8;

    @Option(names = "--mib", defaultValue = "100",
            description = "Size of the random file in MiB (default ${DEFAULT-VALUE}).")
    int mib;

    @Option(names = "--avg-kib", split = ",", defaultValue = "8,16,32,64,128,256",
            description = "Average chunk sizes in KiB, powers of two (default ${DEFAULT-VALUE}).")
    int[] avgKib;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the file's bytes (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--nodes", defaultValue = "5", description = "Hosts, one vnode each (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--replicas", defaultValue = "3", description = "Copies of each block (default ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--concurrency", defaultValue = "32",
            description = "Fetches outstanding (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--read-mib", defaultValue = "64",
            description = "MiB at the start of the file stored and read back per candidate (default ${DEFAULT-VALUE}).")
    int readMib;

    @Option(names = "--seconds", defaultValue = "5",
            description = "Least time spent reading per candidate, in whole passes (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--edits", defaultValue = "101",
            description = "Places each kind of edit is also made at, spread evenly (default ${DEFAULT-VALUE}).")
    int edits;

    @Option(names = "--json", description = "End with one JSON object.")
    boolean json;

    /**
     * One kind of edit: its cost at its named place (a flip in the middle, an insertion at the
     * start), and the mean and worst over edits spread evenly through the file.
     */
    private record Edits(EditCost named, double meanChunks, int maxChunks, double meanBytes) {
    }

    /** Fetch throughput over whole passes of a candidate's stored chunks. */
    private record ReadRate(double blocksPerSecond, double mbPerSecond, int passes) {
    }

    /** What one candidate gives without a ring: its cuts of the file, speed, and the edits' costs. */
    private record Offline(FastCdc cdc, ChunkedFile chunked, double chunkMbPerSecond, Edits oneByte, Edits insert) {
    }

    private record Row(Offline offline, ReadRate reads) {
        FastCdc cdc() {
            return offline.cdc();
        }

        int chunks() {
            return offline.chunked().chunks();
        }

        String label() {
            return cdc().avgSize() / KIB + "k";
        }
    }

    @Override
    public Integer call() throws Exception {
        check(mib >= 1 && mib <= 1024, "--mib must be within 1..1024, got " + mib);
        check(nodes >= 1 && replicas >= 1 && concurrency >= 1 && seconds >= 1 && edits >= 1,
                "--nodes, --replicas, --concurrency, --seconds and --edits must each be at least 1");
        check(readMib >= 1 && readMib <= mib, "--read-mib must be within 1..--mib, got " + readMib);
        for (int avg : avgKib) {
            check(avg >= 1 && avg <= 512,
                    "--avg-kib values must be within 1..512 so that avg stays below the block limit, got " + avg);
        }
        List<FastCdc> candidates = Arrays.stream(avgKib).mapToObj(ChunkingExperiment::candidate).toList();
        long wall = System.nanoTime();
        byte[] file = randomBytes(seed, mib * MIB);
        byte[] insertion = randomBytes(seed + 1, INSERTED_BYTES);
        List<Offline> offline = new ArrayList<>();
        for (FastCdc cdc : candidates) {
            System.err.println("chunking: cutting with " + cdc);
            ChunkedFile chunked = new ChunkedFile(cdc, file);
            offline.add(new Offline(cdc, chunked, chunkingMbPerSecond(cdc, file), oneByteEdits(chunked, file),
                    insertEdits(chunked, file, insertion)));
        }
        List<ReadRate> reads = readRates(offline, file);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < offline.size(); i++) {
            rows.add(new Row(offline.get(i), reads.get(i)));
        }
        printTable(rows);
        report(rows, file, wall).print(System.out, json);
        return 0;
    }

    /** min = avg/4 as in the paper, max = 4 avg capped at DHash's block limit. */
    private static FastCdc candidate(int avgKib) {
        int avg = avgKib * KIB;
        return new FastCdc(avg / 4, avg, Math.min(4 * avg, Block.DEFAULT_MAX_DATA));
    }

    /** Byte flips: in the middle, re-cutting the whole file, and at --edits places. */
    private Edits oneByteEdits(ChunkedFile chunked, byte[] file) {
        int middle = file.length / 2;
        byte[] edited = file.clone();
        edited[middle] ^= 0x01;
        EditCost named = crossChecked(chunked.costOf(edited),
                chunked.costOf(middle, 1, new byte[] {edited[middle]}));
        return spread(named, at -> chunked.costOf(at, 1, new byte[] {(byte) (file[at] ^ 0x01)}), file.length);
    }

    /** 100 bytes inserted: at the start, re-cutting the whole file, and at --edits places. */
    private Edits insertEdits(ChunkedFile chunked, byte[] file, byte[] insertion) {
        byte[] edited = new byte[file.length + insertion.length];
        System.arraycopy(insertion, 0, edited, 0, insertion.length);
        System.arraycopy(file, 0, edited, insertion.length, file.length);
        EditCost named = crossChecked(chunked.costOf(edited), chunked.costOf(0, 0, insertion));
        return spread(named, at -> chunked.costOf(at, 0, insertion), file.length);
    }

    /** The quick way must agree with cutting the whole edited file, or its figures are not worth having. */
    private static EditCost crossChecked(EditCost whole, EditCost local) {
        if (!whole.equals(local)) {
            throw new IllegalStateException("re-cutting near the edit gave " + local + ", the whole file " + whole);
        }
        return whole;
    }

    /** Edits at the middles of --edits equal slices of the file. */
    private Edits spread(EditCost named, IntFunction<EditCost> editAt, int fileLength) {
        long chunks = 0;
        long bytes = 0;
        int max = 0;
        for (int i = 0; i < edits; i++) {
            EditCost cost = editAt.apply((int) ((2L * i + 1) * fileLength / (2L * edits)));
            chunks += cost.chunks();
            bytes += cost.bytes();
            max = Math.max(max, cost.chunks());
        }
        return new Edits(named, (double) chunks / edits, max, (double) bytes / edits);
    }

    /** Median over runs of the streaming chunker, as a publisher reads a file, copies included. */
    private static double chunkingMbPerSecond(FastCdc cdc, byte[] file) throws IOException {
        double[] rates = new double[CHUNKING_RUNS];
        for (int run = 0; run < CHUNKING_RUNS; run++) {
            long t0 = System.nanoTime();
            FastCdc.Chunks chunks = cdc.chunks(new ByteArrayInputStream(file));
            long total = 0;
            for (byte[] c = chunks.next(); c != null; c = chunks.next()) {
                total += c.length;
            }
            rates[run] = total / 1e6 / ((System.nanoTime() - t0) / 1e9);
        }
        Arrays.sort(rates);
        return rates[CHUNKING_RUNS / 2];
    }

    /** One ring for all candidates; each stores the chunks of the file's first --read-mib and reads them. */
    private List<ReadRate> readRates(List<Offline> candidates, byte[] file) throws Exception {
        Path dir = Files.createTempDirectory("chunking");
        // One process sends every put, so the per-source quota is lifted: this measures speed.
        StoreLimits limits = new StoreLimits(ByteSize.of(1L << 40), 1.0);
        DHashConfig config = DHashConfig.defaults().withReplicas(replicas);
        List<ReadRate> out = new ArrayList<>();
        // A lookup request can wait behind megabytes of block traffic on its connection, and on
        // a loaded machine past the loopback default of 500 ms; a timeout there would count a live
        // node as dead and measure failure handling instead of throughput.
        ChordConfig chord = LoopbackRing.loopbackConfig().withRequestTimeout(CHORD_REQUEST_TIMEOUT);
        try (LoopbackDHashRing ring = new LoopbackDHashRing(chord, config, limits, dir)) {
            ring.growSequentially(nodes, 1);
            Experiments.requireStable(ring);
            List<DHash> members = ring.hosts().stream().map(ring::on).toList();
            SplittableRandom pick = new SplittableRandom(seed);
            for (int i = 0; i < candidates.size(); i++) {
                ChunkedFile chunked = candidates.get(i).chunked();
                System.err.println("chunking: storing and reading the chunks of " + candidates.get(i).cdc());
                List<ContentBlock> blocks = blocks(chunked, file);
                List<Id> keys = store(members, pick, blocks);
                out.add(read(members, pick, keys, blocks.stream().mapToLong(b -> b.data().length).sum()));
            }
        } finally {
            Experiments.deleteTree(dir);
        }
        return out;
    }

    /** The chunks that cover the first --read-mib of the file. */
    private List<ContentBlock> blocks(ChunkedFile chunked, byte[] file) {
        List<ContentBlock> blocks = new ArrayList<>();
        for (int i = 0; i < chunked.chunks() && chunked.start(i) < (long) readMib * MIB; i++) {
            int start = chunked.start(i);
            blocks.add(new ContentBlock(Arrays.copyOfRange(file, start, start + chunked.length(i))));
        }
        return blocks;
    }

    /** Puts the blocks; their keys in file order. */
    private List<Id> store(List<DHash> members, SplittableRandom pick, List<ContentBlock> blocks)
            throws InterruptedException {
        requireAll("put", BlockLoad.inWindow(blocks, PUT_WINDOW,
                b -> members.get(pick.nextInt(members.size())).put(b)));
        return blocks.stream().map(ContentBlock::key).toList();
    }

    /**
     * Fetches every key in file order, {@link #concurrency} outstanding, each from a random
     * member: one untimed pass to warm up, then whole passes until --seconds have passed.
     */
    private ReadRate read(List<DHash> members, SplittableRandom pick, List<Id> keys, long passBytes)
            throws InterruptedException {
        requireAll("get", readPass(members, pick, keys));
        int passes = 0;
        long t0 = System.nanoTime();
        long elapsed;
        do {
            requireAll("get", readPass(members, pick, keys));
            passes++;
            elapsed = System.nanoTime() - t0;
        } while (elapsed < seconds * 1_000_000_000L && passes < MAX_READ_PASSES);
        double secondsTaken = elapsed / 1e9;
        return new ReadRate(passes * (double) keys.size() / secondsTaken,
                passes * (double) passBytes / 1e6 / secondsTaken, passes);
    }

    private List<CompletableFuture<Block>> readPass(List<DHash> members, SplittableRandom pick, List<Id> keys)
            throws InterruptedException {
        return BlockLoad.inWindow(keys, concurrency, key -> members.get(pick.nextInt(members.size())).get(key));
    }

    /** A benchmark of failing operations measures nothing: the first failure ends the run. */
    private static void requireAll(String what, List<? extends CompletableFuture<?>> done) {
        for (CompletableFuture<?> f : done) {
            String failure = BlockLoad.failure(f);
            if (failure != null) {
                throw new IllegalStateException(what + " failed: " + failure);
            }
        }
    }

    private void printTable(List<Row> rows) {
        System.out.printf(Locale.ROOT, "%d MiB random file. flip: one byte changed in the middle; ins: %d bytes"
                + " inserted at the start; mean/max over %d places each. New = chunks a re-publish sends, KiB."
                + " get: %d nodes, k=%d, %d outstanding.%n", mib, INSERTED_BYTES, edits, nodes, replicas, concurrency);
        System.out.printf(Locale.ROOT, "%5s %6s %6s %6s %5s | %-17s %-17s | %-17s %-17s | %4s %6s %5s%n",
                "avg", "min", "max", "chunks", "mean", "flip: new (KiB)", "mean (KiB) max", "ins: new (KiB)",
                "mean (KiB) max", "cdc", "get", "get");
        System.out.printf(Locale.ROOT, "%5s %6s %6s %6s %5s | %-17s %-17s | %-17s %-17s | %4s %6s %5s%n",
                "KiB", "KiB", "KiB", "", "KiB", "", "", "", "", "MB/s", "blk/s", "MB/s");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "%5d %6d %6d %6d %5.1f | %-17s %-17s | %-17s %-17s | %4.0f %6.0f %5.0f%n",
                    r.cdc().avgSize() / KIB, r.cdc().minSize() / KIB, r.cdc().maxSize() / KIB, r.chunks(),
                    (double) mib * KIB / r.chunks(), named(r.offline().oneByte()), spread(r.offline().oneByte()),
                    named(r.offline().insert()), spread(r.offline().insert()), r.offline().chunkMbPerSecond(),
                    r.reads().blocksPerSecond(), r.reads().mbPerSecond());
        }
    }

    private static String named(Edits e) {
        return String.format(Locale.ROOT, "%d (%.0f)", e.named().chunks(), e.named().bytes() / (double) KIB);
    }

    private static String spread(Edits e) {
        return String.format(Locale.ROOT, "%.2f (%.0f) %d", e.meanChunks(), e.meanBytes() / KIB, e.maxChunks());
    }

    private Report report(List<Row> rows, byte[] file, long wallStart) {
        Report report = new Report("chunking")
                .put("file_mib", mib)
                .put("seed", seed)
                .put("edits", edits)
                .put("nodes", nodes)
                .put("replicas", replicas)
                .put("concurrency", concurrency)
                .put("read_mib", readMib)
                .put("store", "rocksdb-sync")
                .put("transport", "netty-loopback")
                .put("sha256_mb_per_s", sha256MbPerSecond(file));
        for (Row r : rows) {
            String p = "avg_" + r.label() + "_";
            report.put(p + "min", r.cdc().minSize())
                    .put(p + "max", r.cdc().maxSize())
                    .put(p + "chunks", r.chunks())
                    .put(p + "mean_bytes", (double) file.length / r.chunks());
            putEdits(report, p + "flip_", r.offline().oneByte());
            putEdits(report, p + "insert_", r.offline().insert());
            report.put(p + "chunking_mb_per_s", r.offline().chunkMbPerSecond())
                    .put(p + "get_blocks_per_s", r.reads().blocksPerSecond())
                    .put(p + "get_mb_per_s", r.reads().mbPerSecond())
                    .put(p + "get_passes", r.reads().passes());
        }
        return report.put("cores", Runtime.getRuntime().availableProcessors())
                .put("wall_seconds", (System.nanoTime() - wallStart) / 1e9);
    }

    private static void putEdits(Report report, String prefix, Edits e) {
        report.put(prefix + "new_chunks", e.named().chunks())
                .put(prefix + "new_bytes", e.named().bytes())
                .put(prefix + "mean_new_chunks", e.meanChunks())
                .put(prefix + "max_new_chunks", e.maxChunks())
                .put(prefix + "mean_new_bytes", e.meanBytes());
    }

    /** What the publisher's hashing of every chunk costs, to set chunking throughput against. */
    private static double sha256MbPerSecond(byte[] file) {
        MessageDigest sha256 = sha256();
        long t0 = System.nanoTime();
        sha256.update(file);
        sha256.digest();
        return file.length / 1e6 / ((System.nanoTime() - t0) / 1e9);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static byte[] randomBytes(long seed, int n) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

}
