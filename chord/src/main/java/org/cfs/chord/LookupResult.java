package org.cfs.chord;

import java.time.Duration;
import java.util.List;

/**
 * The answer to a lookup: the live owner of {@code key}, the owner's replica set (the owner then
 * its successors, as the owner reported them), how many nodes the lookup traversed (every remote
 * node that answered it, the owner included: the Chord paper's path length), how many requests
 * timed out, how long it took on the scheduler's clock, and the nodes that answered on the way
 * to the owner, in order (where DHash offers blocks for path caching).
 *
 * <p>A lookup asked to stop at a holder ({@link ChordNode#lookupHolder}) that met one names it in
 * {@code holder}; {@code owner} is then null and {@code replicaSet} empty. Otherwise holder is null.
 */
public record LookupResult(Id key, NodeRef owner, List<NodeRef> replicaSet, int hops, int timeouts,
                           Duration elapsed, List<NodeRef> path, NodeRef holder) {
    public LookupResult {
        replicaSet = List.copyOf(replicaSet);
        path = List.copyOf(path);
    }
}
