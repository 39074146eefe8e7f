package org.cfs.fs;

import static org.cfs.fs.HandMadeVolume.child;
import static org.cfs.fs.HandMadeVolume.chunkFile;
import static org.cfs.fs.HandMadeVolume.directory;
import static org.cfs.fs.HandMadeVolume.inline;
import static org.cfs.fs.HandMadeVolume.listFile;
import static org.cfs.fs.HandMadeVolume.pattern;
import static org.cfs.fs.HandMadeVolume.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.util.List;
import org.cfs.chord.Id;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.SignedBlock;
import org.cfs.dhash.SigningKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Volumes whose blocks are all valid DHash blocks (each hashes to its key, the signed block is
 * signed by the volume's key) but whose content breaks a rule of the format: the reader must
 * refuse each with CORRUPT and a message naming the volume, the path and the block. Also blocks
 * that are not what their key says (forged signatures, swapped bytes), which DHash's checks
 * refuse on the reader's behalf.
 */
class HostileBlocksTest {
    private static final byte[] A = pattern(3000, 1, 0);
    private static final byte[] B = pattern(1000, 7, 3);

    private final HandMadeVolume v = new HandMadeVolume();

    /** Refused as CORRUPT; the message starts with the volume and path, and names the block and the rule. */
    private VolumeException assertCorrupt(Executable read, String path, Id block, String why) {
        VolumeException e = assertThrows(VolumeException.class, read);
        String m = e.getMessage();
        assertEquals(VolumeException.Kind.CORRUPT, e.kind(), m);
        String place = "volume " + v.volume() + (path == null ? "" : ": " + path + ":");
        assertTrue(m.startsWith(place), "message does not start with '" + place + "': " + m);
        assertTrue(m.contains(block.toHex()), "message does not name block " + block + ": " + m);
        assertTrue(m.contains(why), "message does not say '" + why + "': " + m);
        return e;
    }

    /** Publishes a root directory that is one leaf of {@code entries}. */
    private Snapshot root(DirEntry... entries) throws VolumeException {
        v.publishRoot(v.leaf(entries), entries.length);
        return v.open();
    }

    /** Publishes a root holding the directory "sub" whose top block is the given (bad) leaf. */
    private Snapshot withSub(Id subTop, long entries) throws VolumeException {
        return root(directory("sub", entries, subTop));
    }

    private static DirEntry raw(byte[] name) {
        // Content keeps the entry long enough that the count check does not refuse it first.
        return inline(name, utf8("content"));
    }

    @Test
    void namesNoDirectoryCanHoldAreRefused() throws VolumeException {
        byte[][] bad = {utf8("a/b"), utf8("/"), {'a', 0}, {0}, utf8("."), utf8(".."), {}};
        String[] why = {"contains '/'", "contains '/'", "contains NUL", "contains NUL", "reserved", "reserved", "empty name"};
        for (int i = 0; i < bad.length; i++) {
            HostileBlocksTest t = new HostileBlocksTest();
            Id leaf = t.v.leaf(inline("a", ""), raw(bad[i]));
            Snapshot s = t.withSub(leaf, 2);
            t.assertCorrupt(() -> s.list(VolumePath.parse("sub")), "/sub", leaf, why[i]);
            t.assertCorrupt(() -> s.stat(VolumePath.parse("sub/a")), "/sub/a", leaf, why[i]);
        }
        // In the root itself, met by listing "/".
        HostileBlocksTest t = new HostileBlocksTest();
        Id rootLeaf = t.v.leaf(raw(utf8("x/y")));
        t.v.publishRoot(rootLeaf, 1);
        Snapshot s = t.v.open();
        t.assertCorrupt(() -> s.list(VolumePath.ROOT), "/", rootLeaf, "name 'x/y' contains '/'");
    }

    @Test
    void unsortedAndDuplicateNamesAreRefused() throws VolumeException {
        Id unsorted = v.leaf(inline("b", ""), inline("a", ""));
        assertCorrupt(() -> withSub(unsorted, 2).list(VolumePath.parse("sub")), "/sub", unsorted,
                "names out of order: 'b' before 'a'");
        HostileBlocksTest t = new HostileBlocksTest();
        Id duplicate = t.v.leaf(inline("a", "1"), inline("a", "2"));
        t.assertCorrupt(() -> t.withSub(duplicate, 2).stat(VolumePath.parse("sub/a")), "/sub/a", duplicate,
                "duplicate name 'a'");
        HostileBlocksTest u = new HostileBlocksTest();
        Id branch = u.v.dir(DirNode.branch(1, List.of(child("b", u.v.leaf(inline("b", "")), 1),
                child("a", u.v.leaf(inline("a", "")), 1))));
        u.assertCorrupt(() -> u.withSub(branch, 2).list(VolumePath.parse("sub")), "/sub", branch,
                "names out of order");
    }

    @Test
    void modesAndSizesThatDoNotFitTheirKindAreRefused() throws VolumeException {
        Id chunk = v.put(A);
        Id mode = v.leaf(new DirEntry(utf8("f"), EntryKind.INLINE_FILE, 0100644, 0, HandMadeVolume.MTIME, null,
                new byte[0]));
        assertCorrupt(() -> withSub(mode, 1).list(VolumePath.parse("sub")), "/sub", mode,
                "mode 100644 has bits outside 7777");
        HostileBlocksTest t = new HostileBlocksTest();
        Id small = t.v.leaf(chunkFile("f", 100, chunk));
        t.assertCorrupt(() -> t.withSub(small, 1).stat(VolumePath.parse("sub/f")), "/sub/f", small,
                "a CHUNK_FILE entry cannot have size 100");
    }

    @Test
    void listLengthsThatDoNotAddUpToTheFileSizeAreRefused() throws VolumeException {
        Id list = v.list(0, new ChunkRef(v.put(A), 3000), new ChunkRef(v.put(B), 1000));
        Snapshot s = root(listFile("big", 5000, list));
        assertCorrupt(() -> s.open(VolumePath.parse("big")), "/big", list,
                "chunk lengths add up to 4000 bytes, the file's size is 5000");
    }

    @Test
    void aChildListWhoseLengthsDisagreeWithItsParentIsRefused() throws VolumeException {
        Id leaf = v.list(0, new ChunkRef(v.put(A), 3000), new ChunkRef(v.put(B), 1000));
        Id top = v.list(1, new ChunkRef(leaf, 4001));
        Snapshot s = root(listFile("big", 4001, top));
        FileContent f = s.open(VolumePath.parse("big"));
        assertCorrupt(() -> f.read(0, new byte[10], 0, 10), "/big", leaf,
                "chunk lengths add up to 4000 bytes, its parent says 4001");
        assertCorrupt(f::chunks, "/big", leaf, "its parent says 4001");
    }

    @Test
    void aChunkWhoseLengthDiffersFromItsListIsRefused() throws Exception {
        Id a = v.put(A);
        Id b = v.put(B);
        Id list = v.list(0, new ChunkRef(a, 3001), new ChunkRef(b, 999));
        Snapshot s = root(chunkFile("one", 3001, a), listFile("two", 4000, list));
        assertCorrupt(() -> s.open(VolumePath.parse("one")).read(0, new byte[10], 0, 10), "/one", a,
                "a chunk of 3000 bytes where the list says 3001");
        FileContent two = s.open(VolumePath.parse("two"));
        assertCorrupt(() -> two.read(0, new byte[10], 0, 10), "/two", a, "a chunk of 3000 bytes where the list says 3001");
        assertCorrupt(() -> two.read(3500, new byte[10], 0, 10), "/two", b, "a chunk of 1000 bytes where the list says 999");
        // The streaming path refuses it too, as an IOException carrying the same VolumeException.
        IOException e = assertThrows(IOException.class, () -> {
            try (InputStream in = two.stream(2)) {
                in.readAllBytes();
            }
        });
        VolumeException cause = assertInstanceOf(VolumeException.class, e.getCause());
        assertEquals(VolumeException.Kind.CORRUPT, cause.kind());
        assertTrue(cause.getMessage().contains(a.toHex()), cause.getMessage());
    }

    /** A chain of single-item list nodes from {@code top} down to level 0 over chunk A. */
    private Id listChain(int top) {
        Id ref = v.list(0, new ChunkRef(v.put(A), A.length));
        for (int level = 1; level <= top; level++) {
            ref = v.list(level, new ChunkRef(ref, A.length));
        }
        return ref;
    }

    @Test
    void treesDeeperThanEightLevelsAreRefusedAndEightAreRead() throws Exception {
        Id deepest = listChain(Format.MAX_LEVEL);
        Snapshot s = root(listFile("eight", A.length, deepest));
        byte[] back = new byte[A.length];
        assertEquals(A.length, s.open(VolumePath.parse("eight")).read(0, back, 0, back.length));
        assertArrayEquals(A, back);

        HostileBlocksTest t = new HostileBlocksTest();
        Id nine = t.v.list(Format.MAX_LEVEL + 1, new ChunkRef(t.listChain(Format.MAX_LEVEL), A.length));
        Snapshot s9 = t.root(listFile("nine", A.length, nine));
        t.assertCorrupt(() -> s9.open(VolumePath.parse("nine")), "/nine", nine,
                "chunk list block at level 8 is deeper than the limit of 7");

        HostileBlocksTest u = new HostileBlocksTest();
        Id leaf = u.v.leaf(inline("a", ""));
        Id dir = u.v.dir(DirNode.branch(Format.MAX_LEVEL + 1, List.of(child("a", leaf, 1), child("b", leaf, 1))));
        Snapshot sd = u.withSub(dir, 2);
        u.assertCorrupt(() -> sd.list(VolumePath.parse("sub")), "/sub", dir,
                "directory block at level 8 is deeper than the limit of 7");
    }

    @Test
    void aChildNotOneLevelBelowItsParentIsRefused() throws VolumeException {
        Id a = v.leaf(inline("a", ""));
        Id b = v.leaf(inline("b", ""));
        Id skip = v.dir(DirNode.branch(2, List.of(child("a", a, 1), child("b", b, 1))));
        Snapshot s = withSub(skip, 2);
        assertCorrupt(() -> s.list(VolumePath.parse("sub")), "/sub", a, "a level-0 block under a level-2 block");
        assertCorrupt(() -> s.stat(VolumePath.parse("sub/b")), "/sub/b", b, "a level-0 block under a level-2 block");

        HostileBlocksTest t = new HostileBlocksTest();
        Id inner = t.v.dir(DirNode.branch(1, List.of(child("a", t.v.leaf(inline("a", "")), 1))));
        Id same = t.v.dir(DirNode.branch(1, List.of(child("a", inner, 1), child("b", t.v.leaf(inline("b", "")), 1))));
        t.assertCorrupt(() -> t.withSub(same, 2).list(VolumePath.parse("sub")), "/sub", inner,
                "a level-1 block under a level-1 block");

        HostileBlocksTest u = new HostileBlocksTest();
        Id leafList = u.v.list(0, new ChunkRef(u.v.put(A), 3000));
        Id listSkip = u.v.list(2, new ChunkRef(leafList, 3000));
        Snapshot sl = u.root(listFile("f", 3000, listSkip));
        u.assertCorrupt(() -> sl.open(VolumePath.parse("f")).read(0, new byte[1], 0, 1), "/f", leafList,
                "a level-0 chunk list under a level-2 one");
    }

    @Test
    void aBranchWhoseFirstNamesDisagreeWithItsChildrenIsRefused() throws VolumeException {
        // The second child claims to start at "c" but starts at "d".
        Id ab = v.leaf(inline("a", ""), inline("b", ""));
        Id d = v.leaf(inline("d", ""));
        Id branch = v.dir(DirNode.branch(1, List.of(child("a", ab, 2), child("c", d, 1))));
        Snapshot s = withSub(branch, 3);
        assertCorrupt(() -> s.list(VolumePath.parse("sub")), "/sub", d, "starts at 'd', its parent says 'c'");
        assertCorrupt(() -> s.stat(VolumePath.parse("sub/d")), "/sub/d", d, "starts at 'd', its parent says 'c'");

        // The first child holds "d", at or past its next sibling's first name "c".
        HostileBlocksTest t = new HostileBlocksTest();
        Id ad = t.v.leaf(inline("a", ""), inline("d", ""));
        Id c = t.v.leaf(inline("c", ""));
        Id overlap = t.v.dir(DirNode.branch(1, List.of(child("a", ad, 2), child("c", c, 1))));
        Snapshot so = t.withSub(overlap, 3);
        t.assertCorrupt(() -> so.list(VolumePath.parse("sub")), "/sub", ad,
                "holds 'd', past its next sibling's first name 'c'");
        t.assertCorrupt(() -> so.stat(VolumePath.parse("sub/a")), "/sub/a", ad, "past its next sibling's first name");

        // An empty leaf inside a branch.
        HostileBlocksTest u = new HostileBlocksTest();
        Id empty = u.v.leaf();
        Id withEmpty = u.v.dir(DirNode.branch(1, List.of(child("a", u.v.leaf(inline("a", "")), 1),
                child("b", empty, 1))));
        u.assertCorrupt(() -> u.withSub(withEmpty, 2).list(VolumePath.parse("sub")), "/sub", empty,
                "holds 0 entries, its parent says 1");
    }

    @Test
    void entryCountsThatDisagreeAreRefused() throws VolumeException {
        // A branch claims 3 entries under a child holding 2.
        Id ab = v.leaf(inline("a", ""), inline("b", ""));
        Id c = v.leaf(inline("c", ""));
        Id branch = v.dir(DirNode.branch(1, List.of(child("a", ab, 3), child("c", c, 1))));
        Snapshot s = withSub(branch, 4);
        assertCorrupt(() -> s.list(VolumePath.parse("sub")), "/sub", ab, "holds 2 entries, its parent says 3");

        // The directory entry says 3 entries, its top block holds 2.
        HostileBlocksTest t = new HostileBlocksTest();
        Id two = t.v.leaf(inline("a", ""), inline("b", ""));
        Snapshot st = t.withSub(two, 3);
        t.assertCorrupt(() -> st.list(VolumePath.parse("sub")), "/sub", two,
                "holds 2 entries, the directory entry says 3");
        t.assertCorrupt(() -> st.stat(VolumePath.parse("sub/a")), "/sub/a", two, "the directory entry says 3");

        // The commit's root entry count, checked the same way.
        HostileBlocksTest u = new HostileBlocksTest();
        Id rootLeaf = u.v.leaf(inline("a", ""));
        u.v.publishRoot(rootLeaf, 2);
        Snapshot su = u.v.open();
        u.assertCorrupt(() -> su.list(VolumePath.ROOT), "/", rootLeaf, "holds 1 entries, the directory entry says 2");

        // A top branch with one child: an extra level no writer makes.
        HostileBlocksTest w = new HostileBlocksTest();
        Id single = w.v.dir(DirNode.branch(1, List.of(child("a", w.v.leaf(inline("a", "")), 1))));
        w.assertCorrupt(() -> w.withSub(single, 1).list(VolumePath.parse("sub")), "/sub", single,
                "a top directory block with a single child");
    }

    @Test
    void aCommitWhoseVersionDiffersFromTheSignedPayloadIsRefused() {
        Id commit = v.commitRoot(v.leaf(), 0);
        v.sign(0, commit, 2);
        assertCorrupt(v::open, null, commit, "the signed block names version 2 but its commit is version 1");
    }

    @Test
    void aBrokenVersionChainIsRefused() throws VolumeException {
        Id root = v.leaf();
        Id first = v.commitRoot(root, 0);
        // Version 3 names version 1 as its predecessor: version 2 is skipped.
        Id third = v.commit(new Commit(3, 0, "", root, 0, 0755, 0, first, 0, 1, 0));
        v.sign(0, third, 3);
        Snapshot s = v.open();
        assertCorrupt(s::previous, null, first, "version 3 names a previous commit of version 1");
        assertCorrupt(s::history, null, first, "version 3 names a previous commit of version 1");
        assertCorrupt(() -> v.volumes().open(v.volume(), 1), null, first, "names a previous commit of version 1");

        // A predecessor that claims a higher version than its successor.
        HostileBlocksTest t = new HostileBlocksTest();
        Id r = t.v.leaf();
        Id five = t.v.commit(new Commit(5, 0, "", r, 0, 0755, 0, Id.hash("x"), 0, 1, 0));
        Id two = t.v.commit(new Commit(2, 0, "", r, 0, 0755, 0, five, 0, 1, 0));
        t.v.sign(0, two, 2);
        t.assertCorrupt(() -> t.v.open().previous(), null, five, "version 2 names a previous commit of version 5");

        // A predecessor that is not a commit at all.
        HostileBlocksTest u = new HostileBlocksTest();
        Id notCommit = u.v.leaf();
        Id second = u.v.commit(new Commit(2, 0, "", notCommit, 0, 0755, 0, notCommit, 0, 1, 0));
        u.v.sign(0, second, 2);
        u.assertCorrupt(() -> u.v.open().previous(), null, notCommit, "expected a commit (type C)");
    }

    @Test
    void forgedSignedBlocksAreRefused() throws VolumeException {
        Snapshot good = root(inline("a", ""));
        byte[] genuine = v.blocks.raw(v.volume());
        assertEquals(1, good.version());

        // Signed by another key with the same label: its key is not the volume id.
        SigningKey other = SigningKey.generate(new SecureRandom());
        byte[] payload = new VolumeRoot(good.commitRef(), 1).encode();
        v.blocks.replace(v.volume(), SignedBlock.sign(other, v.label, 5, HandMadeVolume.EXPIRES_MILLIS, payload).encode());
        assertCorrupt(v::open, null, v.volume(), "public key and label hash to");

        // The genuine block with one bit of its signature flipped, and with one of its payload.
        for (int fromEnd : new int[] {1, 40, 64 + 5}) {
            byte[] flipped = genuine.clone();
            flipped[flipped.length - fromEnd] ^= 0x01;
            v.blocks.replace(v.volume(), flipped);
            assertCorrupt(v::open, null, v.volume(), "does not verify under public key");
        }

        // Validly signed by the volume's key, but the payload is not a volume root.
        v.blocks.replace(v.volume(), SignedBlock.sign(v.key, v.label, 9, HandMadeVolume.EXPIRES_MILLIS,
                good.commit().encode()).encode());
        assertCorrupt(v::open, null, v.volume(), "expected a volume root (type V), got type byte 67");

        // A content block served under the volume id.
        v.blocks.replace(v.volume(), new ContentBlock(payload).encode());
        assertCorrupt(v::open, null, v.volume(), "hash to");
    }

    @Test
    void blocksWhoseBytesDoNotMatchTheirKeyAreRefused() throws Exception {
        Id a = v.put(A);
        Id list = v.list(0, new ChunkRef(a, 3000), new ChunkRef(v.put(B), 1000));
        Id sub = v.leaf(inline("x", ""));
        Snapshot s = root(chunkFile("data", 3000, a), listFile("list", 4000, list), directory("sub", 1, sub));

        // Same length, other bytes: only the hash check can tell.
        byte[] other = A.clone();
        other[1234] ^= 1;
        v.blocks.replace(a, new ContentBlock(other).encode());
        assertCorrupt(() -> s.open(VolumePath.parse("data")).read(0, new byte[10], 0, 10), "/data", a,
                "block bytes hash to " + Id.hash(other) + " not to the key " + a);
        assertCorrupt(() -> s.open(VolumePath.parse("list")).read(0, new byte[10], 0, 10), "/list", a, "hash to");

        // A list block and a directory block swapped for other valid blocks of their kind.
        v.blocks.replace(list, new ContentBlock(ChunkListCodec.encode(new ListNode(0, List.of(new ChunkRef(a, 4000)))))
                .encode());
        v.blocks.replace(sub, v.blocks.raw(v.leaf(inline("y", ""))));
        Snapshot fresh = v.open();
        assertCorrupt(() -> fresh.open(VolumePath.parse("list")), "/list", list, "hash to");
        assertCorrupt(() -> fresh.list(VolumePath.parse("sub")), "/sub", sub, "hash to");
    }

    @Test
    void blocksOfTheWrongKindAreRefused() throws VolumeException {
        Id listBlock = v.list(0, new ChunkRef(v.put(A), 3000));
        Id leaf = v.leaf(inline("a", ""));
        Snapshot s = root(directory("d", 1, listBlock), listFile("f", 3000, leaf), directory("s", 0, v.volume()));
        // A signed block has to exist under v.volume() for the last entry: the root's own.
        assertCorrupt(() -> s.list(VolumePath.parse("d")), "/d", listBlock, "expected a directory block (type D)");
        assertCorrupt(() -> s.open(VolumePath.parse("f")), "/f", leaf, "expected a chunk list block (type L)");
        assertCorrupt(() -> s.list(VolumePath.parse("s")), "/s", v.volume(), "a signed block where a content block belongs");
    }
}
