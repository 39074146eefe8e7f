package org.cfs.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.cfs.chord.Id;
import org.cfs.dhash.Block;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHashException;
import org.cfs.dhash.SignedBlock;
import org.cfs.dhash.SigningKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link DiskBlockCache} promises: blocks survive a reopen, a file that fails its check is a
 * deleted miss, the bound holds with least-recently-used eviction, signed blocks are never kept,
 * I/O failures never escape, and the {@link Blocks} decorator asks the inner store only on a miss.
 */
class DiskBlockCacheTest {
    /** A block of 1000 data bytes is 1001 encoded. */
    private static final int BLOCK = 1001;

    @TempDir
    Path tmp;

    private final VolumeRoundTripTest.TestClock clock = new VolumeRoundTripTest.TestClock();

    private Path dir() {
        return tmp.resolve("cache");
    }

    private DiskBlockCache open(long maxBytes) throws IOException {
        return DiskBlockCache.open(dir(), maxBytes, clock);
    }

    private static ContentBlock block(int seed) {
        byte[] data = new byte[BLOCK - 1];
        new SplittableRandom(seed).nextBytes(data);
        return new ContentBlock(data);
    }

    /** Where the layout says the block named {@code key} lives. */
    private Path fileOf(Id key) {
        String hex = key.toHex();
        return dir().resolve("blocks").resolve(hex.substring(0, 2)).resolve(hex);
    }

    private static void put(DiskBlockCache cache, ContentBlock b) {
        cache.put(b.key(), b.encode());
    }

    /** The sizes of the block files on disk, whoever counts them. */
    private long bytesOnDisk() throws IOException {
        try (Stream<Path> files = Files.walk(dir().resolve("blocks"))) {
            return files.filter(p -> p.getFileName().toString().length() == 40).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @Test
    void putThenGetReturnsTheBytesAndAReopenedCacheStillServesThem() throws IOException {
        DiskBlockCache cache = open(1 << 20);
        ContentBlock a = block(1);
        assertEquals(Optional.empty(), cache.get(a.key()));
        put(cache, a);

        assertArrayEquals(a.encode(), cache.get(a.key()).orElseThrow());
        assertEquals(new DiskBlockCache.Stats(1, 1, BLOCK, BLOCK, 0), cache.stats());
        assertArrayEquals(a.encode(), Files.readAllBytes(fileOf(a.key())));
        assertEquals(DiskBlockCache.FORMAT + "\n", Files.readString(dir().resolve("blocks/FORMAT")));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir())));

        DiskBlockCache reopened = open(1 << 20);
        assertEquals(BLOCK, reopened.stats().bytesHeld());
        assertArrayEquals(a.encode(), reopened.get(a.key()).orElseThrow());
    }

    @Test
    void filesThatFailTheCheckAreDeletedMissesAndTheDecoratorFetchesThem() throws IOException {
        DiskBlockCache cache = open(1 << 20);
        ContentBlock flipped = block(1);
        ContentBlock truncated = block(2);
        ContentBlock misnamed = block(3);
        ContentBlock source = block(4);
        ContentBlock holdsSigned = block(5);
        Stream.of(flipped, truncated, source).forEach(b -> put(cache, b));
        byte[] bytes = Files.readAllBytes(fileOf(flipped.key()));
        bytes[500] ^= 1;
        Files.write(fileOf(flipped.key()), bytes);
        try (FileChannel ch = FileChannel.open(fileOf(truncated.key()), StandardOpenOption.WRITE)) {
            ch.truncate(BLOCK / 2);
        }
        Files.createDirectories(fileOf(misnamed.key()).getParent());
        Files.copy(fileOf(source.key()), fileOf(misnamed.key()));
        Files.createDirectories(fileOf(holdsSigned.key()).getParent());
        Files.write(fileOf(holdsSigned.key()), SignedBlock.sign(SigningKey.generate(new SecureRandom()),
                "x".getBytes(StandardCharsets.UTF_8), 1, Long.MAX_VALUE, new byte[10]).encode());

        MemoryBlocks inner = new MemoryBlocks(clock);
        Stream.of(flipped, truncated, misnamed, holdsSigned).forEach(inner::put);
        Blocks cached = DiskBlockCache.cached(inner, cache);
        for (ContentBlock b : List.of(flipped, truncated, misnamed, holdsSigned)) {
            assertEquals(Optional.empty(), cache.get(b.key()), "a bad file is a miss");
            assertFalse(Files.exists(fileOf(b.key())), "the bad file is deleted");
            long before = inner.gets.get();
            assertEquals(b, cached.get(b.key()).join());
            assertEquals(before + 1, inner.gets.get(), "the decorator asks the inner store");
            assertArrayEquals(b.encode(), cache.get(b.key()).orElseThrow(), "and keeps the good block");
        }
        assertArrayEquals(source.encode(), cache.get(source.key()).orElseThrow(), "the source is untouched");
    }

    @Test
    void aFileLongerThanAnyBlockIsRefusedBeforeItIsRead() throws IOException {
        DiskBlockCache cache = open(1 << 20);
        ContentBlock b = block(1);
        Files.createDirectories(fileOf(b.key()).getParent());
        try (FileChannel ch = FileChannel.open(fileOf(b.key()), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1}), 1L << 30);
        }
        assertTrue(Allocation.supported());
        long before = Allocation.now();
        assertEquals(Optional.empty(), cache.get(b.key()));
        long allocated = Allocation.now() - before;
        assertTrue(allocated < 1 << 20, "a sparse 1 GiB file cost " + allocated + " bytes of heap");
        assertFalse(Files.exists(fileOf(b.key())));
    }

    @Test
    void theLeastRecentlyReadBlockIsEvictedFirst() throws IOException {
        long bound = 4 * BLOCK + BLOCK / 2;
        DiskBlockCache cache = open(bound);
        List<ContentBlock> b = List.of(block(0), block(1), block(2), block(3), block(4), block(5));
        for (int i = 0; i < 4; i++) {
            put(cache, b.get(i));
        }
        assertTrue(cache.get(b.get(0).key()).isPresent());
        put(cache, b.get(4));

        assertFalse(Files.exists(fileOf(b.get(1).key())), "the oldest unread block goes");
        for (int i : new int[] {0, 2, 3, 4}) {
            assertArrayEquals(b.get(i).encode(), cache.get(b.get(i).key()).orElseThrow(), "block " + i);
        }
        put(cache, b.get(5));
        assertFalse(Files.exists(fileOf(b.get(0).key())), "then block 0, read before 2, 3 and 4 were");
        assertEquals(2, cache.stats().evictions());
        assertEquals(4 * BLOCK, cache.stats().bytesHeld());
        assertEquals(4 * BLOCK, bytesOnDisk());
    }

    @Test
    void reopeningWithASmallerBoundEvictsTheLeastRecentlyUsedByMtime() throws IOException {
        DiskBlockCache cache = open(1 << 20);
        List<ContentBlock> b = List.of(block(0), block(1), block(2), block(3));
        for (ContentBlock x : b) {
            put(cache, x);
            clock.advance(Duration.ofSeconds(1));
        }
        assertTrue(cache.get(b.get(0).key()).isPresent());

        DiskBlockCache smaller = open(2 * BLOCK);
        assertEquals(new DiskBlockCache.Stats(0, 0, 2 * BLOCK, 0, 2), smaller.stats());
        assertFalse(Files.exists(fileOf(b.get(1).key())));
        assertFalse(Files.exists(fileOf(b.get(2).key())));
        assertTrue(smaller.get(b.get(0).key()).isPresent(), "read last");
        assertTrue(smaller.get(b.get(3).key()).isPresent(), "written last");
    }

    @Test
    void aBlockLargerThanTheBoundIsNotKept() throws IOException {
        DiskBlockCache cache = open(BLOCK - 1);
        ContentBlock b = block(1);
        put(cache, b);
        assertEquals(Optional.empty(), cache.get(b.key()));
        assertEquals(0, cache.stats().bytesStored());
    }

    @Test
    void signedBlocksAreNeverKept() throws IOException {
        DiskBlockCache cache = open(1 << 20);
        SignedBlock signed = SignedBlock.sign(SigningKey.generate(new SecureRandom()),
                "root".getBytes(StandardCharsets.UTF_8), 1, Long.MAX_VALUE, new byte[100]);
        cache.put(signed.key(), signed.encode());
        assertEquals(Optional.empty(), cache.get(signed.key()));
        assertFalse(Files.exists(fileOf(signed.key())));

        MemoryBlocks inner = new MemoryBlocks(clock);
        inner.put(signed);
        Blocks cached = DiskBlockCache.cached(inner, cache);
        for (int i = 1; i <= 2; i++) {
            assertEquals(signed, cached.get(signed.key()).join());
            assertEquals(signed, cached.getIncludingExpired(signed.key()).join());
            assertEquals(2L * i, inner.gets.get(), "every read of a signed block goes to the ring");
        }
        assertEquals(0, cache.stats().bytesHeld());
    }

    @Test
    void theDecoratorAsksTheInnerStoreOnlyOnAMiss() throws IOException {
        DiskBlockCache cache = open(1 << 20);
        MemoryBlocks inner = new MemoryBlocks(clock);
        ContentBlock b = block(1);
        inner.put(b);
        Blocks cached = DiskBlockCache.cached(inner, cache);

        assertEquals(b, cached.get(b.key()).join());
        assertEquals(1, inner.gets.get());
        Block second = cached.get(b.key()).join();
        assertEquals(b, second);
        assertEquals(1, inner.gets.get(), "the second read comes from disk");
        assertEquals(new DiskBlockCache.Stats(1, 1, BLOCK, BLOCK, 0), cache.stats());

        Block afterRemount = DiskBlockCache.cached(inner, open(1 << 20)).get(b.key()).join();
        assertEquals(b, afterRemount);
        assertEquals(1, inner.gets.get(), "a remount reads it from disk too");

        Id absent = block(2).key();
        CompletionException e = assertThrows(CompletionException.class, () -> cached.get(absent).join());
        assertEquals(DHashException.Kind.NOT_FOUND, assertInstanceOf(DHashException.class, e.getCause()).kind());
        assertFalse(Files.exists(fileOf(absent)));
    }

    @Test
    void theDecoratorPassesTheOtherCallsThrough() throws IOException {
        MemoryBlocks inner = new MemoryBlocks(clock);
        Blocks cached = DiskBlockCache.cached(inner, open(1 << 20));
        ContentBlock b = block(1);
        assertTrue(cached.put(b).join().complete());
        assertTrue(cached.putMissing(block(2)).join().complete());
        assertEquals(2, inner.size());
        inner.holdersOf.put(b.key(), 2);
        assertEquals(2, cached.holders(b.key()).join());
        assertFalse(Files.exists(fileOf(b.key())), "a put does not fill the read cache");
    }

    @Test
    void theDecoratorWritesOnTheGivenExecutorAndSkipsWhenItRefuses() throws IOException {
        DiskBlockCache cache = open(1 << 20);
        MemoryBlocks inner = new MemoryBlocks(clock);
        ContentBlock b = block(1);
        inner.put(b);
        List<Runnable> queued = new ArrayList<>();

        assertEquals(b, DiskBlockCache.cached(inner, cache, queued::add).get(b.key()).join());
        assertFalse(Files.exists(fileOf(b.key())), "nothing written on the completing thread");
        assertEquals(1, queued.size());
        queued.get(0).run();
        assertTrue(cache.get(b.key()).isPresent());

        ContentBlock c = block(2);
        inner.put(c);
        Blocks refusing = DiskBlockCache.cached(inner, cache, task -> {
            throw new RejectedExecutionException("shut down");
        });
        assertEquals(c, refusing.get(c.key()).join());
        assertFalse(Files.exists(fileOf(c.key())));
    }

    @Test
    void twoInstancesOnOneDirectorySeeEachOthersBlocks() throws IOException {
        DiskBlockCache first = open(1 << 20);
        DiskBlockCache second = open(2 * BLOCK);
        ContentBlock a = block(1);
        put(first, a);
        assertArrayEquals(a.encode(), second.get(a.key()).orElseThrow(), "found on disk, though not indexed");
        assertEquals(BLOCK, second.stats().bytesHeld());

        put(second, block(2));
        put(second, block(3));
        assertFalse(Files.exists(fileOf(a.key())), "evicted by the second");
        MemoryBlocks inner = new MemoryBlocks(clock);
        inner.put(a);
        assertEquals(a, DiskBlockCache.cached(inner, first).get(a.key()).join());
        assertEquals(1, inner.gets.get(), "the first misses and fetches again");
        assertTrue(Files.exists(fileOf(a.key())), "and keeps it again");
    }

    @Test
    void manyThreadsReadAndWriteOverlappingKeysWithinTheBound() throws Exception {
        long bound = 20L * BLOCK;
        DiskBlockCache cache = open(bound);
        List<ContentBlock> blocks = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            blocks.add(block(i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int seed = t;
                results.add(pool.submit(() -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    int served = 0;
                    for (int op = 0; op < 300; op++) {
                        ContentBlock b = blocks.get(r.nextInt(blocks.size()));
                        if (r.nextBoolean()) {
                            put(cache, b);
                        } else {
                            Optional<byte[]> got = cache.get(b.key());
                            if (got.isPresent()) {
                                Block.decode(got.get(), Block.DEFAULT_MAX_DATA).verify(b.key(), 0, Block.DEFAULT_MAX_DATA);
                                served++;
                            }
                        }
                    }
                    return served;
                }));
            }
            int served = 0;
            for (Future<Integer> f : results) {
                served += f.get(60, TimeUnit.SECONDS);
            }
            assertTrue(served > 0, "no get was served from disk");
        } finally {
            pool.shutdownNow();
        }
        assertTrue(cache.stats().bytesHeld() <= bound, cache.stats().toString());
        assertTrue(bytesOnDisk() <= bound, "on disk: " + bytesOnDisk());
        try (Stream<Path> files = Files.walk(dir().resolve("blocks"))) {
            assertEquals(List.of(), files.filter(p -> p.toString().endsWith(".tmp")).toList(), "temporary files left");
        }
    }

    @Test
    void openFailsNamingADirectoryThatIsAFile() throws IOException {
        Files.writeString(dir(), "not a directory");
        IOException e = assertThrows(IOException.class, () -> open(1 << 20));
        assertTrue(e.getMessage().startsWith("cannot open the block cache at " + dir() + ": "), e.getMessage());
        assertTrue(e.getMessage().endsWith("exists and is not a directory"), e.getMessage());

        Path under = dir().resolve("cfs");
        IOException e2 = assertThrows(IOException.class, () -> DiskBlockCache.open(under, 1 << 20));
        assertTrue(e2.getMessage().startsWith("cannot open the block cache at " + under + ": "), e2.getMessage());
        assertTrue(e2.getMessage().contains("Not a directory"), e2.getMessage());
    }

    @Test
    void openRefusesABoundThatIsNotPositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> open(0));
        assertEquals("a block cache needs a positive byte bound, got 0", e.getMessage());
    }

    @Test
    void aWriteThatFailsDoesNotThrowAndReadsGoToTheInnerStore() throws IOException {
        DiskBlockCache cache = open(1 << 20);
        MemoryBlocks inner = new MemoryBlocks(clock);
        ContentBlock b = block(1);
        inner.put(b);
        // A file where the block's fan-out directory belongs stops even root from writing there.
        Files.writeString(fileOf(b.key()).getParent(), "in the way");
        Blocks cached = DiskBlockCache.cached(inner, cache);

        put(cache, b);
        assertEquals(b, cached.get(b.key()).join());
        assertEquals(b, cached.get(b.key()).join());
        assertEquals(2, inner.gets.get());
        assertEquals(0, cache.stats().bytesHeld());
    }

    @Test
    void aReadOnlyCacheDirectoryDoesNotMakeReadsFail() throws IOException {
        DiskBlockCache cache = open(1 << 20);
        MemoryBlocks inner = new MemoryBlocks(clock);
        ContentBlock b = block(1);
        inner.put(b);
        Blocks cached = DiskBlockCache.cached(inner, cache);
        Path blocks = dir().resolve("blocks");
        Files.setPosixFilePermissions(blocks, PosixFilePermissions.fromString("r-x------"));
        try {
            put(cache, block(2));
            assertEquals(b, cached.get(b.key()).join());
            assertEquals(b, cached.get(b.key()).join());
            if (Files.isWritable(blocks)) {
                // Root writes whatever the permission bits say (the tests run as root in CI), so
                // the block was kept and the second read came from disk: all root can observe.
                assertEquals(1, inner.gets.get());
            } else {
                assertEquals(2, inner.gets.get(), "nothing could be kept, so both reads go to the ring");
                assertEquals(0, cache.stats().bytesHeld());
            }
        } finally {
            Files.setPosixFilePermissions(blocks, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void aCacheInAnotherFormatIsDiscardedAndOtherCachesAreLeftAlone() throws IOException {
        ContentBlock b = block(1);
        put(open(1 << 20), b);
        Path neighbour = Files.writeString(Files.createDirectories(dir().resolve("rocksdb")).resolve("lib.so"), "x");
        Files.writeString(dir().resolve("blocks/FORMAT"), "cfs-block-cache 99\n");

        DiskBlockCache reopened = open(1 << 20);
        assertEquals(Optional.empty(), reopened.get(b.key()));
        assertFalse(Files.exists(fileOf(b.key()).getParent()));
        assertEquals(DiskBlockCache.FORMAT + "\n", Files.readString(dir().resolve("blocks/FORMAT")));
        assertTrue(Files.exists(neighbour));
    }

    @Test
    void openDeletesAbandonedTemporaryFilesAndLeavesLiveOnesUncounted() throws IOException {
        ContentBlock b = block(1);
        put(open(1 << 20), b);
        Path fanOut = fileOf(b.key()).getParent();
        Path abandoned = Files.write(fanOut.resolve(b.key().toHex() + ".1.tmp"), new byte[500]);
        Path live = Files.write(fanOut.resolve(b.key().toHex() + ".2.tmp"), new byte[500]);
        Files.setLastModifiedTime(abandoned, FileTime.from(clock.instant().minus(DiskBlockCache.ABANDONED).minusSeconds(1)));
        Files.setLastModifiedTime(live, FileTime.from(clock.instant()));

        DiskBlockCache reopened = open(1 << 20);
        assertFalse(Files.exists(abandoned));
        assertTrue(Files.exists(live), "another process may be writing it");
        assertEquals(BLOCK, reopened.stats().bytesHeld());
    }
}
