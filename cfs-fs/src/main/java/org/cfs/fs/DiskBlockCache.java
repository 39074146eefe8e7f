package org.cfs.fs;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.cfs.chord.Id;
import org.cfs.dhash.Block;
import org.cfs.dhash.BlockType;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHashException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Content blocks kept on local disk between runs, bounded in bytes, so that a file read once
 * reads again after a remount without asking the ring. Safe for many threads; {@link #cached}
 * puts it in front of a {@link Blocks}.
 *
 * <pre>
 * dir/                      e.g. $XDG_CACHE_HOME/cfs, created mode 0700; may hold other caches
 *   blocks/                 all of this cache, and nothing else
 *     FORMAT                "cfs-block-cache 1\n"; anything else (or none) discards blocks/ at open
 *     ab/                   the first two hex digits of the keys below
 *       ab01...ef           Block.encode() of a content block; the name is its key, 40 lowercase hex
 *       ab01...ef.P-N.tmp   a write under way (process P, its Nth), renamed onto the name above once whole;
 *                           deleted at open once an hour old (its writer died)
 * </pre>
 *
 * <ul>
 *   <li>Only content-hash blocks are kept. {@link #put} ignores signed blocks: a newer version
 *       replaces them on the ring, so they must always come from the ring.
 *   <li>Every {@link #get} reads the file and checks it: it must decode as a content block whose
 *       data hashes to the file's name. A file that fails (torn, flipped, misnamed) is deleted,
 *       logged in one WARN line naming it, and is a miss. So no fsync is needed: a file torn by a
 *       power cut fails the check.
 *   <li>The sizes of the files this instance knows sum to at most {@code maxBytes}; the least
 *       recently used (read by get, or written by put) goes first. Last use is the file's mtime,
 *       which get and put set, rather than an index file: it costs no extra file, needs no
 *       journal to survive a crash, and other processes see it. {@link #open} orders by it.
 *   <li>get and put never throw an I/O error: a failed read is a miss, a failed write is not
 *       cached, and each kind of failure is logged once. The cache never makes a read fail.
 *   <li>File I/O runs on the caller's thread with no lock held; the lock guards only the
 *       in-memory index, so reads and writes of different keys run in parallel.
 * </ul>
 *
 * <p>Processes sharing {@code dir} (two mounts by one user) cannot corrupt each other: a block file
 * appears whole or not at all, a file deleted while another process reads it stays readable to
 * that reader (Linux), and a get finds the files another process wrote. What they do not share is
 * the bound: each counts the files it wrote, read or found at open, so together they may hold up
 * to the sum of their bounds, and one may evict a block the other read last. Nor do they share a
 * format change: two processes opening a cache of another format at the same instant may make one
 * open fail (opening again works), and cfs versions of different formats discard each other's
 * blocks.
 */
public final class DiskBlockCache implements MeterBinder {
    private static final Clock SYSTEM_CLOCK = Clock.systemUTC();
    /** Names this process's temporary files apart from another's on the same directory. */
    private static final String TEMP_PREFIX = ProcessHandle.current().pid() + "-";
    static final String FORMAT = "cfs-block-cache 1";
    /** The largest block data DHashConfig allows; a longer file is not a block. */
    private static final int MAX_DATA_BYTES = 3 << 20;
    private static final long MAX_FILE_BYTES = 1L + MAX_DATA_BYTES;
    /** A temporary file this old was left by a process that died writing it, not one still at it. */
    static final Duration ABANDONED = Duration.ofHours(1);
    /** Distinct I/O failures logged before the cache stops saying more. */
    private static final int MAX_REPORTED = 64;
    private static final Logger LOG = LoggerFactory.getLogger(DiskBlockCache.class);

    private final Path dir;
    private final Path blocks;
    private final long maxBytes;
    private final Clock clock;
    /** Fan-out directories known to exist. */
    private final Set<Path> madeDirectories = ConcurrentHashMap.newKeySet();
    private final AtomicLong tempCounter = new AtomicLong();
    /** The blocks this instance knows and their sizes, least recently used first. */
    private final LinkedHashMap<Id, Long> index = new LinkedHashMap<>(1024, 0.75f, true);
    /** The sum of the sizes in {@link #index}; guarded by it. */
    private long bytes;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder bytesStored = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    /**
     * What the cache has done since it was opened.
     *
     * @param hits gets served from disk
     * @param misses gets not served: absent, unreadable, or failing the check
     * @param bytesHeld the bytes of blocks held now, at most the bound
     * @param bytesStored the bytes written by put
     * @param evictions blocks deleted to keep within the bound
     */
    public record Stats(long hits, long misses, long bytesHeld, long bytesStored, long evictions) {
    }

    private DiskBlockCache(Path dir, long maxBytes, Clock clock) {
        this.dir = dir;
        this.blocks = dir.resolve("blocks");
        this.maxBytes = maxBytes;
        this.clock = clock;
    }

    /**
     * Opens the cache in {@code dir}, creating it if missing, and indexes the blocks already there,
     * deleting the least recently used until they fit in {@code maxBytes}.
     *
     * @throws IOException naming {@code dir} and the reason if it cannot be made or read
     */
    public static DiskBlockCache open(Path dir, long maxBytes) throws IOException {
        return open(dir, maxBytes, SYSTEM_CLOCK);
    }

    /** Like {@link #open(Path, long)}, stamping last use with {@code clock}. */
    static DiskBlockCache open(Path dir, long maxBytes, Clock clock) throws IOException {
        Objects.requireNonNull(dir, "dir");
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("a block cache needs a positive byte bound, got " + maxBytes);
        }
        DiskBlockCache cache = new DiskBlockCache(dir, maxBytes, Objects.requireNonNull(clock, "clock"));
        try {
            Files.createDirectories(dir,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            cache.checkFormat();
            cache.load();
        } catch (IOException e) {
            throw new IOException("cannot open the block cache at " + dir + ": " + describe(e, dir), e);
        }
        LOG.info("block cache at {}: {} blocks, {} of {} bytes", dir, cache.index.size(), cache.bytes, maxBytes);
        return cache;
    }

    /**
     * The block stored under {@code key}, encoded as {@link Block#encode()} gives it, if a file
     * holds it and the file passes the check; a file that fails is deleted.
     */
    public Optional<byte[]> get(Id key) {
        return Optional.ofNullable(read(key)).map(Read::encoded);
    }

    /** Like {@link #get}, decoded: the verified block, or null. */
    ContentBlock block(Id key) {
        Read read = read(key);
        return read == null ? null : read.block();
    }

    /**
     * Keeps {@code encoded}, the encoding of the content block {@code key}, evicting the least
     * recently used blocks if over the bound. Does nothing for a signed block, for a block larger
     * than the bound, or if the block is held already. The bytes are not checked here (every get
     * checks them), and an I/O failure is logged, not thrown.
     */
    public void put(Id key, byte[] encoded) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(encoded, "encoded");
        if (encoded.length == 0 || encoded[0] != BlockType.CHASH.code()
                || encoded.length > Math.min(maxBytes, MAX_FILE_BYTES) || used(key)) {
            return;
        }
        Path file = fileOf(key);
        Path temp = null;
        try {
            // One open per block, and a directory made once per run: a cold read of a large file
            // writes thousands of blocks, and this thread shares the machine with the read itself.
            if (!madeDirectories.contains(file.getParent())) {
                Files.createDirectories(file.getParent());
                madeDirectories.add(file.getParent());
            }
            temp = file.resolveSibling(file.getFileName() + "." + TEMP_PREFIX + tempCounter.incrementAndGet() + ".tmp");
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(encoded);
                while (buf.hasRemaining()) {
                    out.write(buf);
                }
            }
            if (clock != SYSTEM_CLOCK) {
                // A new file's mtime is already now, unless a test's clock says otherwise.
                Files.setLastModifiedTime(temp, now());
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            temp = null;
        } catch (IOException e) {
            if (e instanceof NoSuchFileException) {
                // Another process discarded the cache's directories (a format change): make them again next time.
                madeDirectories.remove(file.getParent());
            }
            reportOnce("write", e);
            return;
        } finally {
            if (temp != null) {
                deleteQuietly(temp);
            }
        }
        bytesStored.add(encoded.length);
        evict(remember(key, encoded.length));
    }

    public Stats stats() {
        synchronized (index) {
            return new Stats(hits.sum(), misses.sum(), bytes, bytesStored.sum(), evictions.sum());
        }
    }

    public long maxBytes() {
        return maxBytes;
    }

    /**
     * Registers this cache's hits and misses ({@code cfs.block.cache.requests} with
     * {@code cache=disk}) and the bytes it holds, read when the registry is scraped.
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        String what = "Reads of verified blocks from a cache, by cache and result";
        FunctionCounter.builder("cfs.block.cache.requests", this, c -> c.stats().hits())
                .tags("cache", "disk", "result", "hit").description(what).register(registry);
        FunctionCounter.builder("cfs.block.cache.requests", this, c -> c.stats().misses())
                .tags("cache", "disk", "result", "miss").description(what).register(registry);
        Gauge.builder("cfs.block.cache.size", this, c -> c.stats().bytesHeld()).tag("cache", "disk")
                .baseUnit("bytes").description("Bytes of verified blocks held by the disk cache").register(registry);
    }

    public Path dir() {
        return dir;
    }

    /**
     * {@code inner} with its content blocks read through {@code cache}: a get is served from disk
     * when the file passes the check, else from {@code inner}, and a content block that comes back
     * is written to the cache before the get completes. Signed blocks, puts and the other calls
     * pass through unchanged.
     */
    public static Blocks cached(Blocks inner, DiskBlockCache cache) {
        return new CachedBlocks(inner, cache, Runnable::run);
    }

    /**
     * Like {@link #cached(Blocks, DiskBlockCache)}, but writes to the cache on {@code writes}, so
     * that the thread completing {@code inner}'s get (for DHash, a network thread) does no disk
     * I/O; a write the executor refuses is skipped.
     */
    public static Blocks cached(Blocks inner, DiskBlockCache cache, Executor writes) {
        return new CachedBlocks(inner, cache, writes);
    }

    /** A block file's bytes and the block they decode to. */
    private record Read(byte[] encoded, ContentBlock block) {
    }

    private Read read(Id key) {
        Objects.requireNonNull(key, "key");
        Path file = fileOf(key);
        Read read;
        try {
            read = readChecked(key, file);
        } catch (NoSuchFileException e) {
            // Never kept, or evicted by another process if indexed. Deleting after forgetting, as
            // eviction does, means a put racing with this get cannot leave a file the index misses.
            if (forget(key)) {
                deleteQuietly(file);
            }
            read = null;
        } catch (IOException e) {
            reportOnce("read", e);
            read = null;
        }
        if (read == null) {
            misses.increment();
            return null;
        }
        hits.increment();
        if (read.encoded().length <= maxBytes) {
            // Another process, with a larger bound, may have written a block larger than this one's.
            evict(remember(key, read.encoded().length));
        }
        try {
            Files.setLastModifiedTime(file, now());
        } catch (NoSuchFileException evictedSinceRead) {
            // Another process evicted it; this reader has its bytes already.
        } catch (IOException e) {
            reportOnce("stamp", e);
        }
        return read;
    }

    /** The file's block if it passes the check; else deletes the file and returns null. */
    private Read readChecked(Id key, Path file) throws IOException {
        byte[] encoded;
        try (SeekableByteChannel in = Files.newByteChannel(file)) {
            long size = in.size();
            if (size > MAX_FILE_BYTES) {
                return discard(key, file, "it is " + size + " bytes, longer than any block (" + MAX_FILE_BYTES + ")");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) size);
            while (buffer.hasRemaining() && in.read(buffer) >= 0) {
                // Each read moves at least one byte until the end of the file.
            }
            if (buffer.hasRemaining()) {
                return discard(key, file, "it shrank from " + size + " bytes while read");
            }
            encoded = buffer.array();
        }
        try {
            Block block = Block.decode(encoded, MAX_DATA_BYTES);
            if (!(block instanceof ContentBlock content)) {
                return discard(key, file, "it holds a signed block, which this cache never stores");
            }
            content.verify(key, 0, MAX_DATA_BYTES);
            return new Read(encoded, content);
        } catch (DHashException e) {
            return discard(key, file, e.getMessage());
        }
    }

    private Read discard(Id key, Path file, String why) {
        LOG.warn("block cache: deleting {}, which fails its check: {}", file, why);
        forget(key);
        deleteQuietly(file);
        return null;
    }

    /** Marks {@code key} used if it is indexed; whether it is. */
    private boolean used(Id key) {
        synchronized (index) {
            return index.get(key) != null;
        }
    }

    /** Indexes {@code key} as the most recently used and returns the blocks to evict. */
    private List<Id> remember(Id key, long size) {
        synchronized (index) {
            Long old = index.put(key, size);
            bytes += size - (old == null ? 0 : old);
            return overBound();
        }
    }

    /** Takes {@code key} out of the index; whether it was in. Delete the file after, never before. */
    private boolean forget(Id key) {
        synchronized (index) {
            Long old = index.remove(key);
            if (old != null) {
                bytes -= old;
            }
            return old != null;
        }
    }

    /** Takes the least recently used blocks out of the index until the rest fit; caller holds the lock. */
    private List<Id> overBound() {
        List<Id> victims = new ArrayList<>();
        Iterator<Map.Entry<Id, Long>> eldest = index.entrySet().iterator();
        while (bytes > maxBytes && eldest.hasNext()) {
            Map.Entry<Id, Long> e = eldest.next();
            eldest.remove();
            bytes -= e.getValue();
            victims.add(e.getKey());
        }
        return victims;
    }

    /**
     * Deletes evicted blocks' files, outside the lock. A put of the same key racing with this may
     * lose its file, leaving the index counting bytes that are gone: the bound still holds, and
     * the next get of the key drops it. The other way round cannot happen: every removal from the
     * index is followed by a delete, and every write by an addition, so a file on disk is counted.
     */
    private void evict(List<Id> victims) {
        for (Id victim : victims) {
            deleteQuietly(fileOf(victim));
        }
        evictions.add(victims.size());
    }

    private void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            reportOnce("delete", e);
        }
    }

    private Path fileOf(Id key) {
        String hex = key.toHex();
        return blocks.resolve(hex.substring(0, 2)).resolve(hex);
    }

    private FileTime now() {
        return FileTime.from(clock.instant());
    }

    /** Logs an I/O failure the first time its kind is met, so a full disk is one line, not one per block. */
    private void reportOnce(String action, IOException e) {
        String kind = action + " " + e.getClass().getName() + " "
                + (e instanceof FileSystemException f ? f.getReason() : e.getMessage());
        if (reported.size() < MAX_REPORTED && reported.add(kind)) {
            LOG.warn("block cache at {}: cannot {} a block ({}); carrying on without the cache for it,"
                    + " and not logging this kind of failure again", dir, action, describe(e, dir));
        }
    }

    /** Discards {@code blocks/} unless its FORMAT file names this format, then writes FORMAT. */
    private void checkFormat() throws IOException {
        Path format = blocks.resolve("FORMAT");
        String found = null;
        try {
            if (Files.size(format) <= 100) {
                found = new String(Files.readAllBytes(format), StandardCharsets.ISO_8859_1).strip();
            }
        } catch (NoSuchFileException absent) {
            // A new cache, or one from before formats were named.
        }
        if (FORMAT.equals(found)) {
            return;
        }
        if (Files.exists(blocks)) {
            LOG.warn("block cache at {}: discarding blocks in format {}, where this cfs writes '{}'",
                    dir, found == null ? "unknown" : "'" + found + "'", FORMAT);
            deleteTree(blocks);
        }
        Files.createDirectories(blocks);
        Path temp = Files.createTempFile(blocks, "FORMAT.", ".tmp");
        try {
            Files.writeString(temp, FORMAT + "\n", StandardCharsets.ISO_8859_1);
            Files.move(temp, format, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** A block file met at open. */
    private record Found(Id key, long size, FileTime lastUse, String name) {
    }

    /**
     * Indexes the block files under {@code blocks/} from the least recently used (oldest mtime) to
     * the most, deletes temporary files abandoned by dead writers, and evicts down to the bound.
     * Files of other names are left alone and not counted.
     */
    private void load() throws IOException {
        List<Found> found = new ArrayList<>();
        Instant abandoned = clock.instant().minus(ABANDONED);
        Files.walkFileTree(blocks, Set.of(), 2, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String name = file.getFileName().toString();
                Path fanOut = file.getParent();
                if (!attrs.isRegularFile() || fanOut.equals(blocks)
                        || !name.startsWith(fanOut.getFileName().toString())) {
                    return FileVisitResult.CONTINUE;
                }
                if (isKeyName(name)) {
                    found.add(new Found(Id.fromHex(name), attrs.size(), attrs.lastModifiedTime(), name));
                } else if (name.endsWith(".tmp") && attrs.lastModifiedTime().toInstant().isBefore(abandoned)) {
                    deleteQuietly(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
        found.sort(Comparator.comparing(Found::lastUse).thenComparing(Found::name));
        List<Id> victims = new ArrayList<>();
        synchronized (index) {
            for (Found f : found) {
                if (f.size() > maxBytes) {
                    victims.add(f.key());
                } else {
                    index.put(f.key(), f.size());
                    bytes += f.size();
                }
            }
            victims.addAll(overBound());
        }
        evict(victims);
    }

    private static boolean isKeyName(String name) {
        if (name.length() != 2 * Id.BYTES) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /** The reason for a file system failure in words, with the file when it names one other than {@code dir}. */
    private static String describe(IOException e, Path dir) {
        if (!(e instanceof FileSystemException f)) {
            return e.getMessage();
        }
        String reason = f.getReason();
        if (reason == null) {
            if (e instanceof FileAlreadyExistsException) {
                reason = "exists and is not a directory";
            } else if (e instanceof NoSuchFileException) {
                reason = "no such file or directory";
            } else if (e instanceof AccessDeniedException) {
                reason = "permission denied";
            } else if (e instanceof NotDirectoryException) {
                reason = "not a directory";
            } else {
                reason = e.getClass().getSimpleName();
            }
        }
        return f.getFile() == null || f.getFile().equals(dir.toString()) ? reason : f.getFile() + ": " + reason;
    }
}
