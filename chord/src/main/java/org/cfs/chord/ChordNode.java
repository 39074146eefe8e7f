package org.cfs.chord;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One virtual node of the ring, seen through the common KBR API (Dabek et al., IPTPS'03) plus an
 * iterative {@link #lookup}. The local-state queries answer from this node's current tables and
 * are safe to call from any thread.
 */
public interface ChordNode {

    NodeRef self();

    /** Finds the live owner of {@code key} and its replica set. */
    CompletableFuture<LookupResult> lookup(Id key);

    /**
     * Like {@link #lookup}, but stops at the first remote node on the way whose application says it
     * holds the key (see {@link ChordHost#setKeyHolder}); the result then names that node as
     * {@link LookupResult#holder()} instead of an owner.
     */
    CompletableFuture<LookupResult> lookupHolder(Id key);

    /**
     * Tells this host that {@code node} lied (served data that failed verification, say): with
     * secure routing on, this host's lookups take that node's answers last for a while.
     */
    void distrust(NodeRef node);

    /**
     * Routes {@code message} hop by hop towards the owner of {@code key}, calling
     * {@link KbrApplication#forward} at every hop and {@link KbrApplication#deliver} at the owner.
     * {@code hint}, if not null, is tried as the first hop. Completes when the first hop accepted it.
     */
    CompletableFuture<Void> route(Id key, byte[] message, NodeRef hint);

    /** Up to {@code num} next hops towards {@code key} from local tables, best first; {@code safe}
     * restricts them to the successor list, whose entries were checked alive. */
    List<NodeRef> localLookup(Id key, int num, boolean safe);

    /** Up to {@code max} neighbours: the successors in ring order, then the predecessor. */
    List<NodeRef> neighborSet(int max);

    /** Up to {@code max} nodes that hold replicas of {@code key}, the owner first, as far as this
     * node's neighbourhood tells; empty if the key is outside it. */
    List<NodeRef> replicaSet(Id key, int max);

    /** The keys for which {@code node} is the replica of rank {@code rank} (0 = owner), if this node's
     * neighbourhood is wide enough to tell. */
    Optional<KeyRange> range(NodeRef node, int rank);

    /** Sets the application receiving upcalls; one per node. */
    void setApplication(KbrApplication application);

    /** The current predecessor, if known. */
    Optional<NodeRef> predecessor();

    /** The current successor list, nearest first. */
    List<NodeRef> successors();

    /** The distinct nodes in the finger table, in ring order from this node. */
    List<NodeRef> fingers();
}
