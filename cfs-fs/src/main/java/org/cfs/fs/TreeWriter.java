package org.cfs.fs;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import org.cfs.chord.Id;
import org.cfs.dhash.ContentBlock;

/**
 * Writes directories and chunk lists as trees of blocks with content-defined node boundaries: a
 * node ends after an item whose hash has its low bits zero (or before one that would take it past
 * {@link Format#NODE_MAX_BYTES}). The same items always give the same blocks, and an edit changes
 * only the nodes on its path, as in a Merkle search tree, so a re-publish resends little metadata.
 */
final class TreeWriter {
    private TreeWriter() {
    }

    /** Stores the directory's blocks through {@code store}, bottom up; returns the top block's key. */
    static Id writeDirectory(List<DirEntry> sortedEntries, Consumer<ContentBlock> store) {
        List<List<DirEntry>> leaves = split(sortedEntries, DirectoryCodec::entryBytes,
                e -> boundary(Id.hash(e.name()), Format.DIR_SPLIT_BITS));
        List<DirChild> children = new ArrayList<>(leaves.size());
        for (List<DirEntry> leaf : leaves) {
            Id ref = put(DirectoryCodec.encode(DirNode.leaf(leaf)), store);
            if (leaves.size() == 1) {
                return ref;
            }
            children.add(new DirChild(leaf.get(0).name(), ref, leaf.size()));
        }
        for (int level = 1; ; level++) {
            checkLevel(level);
            List<List<DirChild>> nodes = split(children, DirectoryCodec::childBytes,
                    c -> boundary(c.ref(), Format.DIR_SPLIT_BITS));
            List<DirChild> up = new ArrayList<>(nodes.size());
            for (List<DirChild> node : nodes) {
                Id ref = put(DirectoryCodec.encode(DirNode.branch(level, node)), store);
                if (nodes.size() == 1) {
                    return ref;
                }
                up.add(new DirChild(node.get(0).firstName(), ref, node.stream().mapToLong(DirChild::entries).sum()));
            }
            children = up;
        }
    }

    /** Stores a chunk list of two or more chunks as a tree; returns the top block's key. */
    static Id writeChunkList(List<ChunkRef> chunks, Consumer<ContentBlock> store) {
        List<ChunkRef> items = chunks;
        for (int level = 0; ; level++) {
            checkLevel(level);
            List<List<ChunkRef>> nodes = split(items, c -> ChunkListCodec.ITEM_BYTES,
                    c -> boundary(c.ref(), Format.LIST_SPLIT_BITS));
            List<ChunkRef> up = new ArrayList<>(nodes.size());
            for (List<ChunkRef> node : nodes) {
                Id ref = put(ChunkListCodec.encode(new ListNode(level, node)), store);
                if (nodes.size() == 1) {
                    return ref;
                }
                up.add(new ChunkRef(ref, node.stream().mapToLong(ChunkRef::length).sum()));
            }
            items = up;
        }
    }

    private static void checkLevel(int level) {
        if (level > Format.MAX_LEVEL) {
            throw new IllegalStateException("a tree of more than " + (Format.MAX_LEVEL + 1) + " levels");
        }
    }

    private static Id put(byte[] data, Consumer<ContentBlock> store) {
        ContentBlock block = new ContentBlock(data);
        store.accept(block);
        return block.key();
    }

    /** True if the low {@code bits} of the hash's last four bytes are zero: probability 2^-bits. */
    static boolean boundary(Id hash, int bits) {
        byte[] b = hash.toBytes();
        int low = ((b[16] & 0xff) << 24) | ((b[17] & 0xff) << 16) | ((b[18] & 0xff) << 8) | (b[19] & 0xff);
        return (low & ((1 << bits) - 1)) == 0;
    }

    /**
     * Cuts a run of items into nodes; an empty run is one empty node. A level where every item
     * would end a node is cut by size alone, so each level has fewer nodes than the one below
     * and a tree always has a top.
     */
    static <T> List<List<T>> split(List<T> items, ToIntFunction<T> bytes, java.util.function.Predicate<T> endsNode) {
        List<List<T>> nodes = cut(items, bytes, endsNode);
        return nodes.size() > 1 && nodes.size() == items.size() ? cut(items, bytes, item -> false) : nodes;
    }

    private static <T> List<List<T>> cut(List<T> items, ToIntFunction<T> bytes, java.util.function.Predicate<T> endsNode) {
        List<List<T>> nodes = new ArrayList<>();
        List<T> current = new ArrayList<>();
        int size = 0;
        for (T item : items) {
            int b = bytes.applyAsInt(item);
            if (!current.isEmpty() && size + b > Format.NODE_MAX_BYTES) {
                nodes.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(item);
            size += b;
            if (endsNode.test(item)) {
                nodes.add(current);
                current = new ArrayList<>();
                size = 0;
            }
        }
        if (!current.isEmpty() || nodes.isEmpty()) {
            nodes.add(current);
        }
        return nodes;
    }
}
