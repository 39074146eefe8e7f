package org.cfs.chord;

/**
 * The upcalls of the common KBR API, implemented by an application (DHash) on top of a
 * {@link ChordNode}. They run on the node's scheduler thread and must not block.
 */
public interface KbrApplication {

    /** A routed message arrived at the node that owns {@code key}. */
    default void deliver(Id key, byte[] message) {
    }

    /**
     * A routed message is about to go from this node to {@code nextHop}. Return the node to send
     * it to (the same, or another the application prefers), or null to stop routing here.
     */
    default NodeRef forward(Id key, byte[] message, NodeRef nextHop) {
        return nextHop;
    }

    /**
     * {@code node} joined or left this node's neighbour set (predecessor and successor list).
     * Called with this node's own ref and {@code joined == false} when it leaves gracefully, before
     * its neighbours are told: the application's chance to hand over.
     */
    default void update(NodeRef node, boolean joined) {
    }
}
