package org.cfs.chord;

import java.time.Duration;
import java.util.List;

/**
 * The answer to a lookup: the live owner of {@code key}, the owner's replica set (the owner then
 * its successors, as the owner reported them), how many nodes the lookup traversed (every remote
 * node that answered it, the owner included: the Chord paper's path length), how many requests
 * timed out, and how long it took on the scheduler's clock.
 */
public record LookupResult(Id key, NodeRef owner, List<NodeRef> replicaSet, int hops, int timeouts,
                           Duration elapsed) {
    public LookupResult {
        replicaSet = List.copyOf(replicaSet);
    }
}
