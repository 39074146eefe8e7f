package org.cfs.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.cfs.chord.Id;
import org.cfs.dhash.SigningKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Publish a tree into memory blocks and read it back through the reader, version by version. */
class VolumeRoundTripTest {
    private static final byte[] LABEL = "test".getBytes(StandardCharsets.UTF_8);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock();
    private MemoryBlocks blocks;
    private SigningKey key;
    private SeenVersions seen;

    @BeforeEach
    void setUp() {
        blocks = new MemoryBlocks(clock);
        key = SigningKey.generate(new SecureRandom());
        seen = SeenVersions.inMemory();
    }

    private Publication publish(Path tree, Publisher.Options options) throws VolumeException {
        return publish(tree, options, new Publisher.Listener() {
        });
    }

    private Publication publish(Path tree, Publisher.Options options, Publisher.Listener listener)
            throws VolumeException {
        return new Publisher(blocks, seen, clock, TIMEOUT, new FastCdc(1024, 4096, 16384), listener)
                .publish(tree, key, LABEL, options);
    }

    private Volumes volumes() {
        return new Volumes(blocks, SeenVersions.inMemory(), clock, TIMEOUT, 1 << 20);
    }

    /** A clock the test moves by hand. */
    static final class TestClock extends Clock {
        private final java.util.concurrent.atomic.AtomicLong millis = new java.util.concurrent.atomic.AtomicLong(1_790_000_000_000L);

        void advance(Duration d) {
            millis.addAndGet(d.toMillis());
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public java.time.Instant instant() {
            return java.time.Instant.ofEpochMilli(millis());
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static byte[] readAll(FileContent f) throws Exception {
        try (InputStream in = f.stream(4)) {
            return in.readAllBytes();
        }
    }

    @Test
    void publishesAndReadsBackEveryKindOfEntry() throws Exception {
        Path tree = Files.createDirectory(dir.resolve("tree"));
        Files.write(tree.resolve("small.txt"), "hello\n".getBytes(StandardCharsets.UTF_8));
        Files.write(tree.resolve("empty"), new byte[0]);
        Files.write(tree.resolve("one-chunk"), random(3000, 1));
        byte[] big = random(300_000, 2);
        Files.write(tree.resolve("big.bin"), big);
        Files.setPosixFilePermissions(tree.resolve("big.bin"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.createDirectories(tree.resolve("a/b/c"));
        Files.write(tree.resolve("a/b/c/deep"), "deep".getBytes(StandardCharsets.UTF_8));
        Files.createSymbolicLink(tree.resolve("link"), Path.of("a/b/c/deep"));
        Files.createSymbolicLink(tree.resolve("dangling"), Path.of("/nowhere/at/all"));
        Files.write(NativeNames.resolve(tree, new byte[] {'b', 'a', 'd', (byte) 0xff}), new byte[] {1, 2, 3});

        Publication p = publish(tree, Publisher.Options.defaults().withMessage("first"));
        assertEquals(1, p.version());
        assertFalse(p.unchanged());
        assertEquals(Publisher.volumeId(key, LABEL), p.volume());
        assertEquals(8, p.files());
        assertEquals(4, p.directories());

        Snapshot s = volumes().open(p.volume());
        assertEquals(1, s.version());
        assertEquals("first", s.commit().message());
        assertArrayEquals(big, readAll(s.open(VolumePath.parse("big.bin"))));
        assertEquals(EntryKind.LIST_FILE, s.stat(VolumePath.parse("big.bin")).kind());
        assertEquals(0750, s.stat(VolumePath.parse("big.bin")).mode());
        assertEquals(EntryKind.CHUNK_FILE, s.stat(VolumePath.parse("one-chunk")).kind());
        assertEquals(EntryKind.INLINE_FILE, s.stat(VolumePath.parse("small.txt")).kind());
        assertArrayEquals("deep".getBytes(StandardCharsets.UTF_8), readAll(s.open(VolumePath.parse("/a/b/c/deep"))));
        assertArrayEquals("a/b/c/deep".getBytes(StandardCharsets.UTF_8), s.stat(VolumePath.parse("link")).inline());
        assertEquals(EntryKind.SYMLINK, s.stat(VolumePath.parse("dangling")).kind());
        assertEquals(0, s.stat(VolumePath.parse("empty")).size());
        assertArrayEquals(new byte[] {1, 2, 3},
                readAll(s.open(VolumePath.parse(new byte[] {'b', 'a', 'd', (byte) 0xff}))));
        List<DirEntry> root = s.list(VolumePath.ROOT);
        assertEquals(List.of("a", "bad\uFFFD", "big.bin", "dangling", "empty", "link", "one-chunk", "small.txt"),
                root.stream().map(DirEntry::displayName).toList());

        byte[] buf = new byte[1000];
        FileContent f = s.open(VolumePath.parse("big.bin"));
        assertEquals(1000, f.read(123_456, buf, 0, 1000));
        assertArrayEquals(java.util.Arrays.copyOfRange(big, 123_456, 124_456), buf);
        assertEquals(-1, f.read(big.length, buf, 0, 10));
        assertEquals(10, f.read(big.length - 10, buf, 0, 1000));
    }

    @Test
    void errorsNameTheVolumeThePathAndTheCause() throws Exception {
        Path tree = Files.createDirectory(dir.resolve("tree"));
        Files.write(tree.resolve("file"), "x".getBytes(StandardCharsets.UTF_8));
        Publication p = publish(tree, Publisher.Options.defaults());
        Snapshot s = volumes().open(p.volume());
        VolumeException missing = assertThrows(VolumeException.class, () -> s.stat(VolumePath.parse("nope/x")));
        assertEquals(VolumeException.Kind.NO_SUCH_PATH, missing.kind());
        assertEquals("volume " + p.volume() + ": /nope: no such file or directory", missing.getMessage());
        VolumeException notDir = assertThrows(VolumeException.class, () -> s.stat(VolumePath.parse("file/x")));
        assertEquals(VolumeException.Kind.NOT_A_DIRECTORY, notDir.kind());
        assertEquals(VolumeException.Kind.NOT_A_FILE,
                assertThrows(VolumeException.class, () -> s.open(VolumePath.ROOT)).kind());
        assertEquals(VolumeException.Kind.INVALID,
                assertThrows(VolumeException.class, () -> VolumePath.parse("a/../b")).kind());
        Id unknown = Id.hash("no volume here");
        VolumeException none = assertThrows(VolumeException.class, () -> volumes().open(unknown));
        assertEquals(VolumeException.Kind.UNKNOWN_VOLUME, none.kind());
    }

    @Test
    void unchangedTreeMakesNoVersionAndChainsKeepEveryVersion() throws Exception {
        Path tree = Files.createDirectory(dir.resolve("tree"));
        Path file = tree.resolve("f");
        Files.write(file, "one".getBytes(StandardCharsets.UTF_8));
        Publication v1 = publish(tree, Publisher.Options.defaults());
        Set<Id> published = Set.copyOf(blocks.askedFor);
        assertTrue(published.contains(v1.commit()));
        blocks.askedFor.clear();
        Publication again = publish(tree, Publisher.Options.defaults());
        assertTrue(again.unchanged());
        assertEquals(1, again.version());
        assertEquals(0, again.bytesSent());
        assertEquals(published, blocks.askedFor, "publishing again asks for, so refreshes, every block, the commit too");
        Files.write(file, "two".getBytes(StandardCharsets.UTF_8));
        Publication v2 = publish(tree, Publisher.Options.defaults());
        assertEquals(2, v2.version());
        Publication v3 = publish(tree, Publisher.Options.defaults().withForce(true));
        assertEquals(3, v3.version());

        Volumes volumes = volumes();
        assertEquals(List.of(3L, 2L, 1L),
                volumes.open(v1.volume()).history().stream().map(Snapshot::version).toList());
        assertArrayEquals("one".getBytes(StandardCharsets.UTF_8), readAll(volumes.open(v1.volume(), 1).open(VolumePath.parse("f"))));
        assertArrayEquals("two".getBytes(StandardCharsets.UTF_8), readAll(volumes.open(v1.volume(), 2).open(VolumePath.parse("f"))));
        assertEquals(VolumeException.Kind.NO_SUCH_VERSION,
                assertThrows(VolumeException.class, () -> volumes.open(v1.volume(), 4)).kind());
    }

    @Test
    void rollbackToAnOlderSignedBlockIsRefused() throws Exception {
        Path tree = Files.createDirectory(dir.resolve("tree"));
        Files.write(tree.resolve("f"), "one".getBytes(StandardCharsets.UTF_8));
        Publication v1 = publish(tree, Publisher.Options.defaults());
        byte[] firstSigned = blocks.raw(v1.volume());
        Files.write(tree.resolve("f"), "two".getBytes(StandardCharsets.UTF_8));
        publish(tree, Publisher.Options.defaults());

        SeenVersions reader = SeenVersions.inMemory();
        Volumes volumes = new Volumes(blocks, reader, clock, TIMEOUT, 1 << 20);
        assertEquals(2, volumes.open(v1.volume()).version());
        blocks.replace(v1.volume(), firstSigned);
        VolumeException e = assertThrows(VolumeException.class, () -> volumes.open(v1.volume()));
        assertEquals(VolumeException.Kind.ROLLBACK, e.kind());
        assertTrue(e.getMessage().contains("serves version 1") && e.getMessage().contains("seen version 2"),
                e.getMessage());
    }

    @Test
    void expiredVersionIsRefusedNamingItsExpiryAndRefreshRenewsIt() throws Exception {
        Path tree = Files.createDirectory(dir.resolve("tree"));
        Files.write(tree.resolve("f"), "one".getBytes(StandardCharsets.UTF_8));
        Publication v1 = publish(tree, Publisher.Options.defaults().withExpires(Duration.ofHours(1)));
        clock.advance(Duration.ofHours(2));
        VolumeException e = assertThrows(VolumeException.class, () -> volumes().open(v1.volume()));
        assertEquals(VolumeException.Kind.EXPIRED, e.kind());
        assertTrue(e.getMessage().contains("expired at " + java.time.Instant.ofEpochMilli(v1.expiresAtMillis())),
                e.getMessage());

        Publication refreshed = new Publisher(blocks, seen, clock, TIMEOUT, FastCdc.defaults(), new Publisher.Listener() {
        }).refresh(key, LABEL, Duration.ofDays(1));
        assertEquals(1, refreshed.version());
        assertEquals(1, volumes().open(v1.volume()).version());
    }

    @Test
    void fileThatCannotBeReadStopsThePublishBeforeAnythingIsSigned() throws Exception {
        Path tree = Files.createDirectory(dir.resolve("tree"));
        Path first = Files.write(tree.resolve("a-first"), random(10_000, 4));
        Path doomed = Files.write(tree.resolve("b-doomed"), random(10_000, 5));
        // Root reads any file whatever its mode, so the unreadable file is one that vanishes
        // after the survey, while the publish is under way (files are stored in name order).
        VolumeException e = assertThrows(VolumeException.class, () -> publish(tree, Publisher.Options.defaults(),
                new Publisher.Listener() {
                    @Override
                    public void stored(Path file, long bytes) {
                        try {
                            assertEquals(first, file);
                            Files.delete(doomed);
                        } catch (IOException ex) {
                            throw new java.io.UncheckedIOException(ex);
                        }
                    }
                }));
        assertEquals(VolumeException.Kind.IO, e.kind());
        assertEquals(doomed + ": cannot read the attributes (it vanished during the publish)", e.getMessage());
        assertEquals(null, blocks.raw(Publisher.volumeId(key, LABEL)));
    }

    @Test
    void rePublishOfAnEditedFileSendsOnlyTheChangedChunks() throws IOException, VolumeException {
        Path tree = Files.createDirectory(dir.resolve("tree"));
        byte[] data = random(2_000_000, 3);
        Files.write(tree.resolve("data"), data);
        publish(tree, Publisher.Options.defaults());
        data[1_000_000] ^= 1;
        Files.write(tree.resolve("data"), data);
        Publication p = publish(tree, Publisher.Options.defaults());
        // The edited chunk (or two, if the edit moved a cut), the chunk list, the root directory
        // and the commit: a handful of blocks, not the 2 MB file.
        assertTrue(p.blocksSent() <= 6, "sent " + p.blocksSent() + " blocks");
        assertTrue(p.bytesFound() > 1_900_000, "found " + p.bytesFound() + " bytes already stored");
    }
}
