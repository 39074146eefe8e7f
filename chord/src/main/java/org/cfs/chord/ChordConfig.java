package org.cfs.chord;

import java.time.Duration;

/**
 * Every Chord setting, with its unit in its type. {@link #defaults()} suits real nodes on a LAN;
 * the simulator uses the same settings on virtual time.
 *
 * @param successors length r of each vnode's successor list
 * @param maxVnodes the most vnodes a host may run; ids with a higher index are refused
 * @param stabilizeInterval mean period of stabilize (jittered +-50% per round)
 * @param fixFingersInterval mean period between refreshing one finger
 * @param checkPredecessorInterval mean period of the predecessor liveness check
 * @param requestTimeout per-hop timeout of every request
 * @param lookupDeadline bound on the total time of one lookup
 * @param lookupCandidates how many closer nodes a lookup step returns, for fallback on timeouts
 * @param secureRouting whether lookups test every answer against the density of ids this node
 *     knows and, when the result fails, retry over other routes and combine the answers
 *     (see {@link Lookup})
 * @param fingerCandidates proximity neighbour selection: each finger is the nearest by measured
 *     round trip of the first this many nodes at or past its start (the owner of the start and its
 *     successors, so at most successors + 1) that lie before the next finger's start (see
 *     {@link ProximityFingers}); 1 is plain Chord, the first node. Default 16, as DHash++ sampled:
 *     where links differ it cuts lookup latency by half (docs/BENCHMARKS.md, "Proximity"), and
 *     where they do not it only costs a ping per unmeasured candidate
 * @param mergeInterval mean period (jittered +-50%) of each vnode's merge check: a lookup of its
 *     own id started at one of the far nodes it remembers, which finds the rest of the ring again
 *     after a network partition heals (see {@link MergeCheck})
 */
public record ChordConfig(
        int successors,
        int maxVnodes,
        Duration stabilizeInterval,
        Duration fixFingersInterval,
        Duration checkPredecessorInterval,
        Duration requestTimeout,
        Duration lookupDeadline,
        int lookupCandidates,
        boolean secureRouting,
        int fingerCandidates,
        Duration mergeInterval) {

    public ChordConfig {
        require(successors >= 1 && successors <= 256, "successors", successors, "1..256");
        require(maxVnodes >= 1 && maxVnodes <= 1024, "maxVnodes", maxVnodes, "1..1024");
        require(lookupCandidates >= 1 && lookupCandidates <= 64, "lookupCandidates", lookupCandidates, "1..64");
        require(fingerCandidates >= 1 && fingerCandidates <= 64, "fingerCandidates", fingerCandidates, "1..64");
        positive("stabilizeInterval", stabilizeInterval);
        positive("fixFingersInterval", fixFingersInterval);
        positive("checkPredecessorInterval", checkPredecessorInterval);
        positive("requestTimeout", requestTimeout);
        positive("lookupDeadline", lookupDeadline);
        positive("mergeInterval", mergeInterval);
    }

    public static ChordConfig defaults() {
        return new ChordConfig(16, 16, Duration.ofSeconds(1), Duration.ofMillis(500),
                Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(30), 4, true, 16,
                Duration.ofSeconds(10));
    }

    public ChordConfig withSuccessors(int r) {
        return new ChordConfig(r, maxVnodes, stabilizeInterval, fixFingersInterval,
                checkPredecessorInterval, requestTimeout, lookupDeadline, lookupCandidates, secureRouting,
                fingerCandidates, mergeInterval);
    }

    public ChordConfig withMaxVnodes(int max) {
        return new ChordConfig(successors, max, stabilizeInterval, fixFingersInterval,
                checkPredecessorInterval, requestTimeout, lookupDeadline, lookupCandidates, secureRouting,
                fingerCandidates, mergeInterval);
    }

    /** Sets stabilize, fix-fingers, check-predecessor and merge periods together, in the default ratio. */
    public ChordConfig withStabilizeInterval(Duration interval) {
        return new ChordConfig(successors, maxVnodes, interval, interval.dividedBy(2),
                interval.multipliedBy(2), requestTimeout, lookupDeadline, lookupCandidates, secureRouting,
                fingerCandidates, interval.multipliedBy(10));
    }

    public ChordConfig withRequestTimeout(Duration timeout) {
        return new ChordConfig(successors, maxVnodes, stabilizeInterval, fixFingersInterval,
                checkPredecessorInterval, timeout, lookupDeadline, lookupCandidates, secureRouting,
                fingerCandidates, mergeInterval);
    }

    public ChordConfig withLookupDeadline(Duration deadline) {
        return new ChordConfig(successors, maxVnodes, stabilizeInterval, fixFingersInterval,
                checkPredecessorInterval, requestTimeout, deadline, lookupCandidates, secureRouting,
                fingerCandidates, mergeInterval);
    }

    public ChordConfig withSecureRouting(boolean secure) {
        return new ChordConfig(successors, maxVnodes, stabilizeInterval, fixFingersInterval,
                checkPredecessorInterval, requestTimeout, lookupDeadline, lookupCandidates, secure,
                fingerCandidates, mergeInterval);
    }

    /** Proximity neighbour selection among {@code candidates} nodes per finger; 1 turns it off. */
    public ChordConfig withFingerCandidates(int candidates) {
        return new ChordConfig(successors, maxVnodes, stabilizeInterval, fixFingersInterval,
                checkPredecessorInterval, requestTimeout, lookupDeadline, lookupCandidates, secureRouting, candidates,
                mergeInterval);
    }

    public ChordConfig withMergeInterval(Duration interval) {
        return new ChordConfig(successors, maxVnodes, stabilizeInterval, fixFingersInterval,
                checkPredecessorInterval, requestTimeout, lookupDeadline, lookupCandidates, secureRouting,
                fingerCandidates, interval);
    }

    private static void require(boolean ok, String name, int value, String range) {
        if (!ok) {
            throw new IllegalArgumentException(name + " is " + value + ", must be in " + range);
        }
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
        }
    }
}
