package org.cfs.chord;

/**
 * A virtual node as peers know it: its ring id, the endpoint of its host, and its vnode index
 * there. The id is always H("host:port#vnode"); {@link #of} computes it and {@link #checked}
 * refuses a claimed id that does not match, which is how a node learned from a peer is vetted.
 */
public record NodeRef(Id id, Endpoint endpoint, int vnode) {

    public NodeRef {
        if (vnode < 0) {
            throw new IllegalArgumentException("vnode index " + vnode + " is negative");
        }
    }

    public static NodeRef of(Endpoint endpoint, int vnode) {
        return new NodeRef(Id.ofNode(endpoint.host(), endpoint.port(), vnode), endpoint, vnode);
    }

    /**
     * A node entry learned from a peer: the claimed id must equal the id computed from the
     * address and the vnode index must be below {@code maxVnodes}.
     */
    public static NodeRef checked(Id claimed, Endpoint endpoint, int vnode, int maxVnodes) {
        if (vnode < 0 || vnode >= maxVnodes) {
            throw new InvalidNodeException("node " + endpoint + "#" + vnode
                    + " has a vnode index outside 0.." + (maxVnodes - 1));
        }
        NodeRef ref = of(endpoint, vnode);
        if (!ref.id.equals(claimed)) {
            throw new InvalidNodeException("node " + endpoint + "#" + vnode + " claims id "
                    + claimed + " but its address hashes to " + ref.id);
        }
        return ref;
    }

    @Override
    public String toString() {
        return id.shortHex() + "@" + endpoint + "#" + vnode;
    }
}
