package org.cfs.fs;

import java.util.List;

/** One block of a file's chunk-list tree: level 0 names data chunks, higher levels child nodes. */
record ListNode(int level, List<ChunkRef> items) {
    ListNode {
        items = List.copyOf(items);
    }

    /** Bytes of the file under this node. */
    long length() {
        return items.stream().mapToLong(ChunkRef::length).sum();
    }
}
