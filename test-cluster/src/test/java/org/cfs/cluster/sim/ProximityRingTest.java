package org.cfs.cluster.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.ChordNode;
import org.cfs.chord.Id;
import org.cfs.chord.NodeRef;
import org.cfs.chord.sim.RegionLatency;
import org.cfs.cluster.LookupBatch;
import org.cfs.cluster.RingOracle;
import org.junit.jupiter.api.Test;

/** Proximity neighbour selection on the Internet-like latency model: legal fingers, nearer ones, right owners. */
class ProximityRingTest {
    private static final int NODES = 200;
    private static final int CANDIDATES = 8;

    private static SimRing stableRing(int candidates) {
        ChordConfig config = SimRing.simConfig(16).withFingerCandidates(candidates);
        SimRing ring = new SimRing(3, config, RegionLatency.internet(3));
        ring.growInWaves(NODES, 20, Duration.ofSeconds(5));
        assertTrue(ring.stabilize(Duration.ofMinutes(10), Duration.ofSeconds(1)).isPresent(),
                () -> "not converged: " + ring.mismatches());
        ring.advance(Duration.ofSeconds(90));
        return ring;
    }

    @Test
    void withProximityEveryLookupStillFindsTheOraclesOwner() {
        SimRing ring = stableRing(CANDIDATES);
        LookupBatch batch = ring.lookups(3_000);
        assertEquals(3_000, batch.correct(), () -> "failed " + batch.failed() + ", first: " + batch.firstFailure());
    }

    @Test
    void withProximityLookupsStayCorrectWhenAThirdOfTheRingFailsAtOnce() {
        SimRing ring = stableRing(CANDIDATES);
        ring.crashFraction(0.3);
        LookupBatch atOnce = ring.lookups(2_000);
        assertEquals(2_000, atOnce.count());
        assertTrue(atOnce.correctFraction() >= 0.999, () -> "only " + atOnce.correctFraction()
                + " correct at once; first failure: " + atOnce.firstFailure());
        ring.advance(Duration.ofSeconds(1));
        LookupBatch after = ring.lookups(2_000);
        assertEquals(2_000, after.correct(), () -> "after one period: " + after.firstFailure());
    }

    @Test
    void everyFingerIsOneOfTheFirstCandidatesOfItsInterval() {
        SimRing ring = stableRing(CANDIDATES);
        RingOracle oracle = ring.oracle();
        int beyondFirst = 0;
        for (ChordNode node : ring.nodes()) {
            for (NodeRef finger : node.fingers()) {
                int rank = rankInInterval(oracle, node.self().id(), finger);
                assertTrue(rank >= 0 && rank < CANDIDATES, () -> "finger " + finger + " of " + node.self()
                        + " is not among the first " + CANDIDATES + " nodes of its interval");
                beyondFirst += rank > 0 ? 1 : 0;
            }
        }
        assertTrue(beyondFirst > 0, "proximity never chose a node other than the first");
    }

    @Test
    void proximityFingersAreNearerThanPlainOnes() {
        double plain = meanFingerRoundTripMs(stableRing(1));
        double near = meanFingerRoundTripMs(stableRing(CANDIDATES));
        assertTrue(near < 0.7 * plain, "mean round trip to fingers: " + near + " ms with proximity, "
                + plain + " ms without");
    }

    /**
     * How many nodes of {@code finger}'s interval [n + 2^i, n + 2^(i+1)) precede it: 0 for plain
     * Chord's choice; -1 if it lies in no interval or past the first 64.
     */
    private static int rankInInterval(RingOracle oracle, Id self, NodeRef finger) {
        for (int i = Id.BITS - 1; i >= 0; i--) {
            Id start = self.plus(Id.powerOfTwo(i));
            Id end = i + 1 < Id.BITS ? self.plus(Id.powerOfTwo(i + 1)) : self;
            if (finger.id().equals(start) || finger.id().inOpen(start, end)) {
                NodeRef at = oracle.owner(start);
                for (int rank = 0; rank < 64; rank++) {
                    if (at.equals(finger)) {
                        return rank;
                    }
                    at = oracle.successor(at);
                }
                return -1;
            }
        }
        return -1;
    }

    private static double meanFingerRoundTripMs(SimRing ring) {
        double sum = 0;
        int count = 0;
        for (ChordNode node : ring.nodes()) {
            for (NodeRef finger : node.fingers()) {
                sum += ring.network().roundTrip(node.self().endpoint(), finger.endpoint()).toNanos() / 1e6;
                count++;
            }
        }
        return sum / count;
    }
}
