package org.cfs.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.cfs.chord.Id;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.SigningKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Publish a tree into memory blocks, export it with {@link TreeExport} and compare the two trees. */
class TreeExportTest {
    private static final byte[] LABEL = "export".getBytes(StandardCharsets.UTF_8);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final byte[] NOT_UTF8 = {'n', 'o', 't', '-', (byte) 0xff, (byte) 0xfe};

    @TempDir
    Path dir;

    private final VolumeRoundTripTest.TestClock clock = new VolumeRoundTripTest.TestClock();
    private MemoryBlocks blocks;
    private SigningKey key;

    @BeforeEach
    void setUp() {
        blocks = new MemoryBlocks(clock);
        key = SigningKey.generate(new SecureRandom());
    }

    private Snapshot publish(Path tree) throws VolumeException {
        Publication p = new Publisher(blocks, SeenVersions.inMemory(), clock, TIMEOUT, new FastCdc(1024, 4096, 16384),
                new Publisher.Listener() {
                }).publish(tree, key, LABEL, Publisher.Options.defaults());
        return new Volumes(blocks, SeenVersions.inMemory(), clock, TIMEOUT, 1 << 20).open(p.volume());
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** An mtime with every nanosecond digit set, so any rounding shows. */
    private static long mtime(int i) {
        return 1_600_000_000_123_456_789L + i * 1_000_000_007L;
    }

    private static void setMtime(Path p, long nanos) throws IOException {
        LocalTimes.setMtime(p, nanos);
        assertEquals(nanos, mtimeOf(p), "the source's own mtime of " + p);
    }

    private static long mtimeOf(Path p) throws IOException {
        Instant i = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private static void mode(Path p, int mode) throws IOException {
        Files.setAttribute(p, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
    }

    /** A tree with every entry kind, odd modes and nanosecond mtimes everywhere; directories' set last. */
    private Path sourceTree() throws IOException {
        Path tree = Files.createDirectory(dir.resolve("source"));
        Path sub = Files.createDirectories(tree.resolve("sub/inner"));
        Path sticky = Files.createDirectory(tree.resolve("sticky"));
        Path secret = Files.createDirectory(tree.resolve("locked"));
        Files.write(tree.resolve("inline.txt"), "hello\n".getBytes(StandardCharsets.UTF_8));
        Files.write(tree.resolve("empty"), new byte[0]);
        Files.write(tree.resolve("one-chunk"), random(3000, 1));
        Files.write(sub.resolve("big.bin"), random(300_000, 2));
        Files.write(NativeNames.resolve(sub, NOT_UTF8), new byte[] {1, 2, 3});
        Files.write(tree.resolve("setuid"), random(5000, 3));
        Files.write(tree.resolve("private"), "p".getBytes(StandardCharsets.UTF_8));
        Files.write(tree.resolve("nobody"), "n".getBytes(StandardCharsets.UTF_8));
        Files.write(secret.resolve("inside"), "i".getBytes(StandardCharsets.UTF_8));
        Files.createSymbolicLink(tree.resolve("link"), Path.of("sub/inner/big.bin"));
        Files.createSymbolicLink(tree.resolve("dangling"), Path.of("/nowhere/at/all"));
        Files.createSymbolicLink(NativeNames.resolve(tree, new byte[] {'l', (byte) 0xe9}),
                NativeNames.path(tree.getFileSystem(), NOT_UTF8));
        mode(tree.resolve("setuid"), 04755);
        mode(tree.resolve("private"), 0600);
        mode(tree.resolve("nobody"), 0);
        mode(sticky, 01777);
        mode(sub, 02750);
        int i = 0;
        List<Path> all;
        try (Stream<Path> walk = Files.walk(tree)) {
            all = new ArrayList<>(walk.toList());
        }
        // Deepest first, so a directory's time is set after everything inside it.
        all.sort((a, b) -> Integer.compare(b.getNameCount(), a.getNameCount()));
        for (Path p : all) {
            setMtime(p, mtime(i++));
        }
        mode(secret, 0);
        return tree;
    }

    /** Relative path -> "type mode size mtime target/content-hash" of every entry under {@code root}. */
    private static TreeMap<String, String> listing(Path root) throws IOException {
        TreeMap<String, String> out = new TreeMap<>();
        List<Path> all;
        try (Stream<Path> walk = Files.walk(root)) {
            all = walk.toList();
        }
        for (Path p : all) {
            String rel = java.util.HexFormat.of().formatHex(NativeNames.bytes(root.relativize(p)));
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            String what;
            if (Files.isSymbolicLink(p)) {
                what = "l " + java.util.HexFormat.of().formatHex(NativeNames.bytes(Files.readSymbolicLink(p)));
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                what = "d " + Integer.toOctalString(mode & 07777);
            } else {
                what = "f " + Integer.toOctalString(mode & 07777) + " " + Id.hash(Files.readAllBytes(p));
            }
            out.put(rel, what + " " + mtimeOf(p));
        }
        return out;
    }

    /** {@code find -printf} of the tree, the issue's own acceptance listing; null where find is missing. */
    private static String find(Path root) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("find", ".", "-printf", "%P %y %m %s %T@ %l\\n").directory(root.toFile())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            return null;
        }
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "find did not finish");
        assertEquals(0, p.exitValue(), new String(out, StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>(List.of(new String(out, StandardCharsets.ISO_8859_1).split("\n")));
        lines.sort(null);
        // A directory's size is the file system's business (it grows with renames on some); drop it.
        return String.join("\n", lines.stream().map(l -> l.matches(".* d \\d+ \\d+ .*")
                ? l.replaceFirst(" d (\\d+) \\d+ ", " d $1 - ") : l).toList());
    }

    @Test
    void exportsEveryKindWithModesAndExactTimes() throws Exception {
        Path source = sourceTree();
        Snapshot s = publish(source);
        Path dest = dir.resolve("dest");
        List<long[]> progress = new ArrayList<>();
        long[] planned = new long[2];
        TreeExport.Result r = TreeExport.export(s, VolumePath.ROOT, dest, TreeExport.Options.defaults(),
                new TreeExport.Listener() {
                    @Override
                    public void planned(long files, long bytes) {
                        planned[0] = files;
                        planned[1] = bytes;
                    }

                    @Override
                    public void progress(long files, long bytes) {
                        progress.add(new long[] {files, bytes});
                    }
                });
        assertEquals(dest, r.written());
        assertEquals(listing(source), listing(dest));
        String expected = find(source);
        if (expected != null) {
            assertTrue(expected.contains("\ndangling l 777 15 ") && expected.contains("\nsetuid f 4755 5000 ")
                    && expected.contains("\nsticky d 1777 - "), expected);
            assertEquals(expected, find(dest));
        }
        assertTrue(TreeExport.exactSymlinkTimes(), "utimensat through jnr-ffi on this Linux");
        assertEquals(mtimeOf(source.resolve("dangling")), mtimeOf(dest.resolve("dangling")));
        assertEquals(04755, (Integer) Files.getAttribute(dest.resolve("setuid"), "unix:mode") & 07777);
        assertEquals(01777, (Integer) Files.getAttribute(dest.resolve("sticky"), "unix:mode") & 07777);

        assertEquals(12, r.files());
        assertEquals(3, r.symlinks());
        assertEquals(5, r.directories());
        assertEquals(s.commit().bytes(), r.bytes());
        assertEquals(s.commit().files(), planned[0]);
        assertEquals(s.commit().bytes(), planned[1]);
        long[] last = progress.get(progress.size() - 1);
        assertEquals(12, last[0]);
        assertEquals(r.bytes(), last[1]);
        try (Stream<Path> walk = Files.walk(dest)) {
            assertTrue(walk.noneMatch(p -> p.getFileName().toString().startsWith(".cfs-get-")), "temporary left");
        }
    }

    @Test
    void subtreeGoesUnderAnExistingDirectoryAndAFileToANewName() throws Exception {
        Path source = sourceTree();
        Snapshot s = publish(source);
        Path into = Files.createDirectory(dir.resolve("into"));
        TreeExport.Result r = TreeExport.export(s, VolumePath.parse("sub"), into, TreeExport.Options.defaults(),
                new TreeExport.Listener() {
                });
        assertEquals(into.resolve("sub"), r.written());
        assertEquals(listing(source.resolve("sub")), listing(into.resolve("sub")));

        Path copy = dir.resolve("copy.bin");
        r = TreeExport.export(s, VolumePath.parse("sub/inner/big.bin"), copy, TreeExport.Options.defaults(),
                new TreeExport.Listener() {
                });
        assertEquals(copy, r.written());
        assertEquals(1, r.files());
        assertArrayEquals(Files.readAllBytes(source.resolve("sub/inner/big.bin")), Files.readAllBytes(copy));
        assertEquals(mtimeOf(source.resolve("sub/inner/big.bin")), mtimeOf(copy));

        TreeExport.export(s, VolumePath.parse("setuid"), into, TreeExport.Options.defaults(), new TreeExport.Listener() {
        });
        assertArrayEquals(Files.readAllBytes(source.resolve("setuid")), Files.readAllBytes(into.resolve("setuid")));
        TreeExport.export(s, VolumePath.parse("link"), into, TreeExport.Options.defaults(), new TreeExport.Listener() {
        });
        assertEquals(Path.of("sub/inner/big.bin"), Files.readSymbolicLink(into.resolve("link")));
    }

    @Test
    void existingFilesAreKeptUnlessOverwriteIsAsked() throws Exception {
        Path source = sourceTree();
        Snapshot s = publish(source);
        Path target = Files.write(dir.resolve("target"), "mine".getBytes(StandardCharsets.UTF_8));
        VolumeException e = assertThrows(VolumeException.class, () -> TreeExport.export(s,
                VolumePath.parse("one-chunk"), target, TreeExport.Options.defaults(), new TreeExport.Listener() {
                }));
        assertEquals(VolumeException.Kind.IO, e.kind());
        assertEquals(s.where(VolumePath.parse("one-chunk")) + " -> " + target
                + ": already exists (overwrite it with --force)", e.getMessage());
        assertArrayEquals("mine".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(target));

        TreeExport.export(s, VolumePath.parse("one-chunk"), target, TreeExport.Options.defaults().withOverwrite(true),
                new TreeExport.Listener() {
                });
        assertArrayEquals(Files.readAllBytes(source.resolve("one-chunk")), Files.readAllBytes(target));

        // Overwriting a symlink replaces the link; the file it points at is untouched.
        Path victim = Files.write(dir.resolve("victim"), "safe".getBytes(StandardCharsets.UTF_8));
        Path link = Files.createSymbolicLink(dir.resolve("one-chunk-link"), victim);
        TreeExport.export(s, VolumePath.parse("one-chunk"), link, TreeExport.Options.defaults().withOverwrite(true),
                new TreeExport.Listener() {
                });
        assertFalse(Files.isSymbolicLink(link));
        assertArrayEquals("safe".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(victim));
    }

    @Test
    void aSymlinkWhereADirectoryIsToBeWrittenIsNotFollowed() throws Exception {
        Path source = sourceTree();
        Snapshot s = publish(source);
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        Path dest = Files.createDirectories(dir.resolve("dest/sub"));
        Files.createSymbolicLink(dest.resolve("inner"), elsewhere);
        VolumeException e = assertThrows(VolumeException.class, () -> TreeExport.export(s, VolumePath.parse("sub"),
                dir.resolve("dest"), TreeExport.Options.defaults().withOverwrite(true), new TreeExport.Listener() {
                }));
        assertEquals(VolumeException.Kind.IO, e.kind());
        assertTrue(e.getMessage().endsWith(dest.resolve("inner")
                + ": a symbolic link is where a directory is to be written; refusing to follow it"), e.getMessage());
        try (Stream<Path> there = Files.list(elsewhere)) {
            assertEquals(0, there.count());
        }
    }

    @Test
    void hostileNamesAreRefusedAndNothingLandsOutsideTheDestination() throws Exception {
        byte[] payload = "x".getBytes(StandardCharsets.UTF_8);
        for (byte[] name : List.of("..".getBytes(StandardCharsets.UTF_8), "../escape".getBytes(StandardCharsets.UTF_8),
                "a/b".getBytes(StandardCharsets.UTF_8))) {
            Snapshot s = crafted(List.of(new DirEntry(name, EntryKind.INLINE_FILE, 0644, 1, 0, null, payload)));
            Path dest = dir.resolve("dest" + name.length);
            VolumeException e = assertThrows(VolumeException.class, () -> TreeExport.export(s, VolumePath.ROOT, dest,
                    TreeExport.Options.defaults(), new TreeExport.Listener() {
                    }));
            assertEquals(VolumeException.Kind.CORRUPT, e.kind(), e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("escape")));

        // The exporter's own check, for a name that got past the decoder.
        Snapshot s = crafted(List.of());
        TreeExport export = new TreeExport(s, TreeExport.Options.defaults(), new TreeExport.Listener() {
        });
        for (String bad : List.of("..", ".", "a/b", "", "/abs")) {
            VolumeException e = assertThrows(VolumeException.class,
                    () -> export.child(dir, bad.getBytes(StandardCharsets.UTF_8), VolumePath.ROOT));
            assertEquals(VolumeException.Kind.CORRUPT, e.kind());
        }
        assertEquals(dir.resolve("fine"), export.child(dir, "fine".getBytes(StandardCharsets.UTF_8), VolumePath.ROOT));
    }

    @Test
    void aVeryDeepTreeIsWrittenWithoutExhaustingTheStack() throws Exception {
        int depth = 1200;
        byte[] name = {'d'};
        DirEntry inner = null;
        for (int i = 0; i < depth; i++) {
            List<DirEntry> entries = inner == null
                    ? List.of(new DirEntry(name, EntryKind.INLINE_FILE, 0644, 1, mtime(i), null, name))
                    : List.of(inner);
            Id ref = TreeWriter.writeDirectory(entries, b -> blocks.put(b).join());
            inner = new DirEntry(name, EntryKind.DIRECTORY, 0755, entries.size(), mtime(i), ref, null);
        }
        Snapshot s = crafted(List.of(inner));
        Path dest = dir.resolve("dest");
        TreeExport.Result r = TreeExport.export(s, VolumePath.ROOT, dest, TreeExport.Options.defaults(),
                new TreeExport.Listener() {
                });
        assertEquals(depth + 1, r.directories());
        Path deepest = dest;
        for (int i = 0; i <= depth; i++) {
            deepest = deepest.resolve("d");
        }
        assertArrayEquals(name, Files.readAllBytes(deepest));
        assertEquals(mtime(depth - 1), mtimeOf(dest.resolve("d")));
    }

    /** A version-1 snapshot whose root holds {@code entries} as given, unchecked by any publisher. */
    private Snapshot crafted(List<DirEntry> entries) {
        Id root = TreeWriter.writeDirectory(entries, b -> blocks.put(b).join());
        Commit c = new Commit(1, 0, "", root, entries.size(), 0755, 0, null, entries.size(), 1, entries.size());
        ContentBlock commit = new ContentBlock(c.encode());
        blocks.put(commit).join();
        VolumeHead head = new VolumeHead(Id.hash("crafted"), 0, 1, commit.key(), new byte[32], LABEL, Long.MAX_VALUE);
        return new Snapshot(new BlockReader(blocks, TIMEOUT, 1 << 20), head, commit.key(), c);
    }

    @Test
    void aFailedReadLeavesNoFileUnderTheRealName() throws Exception {
        Path tree = Files.createDirectory(dir.resolve("tree"));
        Files.write(tree.resolve("big.bin"), random(300_000, 7));
        Snapshot s = publish(tree);
        FileContent f = s.open(VolumePath.parse("big.bin"));
        List<ChunkRef> chunks = f.chunks();
        Id lost = chunks.get(chunks.size() / 2).ref();
        blocks.remove(lost);
        Path dest = Files.createDirectory(dir.resolve("dest"));
        VolumeException e = assertThrows(VolumeException.class, () -> TreeExport.export(s, VolumePath.parse("big.bin"),
                dest, TreeExport.Options.defaults().withChunksAhead(4), new TreeExport.Listener() {
                }));
        assertEquals(VolumeException.Kind.MISSING_BLOCK, e.kind());
        assertTrue(e.getMessage().startsWith(s.where(VolumePath.parse("big.bin")) + ": block " + lost), e.getMessage());
        assertTrue(e.getMessage().endsWith("(writing " + dest.resolve("big.bin") + ")"), e.getMessage());
        try (Stream<Path> there = Files.list(dest)) {
            assertEquals(List.of(), there.toList());
        }
    }

    @Test
    void aMissingDirectoryBlockNamesTheVolumePathAndTheLocalDirectory() throws Exception {
        Path tree = Files.createDirectory(dir.resolve("tree"));
        Files.createDirectories(tree.resolve("a/b"));
        Files.write(tree.resolve("a/b/f"), "f".getBytes(StandardCharsets.UTF_8));
        Snapshot s = publish(tree);
        Id lost = s.stat(VolumePath.parse("a/b")).ref();
        blocks.remove(lost);
        Path dest = dir.resolve("dest");
        VolumeException e = assertThrows(VolumeException.class, () -> TreeExport.export(s, VolumePath.ROOT, dest,
                TreeExport.Options.defaults(), new TreeExport.Listener() {
                }));
        assertEquals(VolumeException.Kind.MISSING_BLOCK, e.kind());
        assertTrue(e.getMessage().startsWith(s.where(VolumePath.parse("a/b")) + ": block " + lost), e.getMessage());
        assertTrue(e.getMessage().endsWith("(writing " + dest.resolve("a/b") + ")"), e.getMessage());
    }

    @Test
    void exportOfTheRootFillsAnExistingDirectoryAndTakesItsAttributes() throws Exception {
        Path tree = Files.createDirectory(dir.resolve("tree"));
        Files.write(tree.resolve("f"), "f".getBytes(StandardCharsets.UTF_8));
        mode(tree, 0751);
        setMtime(tree, mtime(3));
        Snapshot s = publish(tree);
        Path dest = Files.createDirectory(dir.resolve("dest"));
        TreeExport.export(s, VolumePath.ROOT, dest, TreeExport.Options.defaults(), new TreeExport.Listener() {
        });
        assertEquals(listing(tree), listing(dest));
        assertEquals(FileTime.from(Instant.ofEpochSecond(0, mtime(3))), Files.getLastModifiedTime(dest));
    }
}
