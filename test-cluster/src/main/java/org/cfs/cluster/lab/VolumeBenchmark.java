package org.cfs.cluster.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.cfs.chord.ByteSize;
import org.cfs.chord.Id;
import org.cfs.cluster.LoopbackDHashRing;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHash;
import org.cfs.dhash.SigningKey;
import org.cfs.fs.Blocks;
import org.cfs.fs.ChunkRef;
import org.cfs.fs.FastCdc;
import org.cfs.fs.Publication;
import org.cfs.fs.Publisher;
import org.cfs.fs.SeenVersions;
import org.cfs.fs.TreeExport;
import org.cfs.fs.VolumeException;
import org.cfs.fs.VolumePath;
import org.cfs.fs.Volumes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The volume layer on real nodes, each figure beside a reference measured in the same run: publish
 * of one big file and of many small ones beside {@code cp -r} and {@code sync}; a cold get of the
 * big file beside DHash fetching the same chunks with as many in flight; and the bytes a re-publish
 * sends after small edits. A fresh ring per run, so no run finds the blocks of the one before.
 */
@Command(name = "volume-bench", mixinStandardHelpOptions = true,
        description = "N real nodes in one JVM, each on its own loopback address, with RocksDB stores: publish MB/s and files/s beside"
                + " cp -r + sync, get MB/s beside raw DHash fetches of the same chunks, and blocks re-sent after edits.")
final class VolumeBenchmark implements Callable<Integer> {
    /** What {@code cfs} waits for any one block by default. */
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Bound on any one external command (cp, sync): far above what they take, so only a hang trips it. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(30);
    /** The client block cache of {@code cfs get} (VolumeCommands.CACHE_BYTES). */
    private static final long CACHE_BYTES = 32L << 20;
    private static final byte[] LABEL = "volume-bench".getBytes(StandardCharsets.UTF_8);
    private static final VolumePath BIG = path("/file");

    @Option(names = "--nodes", defaultValue = "5", description = "Hosts, one vnode each (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--big", defaultValue = "1G", description = "Size of the big file (default ${DEFAULT-VALUE}).")
    String big;

    @Option(names = "--files", defaultValue = "20000", description = "Small files (default ${DEFAULT-VALUE}).")
    int files;

    @Option(names = "--dirs", defaultValue = "16", description = "Directories they are spread over (default ${DEFAULT-VALUE}).")
    int dirs;

    @Option(names = "--edit-size", defaultValue = "100M",
            description = "Size of the file edited for the dedup figures (default ${DEFAULT-VALUE}).")
    String editSize;

    @Option(names = "--runs", defaultValue = "3", description = "Runs, each on a fresh ring (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--ahead", defaultValue = "32",
            description = "Chunks in flight when reading, as cfs get has them (default ${DEFAULT-VALUE}).")
    int ahead;

    @Option(names = "--replicas", defaultValue = "3", description = "Copies of each block (default ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--in-flight", defaultValue = "64",
            description = "Blocks a publish keeps in flight, 1 MiB of bytes allowed per 2 blocks (default ${DEFAULT-VALUE}).")
    private int inFlight;

    @Option(names = "--json", description = "End with one JSON object.")
    boolean json;

    /** The seconds each side of one run took. */
    private record Run(double publishBig, double copyBig, double publishSmall, double copySmall, double export,
                       double stream, double raw) {
    }

    /** What re-publishing after one edit sent. */
    private record Resent(long blocks, long bytes) {
    }

    @Override
    public Integer call() throws Exception {
        long bigBytes = ByteSize.parse(big).bytes();
        long editBytes = ByteSize.parse(editSize).bytes();
        check(nodes >= replicas && replicas >= 1, "--nodes " + nodes + " must be at least --replicas " + replicas);
        check(files >= 1 && dirs >= 1 && runs >= 1 && ahead >= 1, "--files, --dirs, --runs and --ahead must be at least 1");
        check(bigBytes > 4096 && editBytes > 4096, "--big and --edit-size must exceed 4 KiB, so they are chunked");
        Path work = Files.createTempDirectory("volume-bench");
        try {
            Path bigTree = Files.createDirectories(work.resolve("big"));
            Path smallTree = Files.createDirectories(work.resolve("small"));
            SplittableRandom random = new SplittableRandom(1);
            RandomTree.file(bigTree.resolve("file"), bigBytes, random);
            long smallBytes = RandomTree.smallFiles(smallTree, files, dirs, 4 << 10, 64 << 10, random);
            List<Run> done = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                progress("run " + (i + 1) + " of " + runs);
                done.add(run(i, work, bigTree, smallTree));
            }
            progress("edits of a " + editBytes + "-byte file");
            Resent[] edits = edits(work, editBytes);
            report(done, bigBytes, smallBytes, editBytes, edits);
        } finally {
            Experiments.deleteTree(work);
        }
        return 0;
    }

    /** One run on a fresh ring; the order of the sides alternates between runs, so neither always goes first. */
    private Run run(int index, Path work, Path bigTree, Path smallTree) throws Exception {
        Path ringDir = work.resolve("ring-" + index);
        Path copies = work.resolve("copies-" + index);
        boolean referenceFirst = index % 2 == 0;
        try (LoopbackDHashRing ring = ring(ringDir)) {
            DHash client = ring.client(ring.hosts().get(0).endpoint());
            Blocks blocks = Blocks.of(client);
            Files.createDirectories(copies);
            double copyBig = 0;
            if (referenceFirst) {
                copyBig = copy(bigTree, copies.resolve("big"));
            }
            SigningKey key = SigningKey.generate(new SecureRandom());
            progress("publish of the big file and cp -r");
            double publishBig = seconds(() -> publisher(blocks, SeenVersions.inMemory()).publish(bigTree, key, LABEL,
                    publishOptions()));
            if (!referenceFirst) {
                copyBig = copy(bigTree, copies.resolve("big"));
            }
            progress("publish of the small files and cp -r");
            double copySmall = referenceFirst ? copy(smallTree, copies.resolve("small")) : 0;
            double publishSmall = seconds(() -> publisher(blocks, SeenVersions.inMemory()).publish(smallTree,
                    SigningKey.generate(new SecureRandom()), LABEL, publishOptions()));
            if (!referenceFirst) {
                copySmall = copy(smallTree, copies.resolve("small"));
            }
            progress("get of the big file, and raw fetches");
            double[] reads = reads(index, blocks, client, Publisher.volumeId(key, LABEL), copies);
            return new Run(publishBig, copyBig, publishSmall, copySmall, reads[0], reads[1], reads[2]);
        } finally {
            Experiments.deleteTree(ringDir);
            Experiments.deleteTree(copies);
        }
    }

    /**
     * Seconds of: a cold {@code cfs get} of the big file (to a local file), a cold stream of it to
     * nowhere, and DHash fetching its chunks straight; each a third of the runs goes first.
     */
    private double[] reads(int index, Blocks blocks, DHash client, Id volume, Path copies) throws Exception {
        List<ChunkRef> chunks = fresh(blocks).open(volume).open(BIG).chunks();
        // Untimed, so that whichever side goes first does not alone pay for the nodes' cold reads and the JIT.
        fetchAll(client, chunks);
        double[] seconds = new double[3];
        for (int i = 0; i < 3; i++) {
            int side = (index + i) % 3;
            sync();
            seconds[side] = switch (side) {
                case 0 -> seconds(() -> TreeExport.export(fresh(blocks).open(volume), BIG, copies.resolve("got"),
                        TreeExport.Options.defaults().withChunksAhead(ahead), new TreeExport.Listener() { }));
                case 1 -> seconds(() -> drain(fresh(blocks).open(volume).open(BIG).stream(ahead)));
                default -> seconds(() -> fetchAll(client, chunks));
            };
        }
        return seconds;
    }

    /** A reader with nothing cached, as a new {@code cfs get} process has. */
    private static Volumes fresh(Blocks blocks) {
        return new Volumes(blocks, SeenVersions.inMemory(), Clock.systemUTC(), TIMEOUT, CACHE_BYTES);
    }

    private static Publisher publisher(Blocks blocks, SeenVersions seen) {
        return new Publisher(blocks, seen, Clock.systemUTC(), TIMEOUT, FastCdc.defaults(), new Publisher.Listener() { });
    }

    private LoopbackDHashRing ring(Path dir) {
        return Experiments.volumeRing(dir, nodes, replicas);
    }

    private static void drain(InputStream in) throws IOException {
        try (in) {
            byte[] buf = new byte[64 << 10];
            while (in.read(buf) >= 0) {
                // Only the reading is measured.
            }
        }
    }

    /** DHash.get of every chunk, {@link #ahead} in flight, as the volume layer keeps them. */
    private void fetchAll(DHash client, List<ChunkRef> chunks) throws Exception {
        Semaphore window = new Semaphore(ahead);
        AtomicLong bytes = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        for (ChunkRef c : chunks) {
            if (!window.tryAcquire(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("no chunk arrived for " + TIMEOUT.toSeconds() + " s");
            }
            client.get(c.ref()).whenComplete((b, e) -> {
                if (b instanceof ContentBlock block) {
                    bytes.addAndGet(block.data().length);
                } else {
                    failed.incrementAndGet();
                }
                window.release();
            });
        }
        if (!window.tryAcquire(ahead, TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the last chunks did not arrive within " + TIMEOUT.toSeconds() + " s");
        }
        long expected = chunks.stream().mapToLong(ChunkRef::length).sum();
        if (failed.get() > 0 || bytes.get() != expected) {
            throw new IllegalStateException(failed.get() + " chunk fetches failed; " + bytes.get() + " of "
                    + expected + " bytes arrived");
        }
    }

    /**
     * Publishes a file, then re-publishes it after changing one byte in its middle, and again
     * after inserting bytes at its start (both edits of the original): what each re-publish sent.
     */
    private Resent[] edits(Path work, long bytes) throws Exception {
        Path ringDir = work.resolve("ring-edits");
        Path tree = Files.createDirectories(work.resolve("edit"));
        Path file = tree.resolve("file");
        RandomTree.file(file, bytes, new SplittableRandom(2));
        try (LoopbackDHashRing ring = ring(ringDir)) {
            Publisher publisher = publisher(Blocks.of(ring.client(ring.hosts().get(0).endpoint())), SeenVersions.inMemory());
            SigningKey key = SigningKey.generate(new SecureRandom());
            Publication first = publisher.publish(tree, key, LABEL, publishOptions());
            flip(file, bytes / 2);
            Publication flipped = publisher.publish(tree, key, LABEL, publishOptions());
            flip(file, bytes / 2);
            prepend(file, 100);
            Publication inserted = publisher.publish(tree, key, LABEL, publishOptions());
            return new Resent[] {resent(first), resent(flipped), resent(inserted)};
        } finally {
            Experiments.deleteTree(ringDir);
        }
    }

    private static Resent resent(Publication p) {
        return new Resent(p.blocksSent(), p.bytesSent());
    }

    /** Inverts the byte at {@code offset}; twice restores it. */
    private static void flip(Path file, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, offset);
            one.flip();
            one.put(0, (byte) ~one.get(0));
            ch.write(one, offset);
        }
    }

    private static void prepend(Path file, int count) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".new");
        byte[] head = new byte[count];
        new SplittableRandom(3).nextBytes(head);
        try (OutputStream out = Files.newOutputStream(temp)) {
            out.write(head);
            Files.copy(file, out);
        }
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Seconds of {@code cp -r src dst && sync}, run as a process as a user would. */
    private static double copy(Path src, Path dst) throws Exception {
        sync();
        return seconds(() -> exec("sh", "-c", "cp -r -- \"$0\" \"$1\" && sync", src.toString(), dst.toString()));
    }

    /** Says on stderr what a long run is doing, so a stalled step can be told from a slow one. */
    private static void progress(String what) {
        System.err.println(java.time.LocalTime.now(Clock.systemUTC()).withNano(0) + " volume-bench: " + what);
    }

    /** Flushes what earlier steps wrote, so that the next timed step does not pay for it. */
    private static void sync() throws Exception {
        exec("sync");
    }

    private static void exec(String... command) throws Exception {
        Process p = new ProcessBuilder(command).inheritIO().start();
        if (!p.waitFor(COMMAND_TIMEOUT.toMinutes(), TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " took over " + COMMAND_TIMEOUT);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue());
        }
    }

    /** Something timed that may fail. */
    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    private static double seconds(Step step) throws Exception {
        long t0 = System.nanoTime();
        step.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    private void report(List<Run> done, long bigBytes, long smallBytes, long editBytes, Resent[] edits) {
        Report report = new Report("volume-bench")
                .put("date", java.time.LocalDate.now(Clock.systemUTC()).toString())
                .put("nodes", nodes)
                .put("replicas", replicas)
                .put("store", "rocksdb-sync")
                .put("runs", done.size())
                .put("big_bytes", bigBytes)
                .put("small_files", files)
                .put("small_bytes", smallBytes)
                .put("ahead", ahead);
        RunTable<Run> table = new RunTable<>(done);
        table.figure(report, "publish_big_mb_s", r -> bigBytes / r.publishBig() / 1e6);
        table.figure(report, "cp_big_mb_s", r -> bigBytes / r.copyBig() / 1e6);
        table.figure(report, "publish_big_ratio", r -> r.copyBig() / r.publishBig());
        table.figure(report, "publish_small_files_s", r -> files / r.publishSmall());
        table.figure(report, "publish_small_mb_s", r -> smallBytes / r.publishSmall() / 1e6);
        table.figure(report, "cp_small_files_s", r -> files / r.copySmall());
        table.figure(report, "publish_small_ratio", r -> r.copySmall() / r.publishSmall());
        table.figure(report, "get_mb_s", r -> bigBytes / r.export() / 1e6);
        table.figure(report, "get_stream_mb_s", r -> bigBytes / r.stream() / 1e6);
        table.figure(report, "raw_fetch_mb_s", r -> bigBytes / r.raw() / 1e6);
        table.figure(report, "get_ratio", r -> r.raw() / r.export());
        table.figure(report, "get_stream_ratio", r -> r.raw() / r.stream());
        report.put("edit_bytes", editBytes)
                .put("edit_chunker", FastCdc.defaults().toString());
        String[] names = {"edit_first", "edit_flip_middle_byte", "edit_insert_100_at_start"};
        for (int i = 0; i < edits.length; i++) {
            report.put(names[i] + "_blocks_sent", edits[i].blocks()).put(names[i] + "_bytes_sent", edits[i].bytes());
        }
        table.print(System.out);
        report.put("cores", Runtime.getRuntime().availableProcessors()).print(System.out, json);
    }

    private static VolumePath path(String p) {
        try {
            return VolumePath.parse(p);
        } catch (VolumeException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private Publisher.Options publishOptions() {
        return Publisher.Options.defaults().withInFlight(inFlight, Math.max(1, inFlight / 2) * (1L << 20));
    }
}
