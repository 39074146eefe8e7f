package org.cfs.cluster.lab;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.cfs.chord.ByteSize;
import org.cfs.cluster.LoopbackDHashRing;
import org.cfs.dhash.SigningKey;
import org.cfs.fs.Blocks;
import org.cfs.fs.DiskBlockCache;
import org.cfs.fs.FastCdc;
import org.cfs.fs.Publication;
import org.cfs.fs.Publisher;
import org.cfs.fs.SeenVersions;
import org.cfs.fs.TreeExport;
import org.cfs.fs.VolumePath;
import org.cfs.fs.Volumes;
import org.cfs.mount.VolumeMount;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The FUSE mount on real nodes, each figure beside a reference from the same run: a cold
 * sequential read of a big file beside a memory-backed jnr-fuse file system with the same options
 * (the ceiling) and beside {@code cfs get}; the same read warm and after a remount on the same
 * disk cache; {@code ls -lR} and {@code find} over many small files; 4 KiB random reads. Every
 * cold side has a mount, mount point and caches of its own, and the OS page cache dropped when
 * that is allowed. Every byte read is checked.
 */
@Command(name = "mount-bench", mixinStandardHelpOptions = true,
        description = "N real nodes in one JVM, each on its own loopback address, with RocksDB stores, read through a FUSE mount: sequential"
                + " MB/s (cold, warm, remounted) beside a memory-backed jnr-fuse ceiling and cfs get, ls -lR and find"
                + " over small files, 4 KiB random reads/s.")
final class MountBenchmark implements Callable<Integer> {
    /** The options of VolumeMount's all-volumes layout: the ceiling mounts with the same, so the kernel treats both alike. */
    static final String[] MOUNT_OPTIONS = VolumeMount.options(true);
    /** cfs mount's defaults (MountCommand): --timeout and --refresh. */
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Duration REFRESH = Duration.ofSeconds(60);
    private static final long MEMORY_CACHE_BYTES = VolumeMount.MEMORY_CACHE_BYTES;
    private static final int CACHE_WRITE_QUEUE = VolumeMount.CACHE_WRITE_QUEUE;
    /** The client block cache of {@code cfs get} (VolumeCommands.CACHE_BYTES). */
    private static final long GET_CACHE_BYTES = 32L << 20;
    /** Bound on any one timed step or command: far above what they take, so only a hang trips it. */
    private static final long SEED = 1;
    private static final byte[] BIG_LABEL = "mount-bench big".getBytes(StandardCharsets.UTF_8);
    private static final byte[] SMALL_LABEL = "mount-bench small".getBytes(StandardCharsets.UTF_8);

    @Option(names = "--nodes", defaultValue = "5", description = "Hosts, one vnode each (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--replicas", defaultValue = "3", description = "Copies of each block (default ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--big", defaultValue = "1G", description = "Size of the big file (default ${DEFAULT-VALUE}).")
    String big;

    @Option(names = "--files", defaultValue = "100000",
            description = "Small files (64 B to 2 KiB, kept inside their directories) for ls and find"
                    + " (default ${DEFAULT-VALUE}).")
    int files;

    @Option(names = "--dirs", defaultValue = "100", description = "Directories they are spread over (default ${DEFAULT-VALUE}).")
    int dirs;

    @Option(names = "--runs", defaultValue = "3", description = "Runs, alternating the order of the sides (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--ahead", defaultValue = "32", description = "Chunks in flight in cfs get (default ${DEFAULT-VALUE}).")
    int ahead;

    @Option(names = "--threads", defaultValue = "16", description = "Threads of random reads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--random-reads", defaultValue = "1000",
            description = "4 KiB random reads per thread (default ${DEFAULT-VALUE}).")
    int randomReads;

    @Option(names = "--json", description = "End with one JSON object.")
    boolean json;

    private Path work;
    private LoopbackDHashRing ring;
    private final List<Path> mountPoints = new ArrayList<>();
    private long bigBytes;
    private long diskCacheBytes;
    private boolean dropCaches;
    private Publication bigVolume;
    private Publication smallVolume;
    private long bigCrc;
    private long[] bigRandomCrcs;
    private long ceilingCrc;
    private long[] ceilingRandomCrcs;

    /** Seconds of each timed side of one run; the remount's disk-cache counts. */
    private record Run(double ceiling, double cold, double warm, double remount, double get, double ls, double find,
                       double randomCeiling, double randomCold, double randomWarm, DiskBlockCache.Stats remountDisk) {
    }

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        bigBytes = ByteSize.parse(big).bytes();
        check(nodes >= replicas && replicas >= 1, "--nodes " + nodes + " must be at least --replicas " + replicas);
        check(files >= 1 && dirs >= 1 && runs >= 1 && ahead >= 1 && threads >= 1 && randomReads >= 1,
                "--files, --dirs, --runs, --ahead, --threads and --random-reads must be at least 1");
        check(bigBytes > 64 << 10, "--big must exceed 64 KiB, so it is chunked");
        // Room for the whole file and its chunk list: a bound below it would make a sequential reread
        // evict each block just before it is wanted, and the remount would measure the ring again.
        diskCacheBytes = bigBytes + bigBytes / 4 + (64L << 20);
        work = Files.createTempDirectory("mount-bench");
        try {
            long smallBytes = prepare();
            List<Run> done = new ArrayList<>();
            try (LoopbackDHashRing r = ring(work.resolve("ring"))) {
                ring = r;
                publish();
                for (int i = 0; i < runs; i++) {
                    progress("run " + (i + 1) + " of " + runs);
                    done.add(run(i));
                }
            }
            report(done, smallBytes, (System.nanoTime() - started) / 1e9);
        } finally {
            for (Path mnt : mountPoints) {
                if (VolumeMount.isMounted(mnt)) {
                    VolumeMount.unmount(mnt);
                }
            }
            Experiments.deleteTree(work);
        }
        return 0;
    }

    /** The local trees and the CRCs every read must match; whether the page cache may be dropped. */
    private long prepare() throws Exception {
        progress("writing a " + bigBytes + "-byte file and " + files + " small files");
        Path bigFile = Files.createDirectories(work.resolve("big")).resolve("file");
        RandomTree.file(bigFile, bigBytes, new SplittableRandom(SEED));
        long smallBytes = RandomTree.smallFiles(Files.createDirectories(work.resolve("small")), files, dirs, 64, 2048,
                new SplittableRandom(SEED + 1));
        try (FileChannel ch = FileChannel.open(bigFile)) {
            bigCrc = FileReads.sequentialCrc(ch::read, bigBytes);
            bigRandomCrcs = FileReads.randomCrcs(ch::read, bigBytes, threads, randomReads, Experiments.STEP_BOUND);
        }
        try (CeilingFileSystem content = new CeilingFileSystem(bigBytes, SEED)) {
            ceilingCrc = FileReads.sequentialCrc(content, bigBytes);
            ceilingRandomCrcs = FileReads.randomCrcs(content, bigBytes, threads, randomReads, Experiments.STEP_BOUND);
        }
        dropCaches = Experiments.exitsZero("sh", "-c", "sync && echo 3 > /proc/sys/vm/drop_caches");
        progress(dropCaches ? "the page cache is dropped before each cold side"
                : "the page cache cannot be dropped here (not root?): cold sides only sync");
        return smallBytes;
    }

    private void publish() throws Exception {
        Publisher publisher = new Publisher(Blocks.of(ring.client(ring.hosts().get(0).endpoint())),
                SeenVersions.inMemory(), Clock.systemUTC(), TIMEOUT, FastCdc.defaults(), new Publisher.Listener() { });
        progress("publishing the big file");
        bigVolume = publisher.publish(work.resolve("big"), SigningKey.generate(new SecureRandom()), BIG_LABEL,
                Publisher.Options.defaults());
        progress("publishing the small files (" + bigVolume.elapsed().toSeconds() + " s for the big one)");
        smallVolume = publisher.publish(work.resolve("small"), SigningKey.generate(new SecureRandom()), SMALL_LABEL,
                Publisher.Options.defaults());
        progress("published (" + smallVolume.elapsed().toSeconds() + " s for the small files); an untimed get to warm"
                + " up the client code");
        get();
    }

    /**
     * One run. The ceiling and {@code cfs get} go before the cold mount in odd runs and after it in
     * even ones; the remount follows the mount whose disk cache it reuses.
     */
    private Run run(int index) throws Exception {
        boolean referencesFirst = index % 2 == 1;
        Path cache = work.resolve("cache-" + index);
        double ceiling = referencesFirst ? ceilingSequential() : 0;
        double get = referencesFirst ? get() : 0;
        double cold;
        double warm;
        double randomWarm;
        progress("cold and warm reads through a fresh mount");
        cold();
        try (CfsMount m = new CfsMount(cache)) {
            Path file = m.bigFile();
            cold = sequential(file, bigCrc, "the cold read");
            warm = sequential(file, bigCrc, "the warm read");
            randomWarm = random(file, bigRandomCrcs, "warm random reads");
        }
        if (!referencesFirst) {
            ceiling = ceilingSequential();
            get = get();
        }
        progress("a read after a remount on the same disk cache");
        cold();
        double remount;
        DiskBlockCache.Stats disk;
        try (CfsMount m = new CfsMount(cache)) {
            remount = sequential(m.bigFile(), bigCrc, "the read after a remount");
            disk = m.disk.stats();
        }
        progress("random reads: the ceiling, then a fresh mount");
        double randomCeiling = ceilingRandom();
        cold();
        double randomCold;
        try (CfsMount m = new CfsMount(work.resolve("cache-" + index + "-random"))) {
            randomCold = random(m.bigFile(), bigRandomCrcs, "cold random reads");
        }
        progress("ls -lR and find, each through a fresh mount");
        double ls = referencesFirst ? 0 : walk(index, "ls", "-lR");
        double find = walk(index, "find");
        if (referencesFirst) {
            ls = walk(index, "ls", "-lR");
        }
        try (Stream<Path> caches = Files.list(work)) {
            for (Path p : caches.filter(p -> p.getFileName().toString().startsWith("cache-")).toList()) {
                Experiments.deleteTree(p);
            }
        }
        return new Run(ceiling, cold, warm, remount, get, ls, find, randomCeiling, randomCold, randomWarm, disk);
    }

    /** Seconds of reading the whole big file from a fresh ceiling mount. */
    private double ceilingSequential() throws Exception {
        progress("the ceiling: a memory-backed jnr-fuse file system");
        try (CeilingFileSystem fs = new CeilingFileSystem(bigBytes, SEED)) {
            Path mnt = newMountPoint();
            fs.mount(mnt, MOUNT_OPTIONS, TIMEOUT);
            return sequential(mnt.resolve(CeilingFileSystem.FILE), ceilingCrc, "the ceiling's read");
        }
    }

    private double ceilingRandom() throws Exception {
        try (CeilingFileSystem fs = new CeilingFileSystem(bigBytes, SEED)) {
            Path mnt = newMountPoint();
            fs.mount(mnt, MOUNT_OPTIONS, TIMEOUT);
            return random(mnt.resolve(CeilingFileSystem.FILE), ceilingRandomCrcs, "the ceiling's random reads");
        }
    }

    /** Seconds of {@code cfs get} of the big file to a local file: a fresh reader, as a new process has. */
    private double get() throws Exception {
        progress("cfs get of the big file");
        cold();
        Volumes volumes = new Volumes(Blocks.of(ring.client(ring.hosts().get(0).endpoint())), SeenVersions.inMemory(),
                Clock.systemUTC(), TIMEOUT, GET_CACHE_BYTES);
        Path dest = work.resolve("got");
        try {
            double seconds = seconds(() -> FileReads.within(Experiments.STEP_BOUND, "cfs get", () -> TreeExport.export(
                    volumes.open(bigVolume.volume()), VolumePath.parse("/file"), dest,
                    TreeExport.Options.defaults().withChunksAhead(ahead), new TreeExport.Listener() { })));
            try (FileChannel ch = FileChannel.open(dest)) {
                checkCrc("cfs get", FileReads.sequentialCrc(ch::read, bigBytes), bigCrc);
            }
            return seconds;
        } finally {
            Files.deleteIfExists(dest);
        }
    }

    /** Seconds of {@code command} over the small files' tree, through a fresh mount, its output to /dev/null. */
    private double walk(int index, String... command) throws Exception {
        cold();
        try (CfsMount m = new CfsMount(work.resolve("cache-" + index + "-" + command[0]))) {
            Path top = m.tree(smallVolume);
            String[] full = Arrays.copyOf(command, command.length + 1);
            full[command.length] = top.toString();
            return seconds(() -> Experiments.exec(full));
        }
    }

    private static double sequential(Path file, long expectedCrc, String what) throws Exception {
        long t0 = System.nanoTime();
        long crc = FileReads.within(Experiments.STEP_BOUND, what, () -> {
            try (FileChannel ch = FileChannel.open(file)) {
                return FileReads.sequentialCrc(ch::read, Files.size(file));
            }
        });
        double seconds = (System.nanoTime() - t0) / 1e9;
        checkCrc(what, crc, expectedCrc);
        return seconds;
    }

    private double random(Path file, long[] expectedCrcs, String what) throws Exception {
        long[] crcs;
        long t0 = System.nanoTime();
        try (FileChannel ch = FileChannel.open(file)) {
            crcs = FileReads.randomCrcs(ch::read, bigBytes, threads, randomReads, Experiments.STEP_BOUND);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (!Arrays.equals(crcs, expectedCrcs)) {
            throw new IllegalStateException(what + " returned wrong bytes (CRC-32C per thread " + Arrays.toString(crcs)
                    + ", expected " + Arrays.toString(expectedCrcs) + ")");
        }
        return seconds;
    }

    private static void checkCrc(String what, long crc, long expected) {
        if (crc != expected) {
            throw new IllegalStateException(what + " returned wrong bytes: CRC-32C " + Long.toHexString(crc)
                    + ", expected " + Long.toHexString(expected));
        }
    }

    /** A cfs mount of every volume as {@code cfs mount} makes it: a client of its own, memory and disk caches. */
    private final class CfsMount implements AutoCloseable {
        final DiskBlockCache disk;
        private final ThreadPoolExecutor writes;
        private final VolumeMount mount;

        CfsMount(Path cacheDir) throws Exception {
            disk = DiskBlockCache.open(cacheDir, diskCacheBytes);
            writes = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(CACHE_WRITE_QUEUE),
                    r -> {
                        Thread t = new Thread(r, "cfs-cache-write");
                        t.setDaemon(true);
                        return t;
                    }, new ThreadPoolExecutor.DiscardPolicy());
            Blocks blocks = Blocks.of(ring.client(ring.hosts().get(0).endpoint()));
            Volumes volumes = new Volumes(DiskBlockCache.cached(blocks, disk, writes), SeenVersions.inMemory(),
                    Clock.systemUTC(), TIMEOUT, MEMORY_CACHE_BYTES);
            try {
                mount = VolumeMount.start(newMountPoint(), volumes, Map::of,
                        new VolumeMount.Settings(Optional.empty(), REFRESH, TIMEOUT));
            } catch (Exception e) {
                writes.shutdownNow();
                throw e;
            }
        }

        /** The top of a published version, under its version number as the mount shows it. */
        Path tree(Publication p) {
            return mount.mountPoint().resolve(p.volume().toHex() + "@" + p.version());
        }

        Path bigFile() {
            return tree(bigVolume).resolve("file");
        }

        /** Unmounts, then lets the disk cache's writer finish (at most 60 s), so a remount finds every block. */
        @Override
        public void close() throws InterruptedException {
            mount.close();
            writes.shutdown();
            if (!writes.awaitTermination(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the disk cache's writes did not finish within 60 s of the unmount");
            }
        }
    }

    private Path newMountPoint() throws IOException {
        Path mnt = Files.createDirectories(work.resolve("mnt-" + mountPoints.size()));
        mountPoints.add(mnt);
        return mnt;
    }

    private LoopbackDHashRing ring(Path dir) {
        return Experiments.volumeRing(dir, nodes, replicas);
    }

    /** Before a cold side: flushes dirty pages, and drops the page cache where allowed. */
    private void cold() throws Exception {
        Experiments.exec("sync");
        if (dropCaches) {
            Experiments.exec("sh", "-c", "echo 3 > /proc/sys/vm/drop_caches");
        }
    }

    private void report(List<Run> done, long smallBytes, double totalSeconds) {
        long entries = files + dirs + 1L;
        long randomTotal = (long) threads * randomReads;
        Report report = new Report("mount-bench")
                .put("date", java.time.LocalDate.now(Clock.systemUTC()).toString())
                .put("nodes", nodes)
                .put("replicas", replicas)
                .put("store", "rocksdb-sync")
                .put("runs", done.size())
                .put("big_bytes", bigBytes)
                .put("small_files", files)
                .put("small_dirs", dirs)
                .put("small_bytes", smallBytes)
                .put("entries", entries)
                .put("random_reads", randomTotal)
                .put("random_threads", threads)
                .put("ahead", ahead)
                .put("mount_options", String.join(" ", MOUNT_OPTIONS))
                .put("memory_cache_bytes", MEMORY_CACHE_BYTES)
                .put("disk_cache_bytes", diskCacheBytes)
                .put("drop_caches", dropCaches)
                .put("publish_big_s", bigVolume.elapsed().toMillis() / 1e3)
                .put("publish_small_s", smallVolume.elapsed().toMillis() / 1e3);
        RunTable<Run> table = new RunTable<>(done);
        table.figure(report, "ceiling_mb_s", r -> bigBytes / r.ceiling() / 1e6);
        table.figure(report, "mount_cold_mb_s", r -> bigBytes / r.cold() / 1e6);
        table.figure(report, "mount_warm_mb_s", r -> bigBytes / r.warm() / 1e6);
        table.figure(report, "mount_remount_mb_s", r -> bigBytes / r.remount() / 1e6);
        table.figure(report, "get_mb_s", r -> bigBytes / r.get() / 1e6);
        table.figure(report, "mount_cold_vs_ceiling", r -> r.ceiling() / r.cold());
        table.figure(report, "mount_cold_vs_get", r -> r.get() / r.cold());
        table.figure(report, "mount_warm_vs_ceiling", r -> r.ceiling() / r.warm());
        table.figure(report, "mount_remount_vs_ceiling", r -> r.ceiling() / r.remount());
        table.figure(report, "remount_disk_hits", r -> r.remountDisk().hits());
        table.figure(report, "remount_disk_misses", r -> r.remountDisk().misses());
        table.figure(report, "ls_lr_s", Run::ls);
        table.figure(report, "ls_lr_entries_s", r -> entries / r.ls());
        table.figure(report, "find_s", Run::find);
        table.figure(report, "find_entries_s", r -> entries / r.find());
        table.figure(report, "random_ceiling_reads_s", r -> randomTotal / r.randomCeiling());
        table.figure(report, "random_cold_reads_s", r -> randomTotal / r.randomCold());
        table.figure(report, "random_warm_reads_s", r -> randomTotal / r.randomWarm());
        table.figure(report, "random_cold_vs_ceiling", r -> r.randomCeiling() / r.randomCold());
        table.print(System.out);
        report.put("seconds", Math.round(totalSeconds))
                .put("cores", Runtime.getRuntime().availableProcessors())
                .print(System.out, json);
    }

    /** Says on stderr what a long run is doing, so a stalled step can be told from a slow one. */
    private static void progress(String what) {
        System.err.println(java.time.LocalTime.now(Clock.systemUTC()).withNano(0) + " mount-bench: " + what);
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

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

}
