package org.cfs.fs;

import static org.cfs.fs.HandMadeVolume.MTIME;
import static org.cfs.fs.HandMadeVolume.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.cfs.chord.Id;
import org.cfs.dhash.ContentBlock;
import org.junit.jupiter.api.Test;

/**
 * The canonical tree shapes of docs/FORMAT.md: nodes end at content-defined boundaries (H(name)
 * for directory leaves, the child's key above, the chunk's key in lists) or at the byte bound,
 * with the size-only fallback; the same items give the same blocks, an edit changes only its
 * path, and the reader reads every shape the writer makes.
 */
class TreeWriterTest {
    /** Blocks a writer stored, by key, in the order stored. */
    private final Map<Id, byte[]> stored = new LinkedHashMap<>();

    private void store(ContentBlock b) {
        stored.put(b.key(), b.data());
    }

    private static DirEntry file(String name) {
        return new DirEntry(utf8(name), EntryKind.INLINE_FILE, 0644, 1, MTIME, null, new byte[] {'x'});
    }

    private static List<DirEntry> files(int n) {
        List<DirEntry> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            entries.add(file(String.format("f%06d", i)));
        }
        return entries;
    }

    private static Id id(byte b16, byte b17, byte b18, byte b19) {
        byte[] b = new byte[Id.BYTES];
        new SplittableRandom(b19).nextBytes(b);
        b[16] = b16;
        b[17] = b17;
        b[18] = b18;
        b[19] = b19;
        return Id.fromBytes(b, 0);
    }

    @Test
    void boundaryLooksAtTheLowBitsOfTheLastFourBytes() {
        assertTrue(TreeWriter.boundary(id((byte) 0x12, (byte) 0x34, (byte) 0x56, (byte) 0x00), 8));
        assertTrue(TreeWriter.boundary(id((byte) 0x12, (byte) 0x34, (byte) 0x56, (byte) 0x00), 9));
        assertFalse(TreeWriter.boundary(id((byte) 0x12, (byte) 0x34, (byte) 0x56, (byte) 0x00), 10));
        assertTrue(TreeWriter.boundary(id((byte) 0xff, (byte) 0xff, (byte) 0xfc, (byte) 0x00), 10));
        assertFalse(TreeWriter.boundary(id((byte) 0x00, (byte) 0x00, (byte) 0x00, (byte) 0x01), 8));
        assertFalse(TreeWriter.boundary(id((byte) 0x00, (byte) 0x00, (byte) 0x00, (byte) 0x80), 8));
        // Bytes 0..15 play no part.
        byte[] b = new byte[Id.BYTES];
        for (int i = 0; i < 16; i++) {
            b[i] = (byte) 0xff;
        }
        assertTrue(TreeWriter.boundary(Id.fromBytes(b, 0), 8));
    }

    /** The leaves under {@code key}, in order. */
    private List<DirNode> leaves(Id key, int expectedLevel, List<DirNode> out) throws CorruptBlockException {
        DirNode node = DirectoryCodec.decode(stored.get(key));
        if (expectedLevel >= 0) {
            assertEquals(expectedLevel, node.level());
        }
        if (node.level() == 0) {
            out.add(node);
        } else {
            for (DirChild c : node.children()) {
                leaves(c.ref(), node.level() - 1, out);
            }
        }
        return out;
    }

    @Test
    void directoryLeavesEndWhereTheNamesHashSaysOrAtTheByteBound() throws CorruptBlockException {
        List<DirEntry> entries = files(5000);
        Id top = TreeWriter.writeDirectory(entries, this::store);
        DirNode root = DirectoryCodec.decode(stored.get(top));
        assertTrue(root.level() >= 1, "5000 entries need a branch");
        assertEquals(5000, root.entryCount());
        List<DirNode> leaves = leaves(top, -1, new ArrayList<>());
        assertEquals(entries, leaves.stream().flatMap(l -> l.entries().stream()).toList());
        for (int i = 0; i < leaves.size(); i++) {
            List<DirEntry> leaf = leaves.get(i).entries();
            for (int j = 0; j < leaf.size() - 1; j++) {
                assertFalse(TreeWriter.boundary(Id.hash(leaf.get(j).name()), Format.DIR_SPLIT_BITS),
                        "leaf " + i + " goes on past a boundary at entry " + j);
            }
            if (i < leaves.size() - 1) {
                assertTrue(TreeWriter.boundary(Id.hash(leaf.get(leaf.size() - 1).name()), Format.DIR_SPLIT_BITS),
                        "leaf " + i + " ends without a boundary (these entries are too small for the byte bound)");
            }
        }
        // About one leaf per 256 entries.
        assertTrue(leaves.size() > 5 && leaves.size() < 60, leaves.size() + " leaves");
    }

    @Test
    void theSameEntriesGiveTheSameBlocksAndAnEditChangesOnlyItsPath() throws CorruptBlockException {
        List<DirEntry> entries = files(5000);
        Id top = TreeWriter.writeDirectory(entries, this::store);
        Set<Id> before = new HashSet<>(stored.keySet());
        stored.clear();
        assertEquals(top, TreeWriter.writeDirectory(files(5000), this::store));
        assertEquals(before, stored.keySet());

        List<DirEntry> edited = new ArrayList<>(entries);
        edited.add(2500, file("f002499a"));
        stored.clear();
        Id editedTop = TreeWriter.writeDirectory(edited, this::store);
        assertNotEquals(top, editedTop);
        Set<Id> fresh = new HashSet<>(stored.keySet());
        fresh.removeAll(before);
        int levels = DirectoryCodec.decode(stored.get(editedTop)).level() + 1;
        // One new block per level on the edit's path, one more if the new name is itself a boundary.
        assertTrue(fresh.size() <= levels + 1, fresh.size() + " new blocks for one new entry in " + levels + " levels");
    }

    @Test
    void nodesStayWithinTheByteBound() throws CorruptBlockException {
        // 4095-byte symlink targets: 200 entries are ~850 KB, so the bound must cut leaves.
        List<DirEntry> entries = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            byte[] target = HandMadeVolume.pattern(Format.MAX_SYMLINK, 0, 'a');
            entries.add(new DirEntry(utf8(String.format("s%03d", i)), EntryKind.SYMLINK, 0777, target.length, MTIME,
                    null, target));
        }
        Id top = TreeWriter.writeDirectory(entries, this::store);
        for (byte[] block : stored.values()) {
            assertTrue(block.length <= Format.NODE_MAX_BYTES + 7, block.length + "-byte node");
        }
        List<DirNode> leaves = leaves(top, -1, new ArrayList<>());
        assertTrue(leaves.size() >= 4, leaves.size() + " leaves");
        for (int i = 0; i < leaves.size() - 1; i++) {
            DirNode leaf = leaves.get(i);
            DirEntry last = leaf.entries().get(leaf.entries().size() - 1);
            int bytes = leaf.entries().stream().mapToInt(DirectoryCodec::entryBytes).sum();
            int next = DirectoryCodec.entryBytes(leaves.get(i + 1).entries().get(0));
            assertTrue(TreeWriter.boundary(Id.hash(last.name()), Format.DIR_SPLIT_BITS)
                    || bytes + next > Format.NODE_MAX_BYTES, "leaf " + i + " ended early at " + bytes + " bytes");
        }
    }

    @Test
    void aLevelWhereEveryItemIsABoundaryIsCutBySizeAlone() throws CorruptBlockException {
        // Names whose hashes are all boundaries: cut at each, the tree would never get a top.
        List<DirEntry> entries = new ArrayList<>();
        for (int i = 0; i < 1_000_000 && entries.size() < 5; i++) {
            String name = "b" + i;
            if (TreeWriter.boundary(Id.hash(utf8(name)), Format.DIR_SPLIT_BITS)) {
                entries.add(file(name));
            }
        }
        entries.sort((x, y) -> java.util.Arrays.compareUnsigned(x.name(), y.name()));
        assertEquals(5, entries.size());
        Id top = TreeWriter.writeDirectory(entries, this::store);
        assertEquals(DirNode.leaf(entries), DirectoryCodec.decode(stored.get(top)));
        assertEquals(1, stored.size());

        // The same through split: every item ends a node, so the byte bound alone cuts.
        List<Integer> items = List.of(1, 2, 3, 4, 5);
        assertEquals(List.of(items), TreeWriter.split(items, i -> 10, i -> true));
        assertEquals(List.of(List.of(1, 2), List.of(3, 4), List.of(5)), TreeWriter.split(items, i -> 100_000, i -> true));
        // Not every item a boundary: the boundaries stand.
        assertEquals(List.of(List.of(1, 2), List.of(3, 4, 5)), TreeWriter.split(items, i -> 10, i -> i == 2));
        assertEquals(List.of(List.of()), TreeWriter.split(List.<Integer>of(), i -> 10, i -> true));
        assertEquals(List.of(List.of(1)), TreeWriter.split(List.of(1), i -> 10, i -> true));
    }

    @Test
    void emptyAndSmallDirectoriesAreOneLeaf() throws CorruptBlockException {
        Id empty = TreeWriter.writeDirectory(List.of(), this::store);
        assertArrayEquals(CodecAssertions.hex("44 01 00 00000000"), stored.get(empty));
        Id small = TreeWriter.writeDirectory(List.of(file("a"), file("b")), this::store);
        assertEquals(DirNode.leaf(List.of(file("a"), file("b"))), DirectoryCodec.decode(stored.get(small)));
    }

    @Test
    void chunkListsEndNodesAtChunkKeyBoundariesAndSumLengthsUpward() throws CorruptBlockException {
        SplittableRandom r = new SplittableRandom(41);
        RandomFormat random = new RandomFormat(42);
        List<ChunkRef> chunks = new ArrayList<>();
        for (int i = 0; i < 6000; i++) {
            chunks.add(new ChunkRef(random.id(), 1 + r.nextInt(Format.MAX_CHUNK)));
        }
        Id top = TreeWriter.writeChunkList(chunks, this::store);
        ListNode root = ChunkListCodec.decode(stored.get(top));
        assertTrue(root.level() >= 1, "6000 chunks need a second level");
        assertEquals(chunks.stream().mapToLong(ChunkRef::length).sum(), root.length());
        List<ListNode> leaves = new ArrayList<>();
        collect(top, root.level(), leaves);
        assertEquals(chunks, leaves.stream().flatMap(l -> l.items().stream()).toList());
        for (int i = 0; i < leaves.size(); i++) {
            List<ChunkRef> items = leaves.get(i).items();
            for (int j = 0; j < items.size(); j++) {
                boolean last = j == items.size() - 1;
                if (!last || i < leaves.size() - 1) {
                    assertEquals(last, TreeWriter.boundary(items.get(j).ref(), Format.LIST_SPLIT_BITS),
                            "leaf " + i + " item " + j);
                }
            }
        }
        assertEquals(top, TreeWriter.writeChunkList(List.copyOf(chunks), this::store));
    }

    private void collect(Id key, int level, List<ListNode> leaves) throws CorruptBlockException {
        ListNode node = ChunkListCodec.decode(stored.get(key));
        assertEquals(level, node.level());
        if (level == 0) {
            leaves.add(node);
            return;
        }
        for (ChunkRef item : node.items()) {
            assertEquals(item.length(), ChunkListCodec.decode(stored.get(item.ref())).length(), "a child's length");
            collect(item.ref(), level - 1, leaves);
        }
    }

    @Test
    void theReaderReadsLargeDirectoriesAndListsTheWriterMakes() throws Exception {
        HandMadeVolume v = new HandMadeVolume();
        List<DirEntry> entries = files(3000);
        // Chunks of 1 to 16 bytes, so a list of 3000 chunks costs little.
        SplittableRandom r = new SplittableRandom(43);
        List<ChunkRef> chunks = new ArrayList<>();
        java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < 3000; i++) {
            byte[] data = new byte[1 + r.nextInt(16)];
            r.nextBytes(data);
            content.write(data);
            chunks.add(new ChunkRef(v.put(data), data.length));
        }
        Id list = TreeWriter.writeChunkList(chunks, b -> v.blocks.put(b).join());
        entries.add(new DirEntry(utf8("zz-list"), EntryKind.LIST_FILE, 0644, content.size(), MTIME, list, null));
        Id top = TreeWriter.writeDirectory(entries, b -> v.blocks.put(b).join());
        v.publishRoot(top, entries.size());
        Snapshot s = v.open();
        assertEquals(entries, s.list(VolumePath.ROOT));
        for (int i = 0; i < entries.size(); i += 97) {
            assertEquals(entries.get(i), s.stat(new VolumePath(List.of(entries.get(i).name()))));
        }
        for (String absent : new String[] {"a", "f000000a", "f0014995", "zzz"}) {
            VolumeException e = assertThrows(VolumeException.class, () -> s.stat(VolumePath.parse(absent)));
            assertEquals(VolumeException.Kind.NO_SUCH_PATH, e.kind());
        }
        try (InputStream in = s.open(VolumePath.parse("zz-list")).stream(8)) {
            assertArrayEquals(content.toByteArray(), in.readAllBytes());
        }
    }
}
