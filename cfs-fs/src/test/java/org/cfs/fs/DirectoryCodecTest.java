package org.cfs.fs;

import static org.cfs.fs.CodecAssertions.concat;
import static org.cfs.fs.CodecAssertions.everyTruncationRefused;
import static org.cfs.fs.CodecAssertions.hex;
import static org.cfs.fs.CodecAssertions.refused;
import static org.cfs.fs.CodecAssertions.refusedWithoutAllocating;
import static org.cfs.fs.HandMadeVolume.MTIME;
import static org.cfs.fs.HandMadeVolume.child;
import static org.cfs.fs.HandMadeVolume.inline;
import static org.cfs.fs.HandMadeVolume.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.cfs.chord.Id;
import org.junit.jupiter.api.Test;

/** Directory blocks: golden bytes, round trips, and a refusal for every rule in DirectoryCodec's comment. */
class DirectoryCodecTest {
    private static final CodecAssertions.Decode DECODE = DirectoryCodec::decode;
    private static final Id REF = Id.hash("ref");

    private static byte[] leaf(DirEntry... entries) {
        return DirectoryCodec.encode(DirNode.leaf(List.of(entries)));
    }

    private static byte[] branch(int level, DirChild... children) {
        return DirectoryCodec.encode(DirNode.branch(level, List.of(children)));
    }

    private static DirEntry entry(byte[] name, EntryKind kind, int mode, long size) {
        boolean inlined = kind == EntryKind.INLINE_FILE || kind == EntryKind.SYMLINK;
        return new DirEntry(name, kind, mode, size, MTIME, inlined ? null : REF, inlined ? new byte[(int) size] : null);
    }

    private static DirEntry withSize(EntryKind kind, long size) {
        return entry(utf8("f"), kind, 0644, size);
    }

    @Test
    void goldenLeafAndBranch() throws CorruptBlockException {
        // One inline entry, field by field; the larger vectors are in docs/FORMAT.md.
        byte[] expected = hex("44 01 00 00000001  01 78  00 01a4 17979cfe3d85cd15  0002 780a");
        assertArrayEquals(expected, leaf(inline("x", "x\n")));
        assertEquals(FormatVectors.SUB_LEAF, DirectoryCodec.decode(expected));
        byte[] branch = hex("44 01 02 00000001  01 61" + REF.toHex() + "0000000000000007");
        assertArrayEquals(branch, branch(2, child("a", REF, 7)));
        assertEquals(DirNode.branch(2, List.of(child("a", REF, 7))), DirectoryCodec.decode(branch));
        assertEquals(DirNode.leaf(List.of()), DirectoryCodec.decode(hex("44 01 00 00000000")));
    }

    @Test
    void randomNodesRoundTrip() throws CorruptBlockException {
        RandomFormat random = new RandomFormat(11);
        for (int i = 0; i < 2000; i++) {
            DirNode node = random.dirNode(30);
            byte[] encoded = DirectoryCodec.encode(node);
            DirNode back = DirectoryCodec.decode(encoded);
            assertEquals(node, back);
            assertArrayEquals(encoded, DirectoryCodec.encode(back));
            if (node.level() == 0) {
                assertEquals(encoded.length - 7, node.entries().stream().mapToInt(DirectoryCodec::entryBytes).sum());
            } else {
                assertEquals(encoded.length - 7, node.children().stream().mapToInt(DirectoryCodec::childBytes).sum());
            }
        }
    }

    @Test
    void everyTruncationOfTheGoldenNodesIsRefused() {
        everyTruncationRefused(DECODE, DirectoryCodec.encode(FormatVectors.ROOT_LEAF));
        everyTruncationRefused(DECODE, DirectoryCodec.encode(FormatVectors.BRANCH));
        everyTruncationRefused(DECODE, DirectoryCodec.encode(FormatVectors.SUB_LEAF));
    }

    @Test
    void headerAndTrailingBytesAreChecked() {
        byte[] good = DirectoryCodec.encode(FormatVectors.ROOT_LEAF);
        for (int type : new int[] {0, 'L', 'C', 'V', 'd', 0xff}) {
            byte[] b = good.clone();
            b[0] = (byte) type;
            refused(DECODE, b, "expected a directory block (type D), got type byte " + type);
        }
        for (int version : new int[] {0, 2, 0xff}) {
            byte[] b = good.clone();
            b[1] = (byte) version;
            refused(DECODE, b, "directory block has format version " + version + "; this cfs reads version 1");
        }
        refused(DECODE, Arrays.copyOf(good, good.length + 1), "1 bytes left over");
        refused(DECODE, concat(good, good), good.length + " bytes left over");
        refused(DECODE, new byte[0], "needs 1 bytes, only 0 left");
    }

    @Test
    void countsThatCannotFitAreRefusedBeforeAllocating() {
        // 2^32-1 entries or children claimed in 20 bytes: refused on the count, not after trying.
        byte[] leafCount = hex("44 01 00 ffffffff" + "00".repeat(13));
        assertEquals(20, leafCount.length);
        refusedWithoutAllocating(DECODE, leafCount, "4294967295 items of at least 15 bytes do not fit the 13 bytes left",
                64 << 10);
        refusedWithoutAllocating(DECODE, hex("44 01 03 ffffffff" + "00".repeat(13)),
                "4294967295 items of at least 30 bytes do not fit", 64 << 10);
        // One more entry than the bytes can hold is refused on the count too.
        byte[] one = leaf(inline("x", ""));
        one[6] = 2;
        refused(DECODE, one, "2 items of at least 15 bytes do not fit the 15 bytes left");
        // A count that fits the bytes but not the entries fails while reading them.
        byte[] two = leaf(inline("a", "0123456789abcdefghij"));
        two[6] = 2;
        refused(DECODE, two, "left at offset");
    }

    @Test
    void namesAreRefusedAsNoDirectoryOnLinuxCouldHoldThem() {
        // The empty name carries content so the entry is not refused earlier as too short.
        refused(DECODE, leaf(inline("", "ab")), "empty name");
        refused(DECODE, leaf(inline(".", "")), "the name '.' is reserved");
        refused(DECODE, leaf(inline("..", "")), "the name '..' is reserved");
        refused(DECODE, leaf(inline("a/b", "")), "name 'a/b' contains '/'");
        refused(DECODE, leaf(inline("/", "")), "contains '/'");
        refused(DECODE, leaf(inline(new byte[] {'a', 0, 'b'}, new byte[0])), "name 'a\\x00b' contains NUL");
        refused(DECODE, branch(1, child("a/b", REF, 1)), "contains '/'");
        refused(DECODE, branch(1, child("..", REF, 1)), "reserved");
        // A second child makes room, so the count check does not refuse it first.
        refused(DECODE, branch(1, child("", REF, 1), child("bb", REF, 1)), "empty name");
    }

    @Test
    void namesAtTheEdgesAreAccepted() throws CorruptBlockException {
        byte[] longest = new byte[Format.MAX_NAME];
        Arrays.fill(longest, (byte) 0xff);
        DirNode edge = DirNode.leaf(List.of(inline(utf8("..."), new byte[0]), inline(utf8(".a"), new byte[0]),
                inline(new byte[] {(byte) 0x80}, new byte[0]), inline(longest, new byte[0])));
        assertEquals(edge, DirectoryCodec.decode(DirectoryCodec.encode(edge)));
    }

    @Test
    void orderIsStrictlyAscendingUnsignedBytes() throws CorruptBlockException {
        refused(DECODE, leaf(inline("b", ""), inline("a", "")), "names out of order: 'b' before 'a'");
        refused(DECODE, leaf(inline("a", ""), inline("a", "")), "duplicate name 'a'");
        refused(DECODE, leaf(inline("ab", ""), inline("a", "")), "out of order");
        // Signed comparison would put 0x80 before 'a'; the format orders unsigned bytes.
        refused(DECODE, leaf(inline(new byte[] {(byte) 0x80}, new byte[0]), inline("a", "")),
                "names out of order: '\\x80' before 'a'");
        DirNode unsignedOrder = DirNode.leaf(List.of(inline("B", ""), inline("a", ""),
                inline(new byte[] {(byte) 0xc3, (byte) 0xa9}, new byte[0])));
        assertEquals(unsignedOrder, DirectoryCodec.decode(DirectoryCodec.encode(unsignedOrder)));
        refused(DECODE, branch(1, child("b", REF, 1), child("a", REF, 1)), "names out of order");
        refused(DECODE, branch(1, child("a", REF, 1), child("a", REF, 1)), "duplicate name 'a'");
    }

    @Test
    void modeBitsOutside07777AreRefused() throws CorruptBlockException {
        for (int mode : new int[] {010000, 0100644, 0170000, 0xffff}) {
            refused(DECODE, leaf(entry(utf8("f"), EntryKind.INLINE_FILE, mode, 0)),
                    "mode " + Integer.toOctalString(mode) + " has bits outside 7777");
        }
        DirNode all = DirNode.leaf(List.of(entry(utf8("f"), EntryKind.INLINE_FILE, 07777, 0)));
        assertEquals(all, DirectoryCodec.decode(DirectoryCodec.encode(all)));
    }

    @Test
    void unknownKindsAreRefused() {
        for (int kind : new int[] {5, 6, 0x7f, 0xff}) {
            byte[] b = leaf(inline("f", ""));
            b[9] = (byte) kind;
            refused(DECODE, b, "unknown entry kind " + kind);
        }
    }

    @Test
    void sizesMustFitTheirKind() throws CorruptBlockException {
        refused(DECODE, leaf(withSize(EntryKind.INLINE_FILE, Format.INLINE_MAX + 1)),
                "'f': inline file of 2049 bytes exceeds the 2048-byte limit");
        refused(DECODE, leaf(withSize(EntryKind.SYMLINK, 0)), "'f': symlink target of 0 bytes is outside 1..4095");
        refused(DECODE, leaf(withSize(EntryKind.SYMLINK, Format.MAX_SYMLINK + 1)), "symlink target of 4096 bytes");
        DirEntry nul = new DirEntry(utf8("f"), EntryKind.SYMLINK, 0777, 3, MTIME, null, new byte[] {'a', 0, 'b'});
        refused(DECODE, leaf(nul), "'f': symlink target contains NUL");
        refused(DECODE, leaf(withSize(EntryKind.CHUNK_FILE, Format.INLINE_MAX)), "a CHUNK_FILE entry cannot have size 2048");
        refused(DECODE, leaf(withSize(EntryKind.CHUNK_FILE, 0)), "cannot have size 0");
        refused(DECODE, leaf(withSize(EntryKind.CHUNK_FILE, Format.MAX_CHUNK + 1)), "cannot have size 1048577");
        refused(DECODE, leaf(withSize(EntryKind.LIST_FILE, Format.INLINE_MAX)), "a LIST_FILE entry cannot have size 2048");
        refused(DECODE, leaf(withSize(EntryKind.LIST_FILE, 5)), "cannot have size 5");
        for (EntryKind kind : new EntryKind[] {EntryKind.CHUNK_FILE, EntryKind.LIST_FILE, EntryKind.DIRECTORY}) {
            refused(DECODE, leaf(withSize(kind, -1)), "size: 18446744073709551615 is not below 2^63");
            refused(DECODE, leaf(withSize(kind, Long.MIN_VALUE)), "is not below 2^63");
        }
        // The edges themselves are allowed.
        DirNode edges = DirNode.leaf(List.of(entry(utf8("a"), EntryKind.INLINE_FILE, 0, Format.INLINE_MAX),
                entry(utf8("b"), EntryKind.CHUNK_FILE, 0, Format.INLINE_MAX + 1),
                entry(utf8("c"), EntryKind.CHUNK_FILE, 0, Format.MAX_CHUNK),
                entry(utf8("d"), EntryKind.LIST_FILE, 0, Format.INLINE_MAX + 1),
                entry(utf8("e"), EntryKind.LIST_FILE, 0, Long.MAX_VALUE),
                entry(utf8("f"), EntryKind.DIRECTORY, 0, 0),
                entry(utf8("g"), EntryKind.DIRECTORY, 0, Long.MAX_VALUE),
                new DirEntry(utf8("h"), EntryKind.SYMLINK, 0, 1, MTIME, null, new byte[] {'/'}),
                new DirEntry(utf8("i"), EntryKind.SYMLINK, 0, Format.MAX_SYMLINK, MTIME, null,
                        HandMadeVolume.pattern(Format.MAX_SYMLINK, 0, 'x'))));
        assertEquals(edges, DirectoryCodec.decode(DirectoryCodec.encode(edges)));
    }

    @Test
    void levelsAndBranchCountsAreBounded() throws CorruptBlockException {
        refused(DECODE, branch(Format.MAX_LEVEL + 1, child("a", REF, 1)),
                "directory block at level 8 is deeper than the limit of 7");
        refused(DECODE, hex("44 01 ff 00000000"), "level 255");
        DirNode top = DirNode.branch(Format.MAX_LEVEL, List.of(child("a", REF, 1)));
        assertEquals(top, DirectoryCodec.decode(DirectoryCodec.encode(top)));
        refused(DECODE, branch(1), "a level-1 directory block has no children");
        refused(DECODE, branch(1, child("a", REF, 0)), "child " + REF + " claims no entries");
        refused(DECODE, branch(1, child("a", REF, -1)), "child entry count: 18446744073709551615 is not below 2^63");
    }
}
