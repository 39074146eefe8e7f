package org.cfs.cluster.mount;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.cfs.chord.Id;
import org.cfs.cluster.LoopbackDHashRing;
import org.cfs.cluster.LoopbackRing;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.SigningKey;
import org.cfs.dhash.StoreLimits;
import org.cfs.fs.Blocks;
import org.cfs.fs.DiskBlockCache;
import org.cfs.fs.FastCdc;
import org.cfs.fs.ForwardingBlocks;
import org.cfs.fs.Publication;
import org.cfs.fs.Publisher;
import org.cfs.fs.SeenVersions;
import org.cfs.fs.Volumes;
import org.cfs.mount.MountException;
import org.cfs.mount.VolumeMount;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real FUSE mount of volumes published to a real ring (five hosts on loopback, TCP, RocksDB):
 * what the kernel shows must be exactly what was published, for every file type, from many
 * readers at once, across versions, and nothing may be written.
 */
@ExtendWith(RequiresFuse.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class FuseMountTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Duration REFRESH = Duration.ofSeconds(1);
    private static final byte[] LABEL = "mount".getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path dir;
    private static LoopbackDHashRing ring;
    private static Publisher publisher;
    private static VolumeMount mount;
    private static Path mnt;
    private static Path source;
    private static SigningKey key;
    private static Id volume;

    @BeforeAll
    static void publishAndMount() throws Exception {
        ring = new LoopbackDHashRing(LoopbackRing.loopbackConfig(), DHashConfig.defaults().withReplicas(3),
                StoreLimits.defaults(), dir.resolve("ring"));
        ring.growSequentially(5, 1);
        ring.stabilize(Duration.ofSeconds(60), Duration.ofMillis(200)).orElseThrow(
                () -> new AssertionError("ring did not stabilize: " + ring.mismatches()));
        Blocks blocks = Blocks.of(ring.client(ring.hosts().get(0).endpoint()));
        publisher = new Publisher(blocks, SeenVersions.inMemory(), Clock.systemUTC(), TIMEOUT,
                new FastCdc(4096, 16384, 65536), new Publisher.Listener() { });
        source = sourceTree(dir.resolve("src"));
        key = SigningKey.generate(new SecureRandom());
        volume = publisher.publish(source, key, LABEL, Publisher.Options.defaults()).volume();
        mnt = Files.createDirectories(dir.resolve("mnt"));
        Volumes volumes = new Volumes(blocks, SeenVersions.inMemory(), Clock.systemUTC(), TIMEOUT, 64L << 20);
        mount = VolumeMount.start(mnt, volumes, () -> Map.of("docs", volume),
                new VolumeMount.Settings(Optional.empty(), REFRESH, TIMEOUT));
    }

    @AfterAll
    static void unmount() {
        if (mount != null) {
            mount.close();
            assertFalse(VolumeMount.isMounted(mnt), "still in /proc/self/mountinfo after close");
        }
        if (ring != null) {
            ring.close();
        }
    }

    /** Every kind of entry: inline, one-chunk and many-chunk files, an empty one, symlinks, deep dirs. */
    private static Path sourceTree(Path src) throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        Files.createDirectories(src.resolve("dir/sub/deeper"));
        Files.writeString(src.resolve("small.txt"), "hello from cfs\n");
        Files.write(src.resolve("one-chunk.bin"), bytes(random, 10_000));
        Files.write(src.resolve("dir/big.bin"), bytes(random, 3 << 20));
        Files.write(src.resolve("empty"), new byte[0]);
        Files.writeString(src.resolve("dir/sub/deeper/deep.txt"), "deep\n");
        Files.writeString(src.resolve("run.sh"), "#!/bin/sh\necho ran from the mount\n");
        Files.setPosixFilePermissions(src.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(src.resolve("small.txt"), PosixFilePermissions.fromString("rw-r-----"));
        Files.createSymbolicLink(src.resolve("link"), Path.of("small.txt"));
        Files.createSymbolicLink(src.resolve("dir/dangling"), Path.of("../nowhere"));
        Files.setLastModifiedTime(src.resolve("dir/big.bin"), FileTime.fromMillis(1_600_000_000_123L));
        return src;
    }

    private static byte[] bytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    @Test
    void everyEntryReadsBackAsPublished() throws IOException {
        Path root = mnt.resolve(volume.toHex() + "@1");
        List<Path> entries;
        try (Stream<Path> walk = Files.walk(source)) {
            entries = walk.map(source::relativize).toList();
        }
        for (Path rel : entries) {
            Path want = source.resolve(rel.toString());
            Path got = root.resolve(rel.toString());
            assertEquals(Files.isSymbolicLink(want), Files.isSymbolicLink(got), rel + ": symlink");
            if (Files.isSymbolicLink(want)) {
                assertEquals(Files.readSymbolicLink(want), Files.readSymbolicLink(got), rel + ": link target");
                continue;
            }
            assertEquals(Files.isDirectory(want), Files.isDirectory(got), rel + ": directory");
            if (!rel.toString().isEmpty()) {
                assertEquals(Files.getPosixFilePermissions(want, LinkOption.NOFOLLOW_LINKS),
                        Files.getPosixFilePermissions(got, LinkOption.NOFOLLOW_LINKS), rel + ": mode");
                assertEquals(Files.getLastModifiedTime(want, LinkOption.NOFOLLOW_LINKS),
                        Files.getLastModifiedTime(got, LinkOption.NOFOLLOW_LINKS), rel + ": mtime");
            }
            if (Files.isRegularFile(want)) {
                assertEquals(Files.size(want), Files.size(got), rel + ": size");
                assertArrayEquals(Files.readAllBytes(want), Files.readAllBytes(got), rel + ": content");
            } else {
                try (Stream<Path> a = Files.list(want); Stream<Path> b = Files.list(got)) {
                    assertEquals(a.map(p -> p.getFileName().toString()).sorted().toList(),
                            b.map(p -> p.getFileName().toString()).sorted().toList(), rel + ": listing");
                }
            }
        }
    }

    @Test
    void thirtyTwoReadersAtRandomOffsetsAllSeeTheSourceBytes() throws Exception {
        byte[] want = Files.readAllBytes(source.resolve("dir/big.bin"));
        Path got = mnt.resolve("docs/dir/big.bin");
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            List<Future<Integer>> readers = new ArrayList<>();
            for (int t = 0; t < 32; t++) {
                SplittableRandom random = new SplittableRandom(t);
                readers.add(pool.submit(() -> {
                    int checked = 0;
                    try (FileChannel ch = FileChannel.open(got, StandardOpenOption.READ)) {
                        for (int i = 0; i < 40; i++) {
                            int offset = random.nextInt(want.length);
                            int size = 1 + random.nextInt(Math.min(256 << 10, want.length - offset));
                            ByteBuffer buf = ByteBuffer.allocate(size);
                            while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) > 0) {
                                // positional reads until the range is full
                            }
                            assertEquals(size, buf.position(), "short read at " + offset);
                            for (int j = 0; j < size; j++) {
                                if (buf.get(j) != want[offset + j]) {
                                    throw new AssertionError("byte " + (offset + j) + " differs");
                                }
                            }
                            checked += size;
                        }
                    }
                    return checked;
                }));
            }
            for (Future<Integer> r : readers) {
                assertTrue(r.get(2, TimeUnit.MINUTES) > 0);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aliasesAndVersionsAreSymlinksAndDirectories() throws IOException {
        assertEquals(Path.of(volume.toHex()), Files.readSymbolicLink(mnt.resolve("docs")));
        Path newest = Files.readSymbolicLink(mnt.resolve(volume.toHex()));
        assertTrue(newest.toString().startsWith(volume.toHex() + "@"), newest.toString());
        assertEquals("hello from cfs\n", Files.readString(mnt.resolve(volume.toHex() + "@1/small.txt")));
        try (Stream<Path> top = Files.list(mnt)) {
            assertEquals(List.of("docs"), top.map(p -> p.getFileName().toString()).toList(), "only aliases are listed");
        }
        assertThrows(NoSuchFileException.class, () -> Files.size(mnt.resolve(volume.toHex() + "@99/small.txt")));
        assertThrows(NoSuchFileException.class, () -> Files.size(mnt.resolve("0".repeat(40) + "/x")));
        assertThrows(NoSuchFileException.class, () -> Files.size(mnt.resolve("not-a-volume")));
        assertThrows(NoSuchFileException.class, () -> Files.size(mnt.resolve("docs/no-such-file")));
    }

    @Test
    void everyChangeIsRefusedAsReadOnly() {
        Path root = mnt.resolve("docs");
        List<ThrowingAction> changes = List.of(
                () -> Files.writeString(root.resolve("small.txt"), "changed"),
                () -> Files.writeString(root.resolve("new.txt"), "new"),
                () -> Files.createDirectory(root.resolve("newdir")),
                () -> Files.delete(root.resolve("small.txt")),
                () -> Files.move(root.resolve("small.txt"), root.resolve("moved.txt")),
                () -> Files.setPosixFilePermissions(root.resolve("small.txt"), PosixFilePermissions.fromString("rwxrwxrwx")),
                () -> Files.createSymbolicLink(root.resolve("l2"), Path.of("small.txt")));
        for (ThrowingAction change : changes) {
            FileSystemException e = assertThrows(FileSystemException.class, change::run);
            assertTrue(String.valueOf(e.getReason()).contains("Read-only file system"), e.toString());
        }
    }

    /** A file-system call that may fail. */
    @FunctionalInterface
    private interface ThrowingAction {
        void run() throws IOException;
    }

    @Test
    void aNewVersionShowsAfterTheRefreshWhileAnOpenFileKeepsItsOwn() throws Exception {
        SigningKey other = SigningKey.generate(new SecureRandom());
        Path tree = Files.createDirectories(dir.resolve("versions"));
        SplittableRandom random = new SplittableRandom(11);
        byte[] v1 = bytes(random, 1 << 20);
        byte[] v2 = bytes(random, (1 << 20) + 5);
        Files.write(tree.resolve("f"), v1);
        Id id = publisher.publish(tree, other, LABEL, Publisher.Options.defaults()).volume();
        Path f = mnt.resolve(id.toHex()).resolve("f");
        try (FileChannel old = FileChannel.open(f, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(4096);
            old.read(head, 0);
            Files.write(tree.resolve("f"), v2);
            Publication second = publisher.publish(tree, other, LABEL, Publisher.Options.defaults());
            assertEquals(2, second.version());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!Files.readSymbolicLink(mnt.resolve(id.toHex())).toString().endsWith("@2")) {
                assertTrue(System.nanoTime() < deadline, "version 2 did not show within 30 s");
                Thread.sleep(100);
            }
            assertArrayEquals(v2, Files.readAllBytes(f), "the newest version through MNT/ID");
            ByteBuffer rest = ByteBuffer.allocate(v1.length + 100);
            while (old.read(rest, rest.position()) > 0) {
                // the whole file through the handle opened at version 1
            }
            assertArrayEquals(v1, java.util.Arrays.copyOf(rest.array(), rest.position()), "the open file's own version");
            assertArrayEquals(v1, Files.readAllBytes(mnt.resolve(id.toHex() + "@1/f")), "version 1 by number");
        }
    }

    @Test
    void aSecondMountOnTheSameDirectoryIsRefused() {
        Volumes volumes = new Volumes(Blocks.of(ring.client(ring.hosts().get(1).endpoint())), SeenVersions.inMemory(),
                Clock.systemUTC(), TIMEOUT, 1 << 20);
        MountException e = assertThrows(MountException.class, () -> VolumeMount.start(mnt, volumes, Map::of,
                new VolumeMount.Settings(Optional.empty(), REFRESH, TIMEOUT)));
        assertTrue(e.getMessage().contains("already mounted"), e.getMessage());
    }

    @Test
    void afterARemountAFileReadBeforeComesFromTheDiskCacheNotTheRing() throws Exception {
        Path cacheDir = dir.resolve("cache");
        Path again = Files.createDirectories(dir.resolve("mnt-again"));
        byte[] want = Files.readAllBytes(source.resolve("dir/big.bin"));
        java.util.concurrent.atomic.AtomicLong contentFromRing = new java.util.concurrent.atomic.AtomicLong();
        Blocks ringBlocks = Blocks.of(ring.client(ring.hosts().get(2).endpoint()));
        Blocks counted = new ForwardingBlocks(ringBlocks) {
            @Override
            public java.util.concurrent.CompletableFuture<org.cfs.dhash.Block> get(Id key) {
                return inner().get(key).whenComplete((b, e) -> {
                    if (b instanceof org.cfs.dhash.ContentBlock) {
                        contentFromRing.incrementAndGet();
                    }
                });
            }
        };
        for (int round = 1; round <= 2; round++) {
            DiskBlockCache disk = DiskBlockCache.open(cacheDir, 64L << 20);
            // Writes on the completing thread, so every block is on disk before its read returns.
            Volumes volumes = new Volumes(DiskBlockCache.cached(counted, disk), SeenVersions.inMemory(),
                    Clock.systemUTC(), TIMEOUT, 1 << 20);
            long before = contentFromRing.get();
            try (VolumeMount m = VolumeMount.start(again, volumes, Map::of,
                    new VolumeMount.Settings(Optional.empty(), REFRESH, TIMEOUT))) {
                assertArrayEquals(want, Files.readAllBytes(again.resolve(volume.toHex() + "/dir/big.bin")));
            }
            long fetched = contentFromRing.get() - before;
            if (round == 1) {
                assertTrue(fetched > 40, "a cold read fetches the file's blocks from the ring: " + fetched);
            } else {
                assertEquals(0, fetched, "content blocks fetched from the ring after the remount");
            }
        }
    }

    @Test
    void extendedAttributesSayWhereAFileComesFrom() throws IOException {
        Path big = mnt.resolve(volume.toHex() + "@1/dir/big.bin");
        java.nio.file.attribute.UserDefinedFileAttributeView view = Files.getFileAttributeView(big,
                java.nio.file.attribute.UserDefinedFileAttributeView.class);
        assertEquals(List.of("cfs.chunks", "cfs.expires", "cfs.ref", "cfs.replicas", "cfs.version", "cfs.volume"),
                view.list().stream().sorted().toList());
        assertEquals(volume.toHex(), xattr(view, "cfs.volume"));
        assertEquals("1", xattr(view, "cfs.version"));
        assertTrue(Integer.parseInt(xattr(view, "cfs.chunks")) > 40, xattr(view, "cfs.chunks"));
        assertTrue(xattr(view, "cfs.ref").matches("[0-9a-f]{40}"), xattr(view, "cfs.ref"));
        java.time.Instant.parse(xattr(view, "cfs.expires"));
        String[] replicas = xattr(view, "cfs.replicas").split(",");
        assertEquals(3, replicas.length, "k = 3 hosts hold the first chunk: " + String.join(",", replicas));
        java.nio.file.attribute.UserDefinedFileAttributeView small = Files.getFileAttributeView(
                mnt.resolve(volume.toHex() + "@1/small.txt"), java.nio.file.attribute.UserDefinedFileAttributeView.class);
        assertEquals("0", xattr(small, "cfs.chunks"), "a small file lives inside its directory block");
        assertFalse(small.list().contains("cfs.ref"));
        assertThrows(FileSystemException.class, () -> xattr(small, "cfs.no-such-attribute"));
    }

    private static String xattr(java.nio.file.attribute.UserDefinedFileAttributeView view, String name)
            throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(view.size(name));
        view.read(name, buf);
        return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
    }
}
