package org.cfs.dhash;

import java.time.Duration;

/**
 * What a graceful leave's hand-over did: of the blocks this node held, how many it confirmed are on
 * the k hosts that hold their keys once it is gone (each of those hosts listed the key or
 * acknowledged the copy), and how long it took. It stops at its bound with what it confirmed.
 */
public record HandOver(long held, long handedOver, Duration took) {
    /** Blocks not confirmed on k hosts: maintenance on the others copies them from the k-1 copies left. */
    public long notHandedOver() {
        return Math.max(0, held - handedOver);
    }
}
