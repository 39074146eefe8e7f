package org.cfs.dhash;

import java.time.Duration;
import java.util.List;
import org.cfs.chord.Id;

/**
 * What a graceful leave's hand-over did: of the blocks this node held, how many it confirmed are on
 * the k hosts that hold their keys once it is gone (each of those hosts listed the key in its
 * version or newer, or acknowledged the copy), how long it took, and the keys of the others. It
 * stops at its bound with what it confirmed by then.
 *
 * @param missed the keys not confirmed on all k hosts, in ring order from the node's first vnode
 */
public record HandOver(long held, long handedOver, Duration took, List<Id> missed) {
    public HandOver {
        missed = List.copyOf(missed);
        if (handedOver < 0 || held - handedOver != missed.size()) {
            throw new IllegalArgumentException("of " + held + " blocks " + handedOver + " handed over leaves "
                    + (held - handedOver) + " missed, not " + missed.size());
        }
    }

    /** Blocks not confirmed on k hosts: maintenance on the others copies them from the k-1 copies left. */
    public long notHandedOver() {
        return missed.size();
    }
}
