package org.cfs.dhash;

import java.util.List;
import org.cfs.chord.Id;
import org.cfs.chord.NodeRef;

/** What the nodes around a key say about it: the replica set in order, then the lookup path. */
public record BlockStat(Id key, List<Holder> nodes) {
    public BlockStat {
        nodes = List.copyOf(nodes);
    }

    /**
     * One node's answer. {@code replica}: among the k hosts meant to hold the key. {@code error}:
     * why it did not answer, or null.
     */
    public record Holder(NodeRef node, boolean replica, boolean stored, boolean cached, String error) {
    }

    /** How many of the k replica hosts hold the block durably. */
    public long storedReplicas() {
        return nodes.stream().filter(h -> h.replica() && h.stored()).count();
    }
}
