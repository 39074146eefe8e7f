package org.cfs.chord;

/**
 * A virtual node as peers know it: its ring id, the endpoint of its host, and its vnode index
 * there. The id is always H("ip#vnode") ({@link Id#ofNode}); {@link #of} computes it and
 * {@link #checked} refuses a claimed id that does not match, a host that is not an IP literal, or
 * a vnode index of {@code maxVnodes} or more, which is how a node learned from a peer is vetted.
 * So one IP address holds at most {@code maxVnodes} ids, whatever ports it uses.
 */
public record NodeRef(Id id, Endpoint endpoint, int vnode) {

    public NodeRef {
        if (vnode < 0) {
            throw new IllegalArgumentException("vnode index " + vnode + " is negative");
        }
    }

    /**
     * The node {@code vnode} at {@code endpoint}. A host name (allowed only for a seed a client or
     * joiner is told to contact, never for a ring member) is hashed as written.
     */
    public static NodeRef of(Endpoint endpoint, int vnode) {
        String ip = endpoint.canonicalIp();
        return new NodeRef(Id.ofNode(ip != null ? ip : endpoint.host(), vnode), endpoint, vnode);
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
        if (endpoint.canonicalIp() == null) {
            throw new InvalidNodeException("node " + endpoint + "#" + vnode
                    + " is not at an IP address; a ring member's id is H(ip#vnode)");
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
