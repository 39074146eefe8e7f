package org.cfs.fs;

import static org.cfs.fs.HandMadeVolume.MTIME;
import static org.cfs.fs.HandMadeVolume.child;
import static org.cfs.fs.HandMadeVolume.chunkFile;
import static org.cfs.fs.HandMadeVolume.directory;
import static org.cfs.fs.HandMadeVolume.inline;
import static org.cfs.fs.HandMadeVolume.listFile;
import static org.cfs.fs.HandMadeVolume.pattern;
import static org.cfs.fs.HandMadeVolume.symlink;
import static org.cfs.fs.HandMadeVolume.utf8;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cfs.chord.Id;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.SignedBlock;

/**
 * The objects behind the test vectors of docs/FORMAT.md: a small volume with two versions that
 * uses every block kind and every entry kind. They refer to each other by key, so together they
 * are a volume a reader can open; {@link FormatVectorsTest} checks the doc's bytes against them.
 */
final class FormatVectors {
    static final byte[] LABEL = utf8("vectors");
    static final long COMMIT_1_MILLIS = 1_790_000_000_000L;
    static final long COMMIT_2_MILLIS = COMMIT_1_MILLIS + 60_000;
    /** The signed block's sequence is one more than the version: version 2 was refreshed once. */
    static final long SEQ = 3;

    static final byte[] CHUNK_A = pattern(3000, 1, 0);
    static final byte[] CHUNK_B = pattern(1000, 7, 3);

    static final DirNode SUB_LEAF = DirNode.leaf(List.of(inline("x", "x\n")));
    static final ListNode LIST = new ListNode(0, List.of(new ChunkRef(key(CHUNK_A), 3000),
            new ChunkRef(key(CHUNK_B), 1000)));
    static final DirNode ROOT_LEAF = DirNode.leaf(List.of(
            listFile("big.bin", 4000, key(ChunkListCodec.encode(LIST))),
            chunkFile("data.bin", 3000, key(CHUNK_A)),
            inline("hello.txt", "hello\n"),
            symlink("link", "hello.txt"),
            directory("sub", 1, key(DirectoryCodec.encode(SUB_LEAF)))));
    static final DirNode BRANCH = DirNode.branch(1, List.of(
            child("big.bin", key(DirectoryCodec.encode(ROOT_LEAF)), 5),
            child("x", key(DirectoryCodec.encode(SUB_LEAF)), 1)));
    static final Commit COMMIT_1 = new Commit(1, COMMIT_1_MILLIS, "first", key(DirectoryCodec.encode(ROOT_LEAF)), 5,
            0755, MTIME, null, 5, 2, 7008);
    static final Commit COMMIT_2 = new Commit(2, COMMIT_2_MILLIS, "second: a branch", key(DirectoryCodec.encode(BRANCH)),
            6, 0755, MTIME, key(COMMIT_1.encode()), 6, 2, 7010);
    static final VolumeRoot ROOT = new VolumeRoot(key(COMMIT_2.encode()), 2);

    private FormatVectors() {
    }

    static Id key(byte[] data) {
        return new ContentBlock(data).key();
    }

    static SignedBlock signed() {
        return SignedBlock.sign(HandMadeVolume.goldenKey(), LABEL, SEQ, HandMadeVolume.EXPIRES_MILLIS, ROOT.encode());
    }

    /** A vector: the bytes of an object and the key of the block holding them (null for the signed payload). */
    record Vector(byte[] bytes, Id key) {
    }

    /** Every vector by its name in docs/FORMAT.md, in the doc's order. */
    static Map<String, Vector> all() {
        Map<String, Vector> v = new LinkedHashMap<>();
        v.put("chunk-a", content(CHUNK_A));
        v.put("chunk-b", content(CHUNK_B));
        v.put("chunk-list", content(ChunkListCodec.encode(LIST)));
        v.put("sub-leaf", content(DirectoryCodec.encode(SUB_LEAF)));
        v.put("root-leaf", content(DirectoryCodec.encode(ROOT_LEAF)));
        v.put("branch", content(DirectoryCodec.encode(BRANCH)));
        v.put("commit-1", content(COMMIT_1.encode()));
        v.put("commit-2", content(COMMIT_2.encode()));
        v.put("volume-root", new Vector(ROOT.encode(), null));
        SignedBlock s = signed();
        v.put("signed-block", new Vector(s.encode(), s.key()));
        return v;
    }

    private static Vector content(byte[] data) {
        return new Vector(data, key(data));
    }
}
