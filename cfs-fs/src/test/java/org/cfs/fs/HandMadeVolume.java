package org.cfs.fs;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.cfs.chord.Id;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.SignedBlock;
import org.cfs.dhash.SigningKey;

/**
 * A volume assembled block by block through the codecs, bypassing the publisher, so a test can
 * give it any shape, valid or not. Every block it stores is a valid DHash block (content blocks
 * hash to their keys, the signed block is signed by {@link #key}), so what a reader refuses it
 * refuses for the format, not for DHash's checks.
 */
final class HandMadeVolume {
    /** Before every expiry used here, so signed blocks verify. */
    static final long NOW_MILLIS = 1_790_000_000_000L;
    static final long EXPIRES_MILLIS = 1_800_000_000_000L;
    static final long MTIME = 1_700_000_000_123_456_789L;
    static final byte[] LABEL = "hand-made".getBytes(StandardCharsets.US_ASCII);

    final Clock clock = Clock.fixed(Instant.ofEpochMilli(NOW_MILLIS), ZoneOffset.UTC);
    final MemoryBlocks blocks = new MemoryBlocks(clock);
    final SigningKey key;
    final byte[] label;

    HandMadeVolume() {
        this(goldenKey(), LABEL);
    }

    HandMadeVolume(SigningKey key, byte[] label) {
        this.key = key;
        this.label = label;
    }

    /** The signer of the test vectors (and of dhash's BlockTest): private key 00 01 .. 1f. */
    static SigningKey goldenKey() {
        byte[] seed = new byte[32];
        for (int i = 0; i < seed.length; i++) {
            seed[i] = (byte) i;
        }
        return SigningKey.fromPrivate(seed);
    }

    Id volume() {
        return key.keyFor(label);
    }

    /** Stores {@code data} as a content block; returns its key. */
    Id put(byte[] data) {
        ContentBlock block = new ContentBlock(data);
        blocks.put(block).join();
        return block.key();
    }

    Id dir(DirNode node) {
        return put(DirectoryCodec.encode(node));
    }

    Id leaf(DirEntry... entries) {
        return dir(DirNode.leaf(List.of(entries)));
    }

    Id list(int level, ChunkRef... items) {
        return put(ChunkListCodec.encode(new ListNode(level, List.of(items))));
    }

    Id commit(Commit c) {
        return put(c.encode());
    }

    /** A first version whose root directory is the top block {@code root} holding {@code entries}. */
    Id commitRoot(Id root, long entries) {
        return commit(new Commit(1, NOW_MILLIS, "", root, entries, 0755, MTIME, null, 0, 1, 0));
    }

    /** Signs {@code payload} as the volume's signed block with sequence {@code seq}. */
    void sign(long seq, byte[] payload) {
        blocks.put(SignedBlock.sign(key, label, seq, EXPIRES_MILLIS, payload)).join();
    }

    /** Makes {@code commit} the current version {@code version}. */
    void sign(long seq, Id commit, long version) {
        sign(seq, new VolumeRoot(commit, version).encode());
    }

    /** A one-version volume whose root is {@code root} with {@code entries}: commit, then signed block. */
    HandMadeVolume publishRoot(Id root, long entries) {
        sign(0, commitRoot(root, entries), 1);
        return this;
    }

    Volumes volumes() {
        return new Volumes(blocks, SeenVersions.inMemory(), clock, Duration.ofSeconds(10), 1 << 20);
    }

    Snapshot open() throws VolumeException {
        return volumes().open(volume());
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static DirEntry inline(String name, String content) {
        return inline(utf8(name), utf8(content));
    }

    static DirEntry inline(byte[] name, byte[] content) {
        return new DirEntry(name, EntryKind.INLINE_FILE, 0644, content.length, MTIME, null, content);
    }

    static DirEntry chunkFile(String name, long size, Id chunk) {
        return new DirEntry(utf8(name), EntryKind.CHUNK_FILE, 0644, size, MTIME, chunk, null);
    }

    static DirEntry listFile(String name, long size, Id list) {
        return new DirEntry(utf8(name), EntryKind.LIST_FILE, 0644, size, MTIME, list, null);
    }

    static DirEntry directory(String name, long entries, Id top) {
        return new DirEntry(utf8(name), EntryKind.DIRECTORY, 0755, entries, MTIME, top, null);
    }

    static DirEntry symlink(String name, String target) {
        byte[] t = utf8(target);
        return new DirEntry(utf8(name), EntryKind.SYMLINK, 0777, t.length, MTIME, null, t);
    }

    static DirChild child(String firstName, Id ref, long entries) {
        return new DirChild(utf8(firstName), ref, entries);
    }

    /** {@code n} bytes, byte i being {@code (i * step + start) mod 256}: fixed data a reader can recompute. */
    static byte[] pattern(int n, int step, int start) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * step + start);
        }
        return b;
    }
}
