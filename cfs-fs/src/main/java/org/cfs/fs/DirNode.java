package org.cfs.fs;

import java.util.List;

/**
 * One block of a directory's tree. A leaf (level 0) holds entries; a branch holds its children's
 * first names, so a name is found by descending one block per level. A directory that fits one
 * block is a single leaf.
 */
record DirNode(int level, List<DirEntry> entries, List<DirChild> children) {
    DirNode {
        entries = List.copyOf(entries);
        children = List.copyOf(children);
        if (level == 0 ? !children.isEmpty() : !entries.isEmpty()) {
            throw new IllegalArgumentException("a level-" + level + " node holds " + (level == 0 ? "entries" : "children")
                    + " only");
        }
    }

    static DirNode leaf(List<DirEntry> entries) {
        return new DirNode(0, entries, List.of());
    }

    static DirNode branch(int level, List<DirChild> children) {
        return new DirNode(level, List.of(), children);
    }

    /** Entries in this subtree: the leaf's own, or the sum its children claim. */
    long entryCount() {
        return level == 0 ? entries.size() : children.stream().mapToLong(DirChild::entries).sum();
    }
}
