package org.cfs.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.cfs.dhash.SigningKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the four decoders with random and mutated blocks, seeded so every failure replays: a
 * decoder may only accept (and then its input must be canonical, re-encoding to the same bytes)
 * or refuse with CorruptBlockException, never throw anything else or allocate much beyond the
 * input's size. Then publishes random small trees and reads them back.
 */
class FormatFuzzTest {
    /** Inputs per decoder; four decoders make a million in all. */
    private static final int INPUTS_PER_CODEC = 250_000;
    /**
     * Allocation allowed per decode: a fixed allowance plus a multiple of the input. The allowance
     * covers an error message that shows a 255-byte name (DirectoryCodec.show formats byte by
     * byte, about 100 KB); what the bound is for is an allocation scaled by a hostile count or
     * length, which would be gigabytes.
     */
    private static final long ALLOCATION_BASE = 512 << 10;
    private static final long ALLOCATION_PER_BYTE = 32;

    /** One decoder and its encoder, for the canonical check. */
    private record Codec(String name, CodecAssertions.Decode decode, java.util.function.Function<Object, byte[]> encode,
                         List<byte[]> seeds, int[] lengthFields) {
    }

    private static List<Codec> codecs() {
        // Long names and messages are rarer than in the round-trip tests, as they cost the most
        // per input: refusing a block shows its names (DirectoryCodec.show takes ~0.4 ms for 255
        // bytes that are not ASCII), and a commit encodes its message twice.
        RandomFormat random = new RandomFormat(21, 200);
        List<byte[]> dirs = new ArrayList<>(List.of(DirectoryCodec.encode(FormatVectors.ROOT_LEAF),
                DirectoryCodec.encode(FormatVectors.BRANCH), DirectoryCodec.encode(FormatVectors.SUB_LEAF)));
        List<byte[]> lists = new ArrayList<>(List.of(ChunkListCodec.encode(FormatVectors.LIST)));
        List<byte[]> commits = new ArrayList<>(List.of(FormatVectors.COMMIT_1.encode(), FormatVectors.COMMIT_2.encode()));
        List<byte[]> roots = new ArrayList<>(List.of(FormatVectors.ROOT.encode()));
        for (int i = 0; i < 60; i++) {
            dirs.add(DirectoryCodec.encode(random.dirNode(i < 50 ? 6 : 40)));
            lists.add(ChunkListCodec.encode(random.listNode(i < 50 ? 6 : 40)));
            commits.add(random.commit().encode());
            roots.add(random.volumeRoot().encode());
        }
        // Offsets of count and length fields, which the mutator sets to extreme values often.
        return List.of(
                new Codec("directory", DirectoryCodec::decode, n -> DirectoryCodec.encode((DirNode) n), dirs,
                        new int[] {2, 3, 7}),
                new Codec("chunk list", ChunkListCodec::decode, n -> ChunkListCodec.encode((ListNode) n), lists,
                        new int[] {2, 3, 27}),
                new Codec("commit", Commit::decode, c -> ((Commit) c).encode(), commits, new int[] {2, 18}),
                new Codec("volume root", VolumeRoot::decode, r -> ((VolumeRoot) r).encode(), roots, new int[] {22}));
    }

    @Test
    void decodersAcceptOnlyCanonicalBlocksAndRefuseTheRestCleanly() throws Exception {
        // On a thread of its own the stack is shallow, so each refusal's stack trace is cheap to
        // fill in: most inputs are refused, and under JUnit's deep stack that dominates the run.
        Throwable[] failure = new Throwable[1];
        Thread fuzz = new Thread(() -> {
            try {
                fuzzDecoders();
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "format-fuzz");
        fuzz.start();
        fuzz.join();
        if (failure[0] != null) {
            throw new AssertionError(failure[0].getMessage(), failure[0]);
        }
    }

    private static void fuzzDecoders() {
        assertTrue(Allocation.supported(), "this JVM does not count allocations");
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long start = System.nanoTime();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long accepted = 0;
        long total = 0;
        long maxAllocated = 0;
        for (Codec codec : codecs()) {
            SplittableRandom r = new SplittableRandom(codec.name().hashCode());

            for (int i = 0; i < INPUTS_PER_CODEC; i++) {
                int n = i;
                byte[] input = input(r, codec);
                long before = Allocation.now();
                Object decoded;
                try {
                    decoded = codec.decode().decode(input);
                } catch (CorruptBlockException refused) {
                    decoded = null;
                } catch (Throwable t) {
                    throw new AssertionError(codec.name() + " input " + n + " threw " + t + ": "
                            + HexFormat.of().formatHex(input), t);
                }
                long firstAllocated = Allocation.now() - before;
                // The first decodes load classes and resolve call sites; over budget, measure a repeat.
                long allocated = firstAllocated <= ALLOCATION_BASE + ALLOCATION_PER_BYTE * input.length
                        ? firstAllocated : allocationOf(codec, input);
                maxAllocated = Math.max(maxAllocated, allocated);
                assertTrue(allocated <= ALLOCATION_BASE + ALLOCATION_PER_BYTE * input.length, () -> codec.name()
                        + " input " + n + " of " + input.length + " bytes allocated " + allocated + " bytes: "
                        + HexFormat.of().formatHex(input));
                if (decoded != null) {
                    accepted++;
                    byte[] again = codec.encode().apply(decoded);
                    if (!Arrays.equals(input, again)) {
                        throw new AssertionError(codec.name() + " input " + n + " decoded but is not canonical: "
                                + HexFormat.of().formatHex(input) + " re-encodes as " + HexFormat.of().formatHex(again));
                    }
                }
                total++;
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        long cpuMillis = (threads.getCurrentThreadCpuTime() - cpuStart) / 1_000_000;
        System.out.printf("FormatFuzzTest: %d inputs through 4 decoders in %d ms (%d ms of CPU), %d accepted"
                + " (all canonical), at most %d bytes allocated by one decode%n", total, millis, cpuMillis, accepted,
                maxAllocated);
        assertEquals(4L * INPUTS_PER_CODEC, total);
        // Mutations of valid blocks must reach the accepting path too, or the canonical check tests nothing.
        assertTrue(accepted > total / 100, "only " + accepted + " inputs decoded");
    }

    private static long allocationOf(Codec codec, byte[] input) {
        long before = Allocation.now();
        try {
            codec.decode().decode(input);
        } catch (CorruptBlockException refused) {
            // Refused again, as the first time.
        }
        return Allocation.now() - before;
    }

    /** One fuzz input: purely random bytes, or a valid block mutated one to three times. */
    private static byte[] input(SplittableRandom r, Codec codec) {
        if (r.nextInt(8) == 0) {
            byte[] b = new byte[r.nextInt(80)];
            r.nextBytes(b);
            if (b.length >= 2 && r.nextBoolean()) {
                // Half start with this codec's type byte and format 1, to get past the header.
                System.arraycopy(codec.seeds().get(0), 0, b, 0, 2);
            }
            return b;
        }
        byte[] b = codec.seeds().get(r.nextInt(codec.seeds().size())).clone();
        int mutations = r.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            b = mutate(r, codec, b);
        }
        return b;
    }

    private static final long[] EXTREMES = {0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fff_ffffL, 0xffff_ffffL,
        Long.MAX_VALUE, Long.MIN_VALUE, -1};

    private static byte[] mutate(SplittableRandom r, Codec codec, byte[] b) {
        switch (r.nextInt(7)) {
            case 0 -> {
                if (b.length > 0) {
                    int bit = r.nextInt(8 * b.length);
                    b[bit / 8] ^= (byte) (1 << (bit % 8));
                }
                return b;
            }
            case 1 -> {
                if (b.length > 0) {
                    b[r.nextInt(b.length)] = (byte) (r.nextBoolean() ? r.nextInt(256) : EXTREMES[r.nextInt(5)]);
                }
                return b;
            }
            case 2 -> {
                return Arrays.copyOf(b, r.nextInt(b.length + 1));
            }
            case 3 -> {
                byte[] more = Arrays.copyOf(b, b.length + 1 + r.nextInt(32));
                if (r.nextBoolean()) {
                    byte[] tail = new byte[more.length - b.length];
                    r.nextBytes(tail);
                    System.arraycopy(tail, 0, more, b.length, tail.length);
                } else if (b.length > 0) {
                    // Repeat part of the block, which keeps the grammar's shape more often than noise.
                    for (int i = b.length; i < more.length; i++) {
                        more[i] = b[r.nextInt(b.length)];
                    }
                }
                return more;
            }
            case 4, 5 -> {
                int width = new int[] {1, 2, 4, 8}[r.nextInt(4)];
                int at = r.nextBoolean() && codec.lengthFields().length > 0
                        ? codec.lengthFields()[r.nextInt(codec.lengthFields().length)] : r.nextInt(b.length + 1);
                long value = EXTREMES[r.nextInt(EXTREMES.length)];
                for (int i = 0; i < width && at + i < b.length; i++) {
                    b[at + i] = (byte) (value >>> (8 * (width - 1 - i)));
                }
                return b;
            }
            default -> {
                byte[] other = codec.seeds().get(r.nextInt(codec.seeds().size()));
                int cut = r.nextInt(b.length + 1);
                int from = r.nextInt(other.length + 1);
                byte[] spliced = Arrays.copyOf(b, cut + other.length - from);
                System.arraycopy(other, from, spliced, cut, other.length - from);
                return spliced;
            }
        }
    }

    /** Random trees published; a few hundred, each small. */
    private static final int TREES = 300;
    /** Small chunks, so chunk-size edges and multi-chunk files cost kilobytes, not megabytes. */
    private static final FastCdc CHUNKER = new FastCdc(64, 256, 1024);

    @TempDir
    Path dir;

    @Test
    void randomTreesPublishAndReadBackIdentical() throws Exception {
        assertTrue(NativeNames.raw(), "the test JVM must open sun.nio.fs for names that are not UTF-8");
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long start = System.nanoTime();
        long cpuStart = threads.getCurrentThreadCpuTime();
        SplittableRandom r = new SplittableRandom(31);
        SigningKey key = SigningKey.generate(new SecureRandom());
        HandMadeVolume v = new HandMadeVolume(key, HandMadeVolume.LABEL);
        Publisher publisher = new Publisher(v.blocks, SeenVersions.inMemory(), v.clock, Duration.ofSeconds(10), CHUNKER,
                new Publisher.Listener() {
                });
        long files = 0;
        // Directories whose top block is a branch, and list files whose top list node is above level 0.
        int[] tops = new int[2];
        for (int t = 0; t < TREES; t++) {
            Path tree = Files.createDirectory(dir.resolve("t" + t));
            // One tree in 60 has a directory large enough to need a branch block (~256 entries a leaf).
            files += fill(r, tree, 0, t % 60 == 59);
            Publication p = publisher.publish(tree, key, v.label, Publisher.Options.defaults().withForce(true));
            assertEquals(t + 1, p.version());
            Snapshot s = v.open();
            compare(tree, s, VolumePath.ROOT, s.root(), v.blocks, tops);
            if (t % 4 == 0) {
                // Canonical: the same tree publishes to the same root, so no new version is made.
                assertTrue(publisher.publish(tree, key, v.label, Publisher.Options.defaults()).unchanged(), "tree " + t);
            }
        }
        System.out.printf("FormatFuzzTest: %d random trees (%d files and symlinks, %d branched directories,"
                + " %d multi-level chunk lists) published and read back in %d ms (%d ms of CPU)%n", TREES, files,
                tops[0], tops[1], (System.nanoTime() - start) / 1_000_000,
                (threads.getCurrentThreadCpuTime() - cpuStart) / 1_000_000);
        assertTrue(tops[0] > 0 && tops[1] > 0, "the trees must reach branch blocks and multi-level lists");
    }

    /** Fills {@code d} with random entries; returns how many files and symlinks it made. */
    private static long fill(SplittableRandom r, Path d, int depth, boolean wide) throws IOException {
        long made = 0;
        int n = wide ? 600 + r.nextInt(200) : r.nextInt(7);
        for (int i = 0; i < n; i++) {
            byte[] name = randomName(r);
            Path p = NativeNames.resolve(d, name);
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            int what = wide ? 0 : r.nextInt(depth < 3 ? 6 : 5);
            if (what <= 2) {
                Files.write(p, bytes(r, fileSize(r)));
                if (r.nextInt(4) == 0) {
                    Files.setPosixFilePermissions(p, EnumSet.of(PosixFilePermission.OWNER_READ,
                            PosixFilePermission.OTHERS_EXECUTE));
                }
                made++;
            } else if (what <= 4) {
                byte[] target = r.nextInt(10) == 0 ? new byte[Format.MAX_SYMLINK] : new byte[1 + r.nextInt(40)];
                for (int j = 0; j < target.length; j++) {
                    target[j] = (byte) (1 + r.nextInt(255));
                }
                Files.createSymbolicLink(p, NativeNames.path(d.getFileSystem(), target));
                made++;
            } else {
                Files.createDirectory(p);
                made += fill(r, p, depth + 1, false);
            }
        }
        return made;
    }

    /** A name of 1 to 255 bytes from ASCII and 0x80-0xff, never '/' or NUL, '.' or '..'. */
    private static byte[] randomName(SplittableRandom r) {
        byte[] name = new byte[r.nextInt(20) == 0 ? 255 : 1 + r.nextInt(12)];
        for (int i = 0; i < name.length; i++) {
            int c = r.nextBoolean() ? 0x80 + r.nextInt(0x80) : 0x21 + r.nextInt(0x5e);
            name[i] = (byte) (c == '/' ? '_' : c);
        }
        if (name[0] == '.') {
            name[0] = 'x';
        }
        return name;
    }

    /** Sizes at the inline limit, at the chunker's limits and past them into chunk lists. */
    private static int fileSize(SplittableRandom r) {
        int edge = switch (r.nextInt(8)) {
            case 0 -> 0;
            case 1 -> Format.INLINE_MAX;
            case 2 -> CHUNKER.maxSize();
            case 3 -> CHUNKER.minSize();
            case 4 -> Format.INLINE_MAX + CHUNKER.maxSize();
            case 5 -> 2 * CHUNKER.maxSize() * (1 + r.nextInt(4));
            case 6 -> r.nextInt(100);
            default -> r.nextInt(20) == 0 ? 1300 * CHUNKER.avgSize() : r.nextInt(20_000);
        };
        return Math.max(0, edge + r.nextInt(5) - 2);
    }

    private static byte[] bytes(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** The volume's directory at {@code path} holds exactly what the disk directory does. */
    private static void compare(Path disk, Snapshot s, VolumePath path, DirEntry dirEntry, MemoryBlocks blocks,
                                int[] tops) throws Exception {
        if (DirectoryCodec.decode(data(blocks, dirEntry.ref())).level() > 0) {
            tops[0]++;
        }
        List<Path> children = new ArrayList<>();
        try (var stream = Files.newDirectoryStream(disk)) {
            stream.forEach(children::add);
        }
        children.sort((x, y) -> Arrays.compareUnsigned(NativeNames.name(x), NativeNames.name(y)));
        List<DirEntry> entries = s.list(path);
        assertEquals(children.size(), entries.size(), path.toString());
        assertEquals(children.size(), dirEntry.size(), path + " entry count");
        for (int i = 0; i < children.size(); i++) {
            Path c = children.get(i);
            DirEntry e = entries.get(i);
            VolumePath at = path.child(NativeNames.name(c));
            assertArrayEquals(NativeNames.name(c), e.name(), at.toString());
            assertEquals(e, s.stat(at), at.toString());
            if (Files.isSymbolicLink(c)) {
                assertEquals(EntryKind.SYMLINK, e.kind(), at.toString());
                assertArrayEquals(NativeNames.bytes(Files.readSymbolicLink(c)), e.inline(), at.toString());
            } else if (Files.isDirectory(c, LinkOption.NOFOLLOW_LINKS)) {
                assertEquals(EntryKind.DIRECTORY, e.kind(), at.toString());
                compare(c, s, at, e, blocks, tops);
            } else {
                byte[] want = Files.readAllBytes(c);
                assertEquals(want.length, e.size(), at.toString());
                assertEquals(want.length <= Format.INLINE_MAX ? Set.of(EntryKind.INLINE_FILE)
                        : want.length <= CHUNKER.maxSize() ? Set.of(EntryKind.CHUNK_FILE, EntryKind.LIST_FILE)
                        : Set.of(EntryKind.LIST_FILE), Set.of(e.kind()), at + " of " + want.length + " bytes");
                assertEquals(PosixFilePermissionsBits.of(c), e.mode(), at.toString());
                if (e.kind() == EntryKind.LIST_FILE && ChunkListCodec.decode(data(blocks, e.ref())).level() > 0) {
                    tops[1]++;
                }
                FileContent f = s.open(at, e);
                try (InputStream in = f.stream(3)) {
                    assertArrayEquals(want, in.readAllBytes(), at.toString());
                }
                if (want.length > 0) {
                    // A random read across whatever chunk boundaries lie there.
                    int off = (int) (want.length * 0.37);
                    byte[] part = new byte[Math.min(want.length - off, 1500)];
                    int got = 0;
                    for (int reads = 0; got < part.length && reads < part.length; reads++) {
                        got += f.read(off + got, part, got, part.length - got);
                    }
                    assertArrayEquals(Arrays.copyOfRange(want, off, off + part.length), part, at + " at " + off);
                }
            }
        }
    }

    private static byte[] data(MemoryBlocks blocks, org.cfs.chord.Id key) throws Exception {
        return ((org.cfs.dhash.ContentBlock) org.cfs.dhash.Block.decode(blocks.raw(key),
                org.cfs.dhash.Block.DEFAULT_MAX_DATA)).data();
    }

    /** A file's permission bits as the publisher reads them. */
    private static final class PosixFilePermissionsBits {
        static int of(Path p) throws IOException {
            return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & Format.MODE_BITS;
        }
    }
}
