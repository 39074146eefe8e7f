package org.cfs.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.cfs.chord.ChordNode;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.NodeRef;

/**
 * What every pointer should be, computed from the sorted membership: the ground truth that ring
 * maintenance is checked against.
 */
public final class RingOracle {
    private final TreeMap<Id, NodeRef> ring = new TreeMap<>();
    private final int successors;

    public RingOracle(Collection<NodeRef> members, int successors) {
        members.forEach(n -> ring.put(n.id(), n));
        this.successors = successors;
    }

    public int size() {
        return ring.size();
    }

    /** The live owner of {@code key}: the first member at or after it, wrapping round. */
    public NodeRef owner(Id key) {
        var e = ring.ceilingEntry(key);
        return (e != null ? e : ring.firstEntry()).getValue();
    }

    public NodeRef successor(NodeRef n) {
        var e = ring.higherEntry(n.id());
        return (e != null ? e : ring.firstEntry()).getValue();
    }

    public NodeRef predecessor(NodeRef n) {
        var e = ring.lowerEntry(n.id());
        return (e != null ? e : ring.lastEntry()).getValue();
    }

    /** The next min(r, N - 1) members after {@code n}. */
    public List<NodeRef> successorList(NodeRef n) {
        int len = Math.min(successors, ring.size() - 1);
        List<NodeRef> out = new ArrayList<>(len);
        NodeRef at = n;
        for (int i = 0; i < len; i++) {
            at = successor(at);
            out.add(at);
        }
        return out;
    }

    /**
     * The key's replica hosts: its owner and the nodes after it, the first vnode of each distinct
     * host, at most {@code k} (as {@code DHash.replicaHosts} takes them from a replica set).
     */
    public List<NodeRef> replicaHosts(Id key, int k) {
        List<NodeRef> out = new ArrayList<>(k);
        Set<Endpoint> hosts = new HashSet<>();
        NodeRef at = owner(key);
        for (int i = 0; i < ring.size() && out.size() < k; i++) {
            if (hosts.add(at.endpoint())) {
                out.add(at);
            }
            at = successor(at);
        }
        return out;
    }

    /** How many of {@code nodes} disagree with the truth, and the first difference. */
    public Mismatch mismatches(List<ChordNode> nodes) {
        int count = 0;
        String first = null;
        for (ChordNode n : nodes) {
            Optional<String> why = check(n);
            if (why.isPresent()) {
                count++;
                if (first == null) {
                    first = why.get();
                }
            }
        }
        return new Mismatch(count, first);
    }

    /** A count of vnodes that disagree with the oracle, with one example. */
    public record Mismatch(int count, String example) {
    }

    /** Why {@code node}'s pointers differ from the truth, or empty when they agree. */
    public Optional<String> check(ChordNode node) {
        NodeRef self = node.self();
        List<NodeRef> expected = successorList(self);
        if (!node.successors().equals(expected)) {
            return Optional.of(self + " has successors " + node.successors() + ", expected " + expected);
        }
        NodeRef pred = ring.size() > 1 ? predecessor(self) : null;
        NodeRef actual = node.predecessor().orElse(null);
        if (ring.size() > 1 && !pred.equals(actual)) {
            return Optional.of(self + " has predecessor " + actual + ", expected " + pred);
        }
        return Optional.empty();
    }
}
