package org.cfs.chord;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The choice of a finger among the first nodes of its interval. */
class ProximityFingersTest {
    private static final Id START = Id.ofNode("10.9.9.9", 0);

    /** Twenty nodes in ring order from START, the way a replica set lists them. */
    private static List<NodeRef> ringFromStart() {
        List<NodeRef> nodes = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            nodes.add(NodeRef.of(new Endpoint("10.0.0." + i, 4000), 0));
        }
        nodes.sort(Comparator.comparing((NodeRef n) -> START.distanceTo(n.id())));
        return nodes;
    }

    @Test
    void candidatesAreTheFirstNodesOfTheIntervalAtMostK() {
        List<NodeRef> ring = ringFromStart();
        Id farEnd = START.minus(Id.powerOfTwo(0));
        assertEquals(ring.subList(0, 8), ProximityFingers.eligible(START, farEnd, ring, 8));
        assertEquals(ring, ProximityFingers.eligible(START, farEnd, ring, 64));
    }

    @Test
    void candidatesStopAtTheEndOfTheInterval() {
        List<NodeRef> ring = ringFromStart();
        Id end = ring.get(5).id();
        assertEquals(ring.subList(0, 5), ProximityFingers.eligible(START, end, ring, 16),
                "the node at the next finger's start belongs to that finger");
    }

    @Test
    void theOwnerIsACandidateEvenPastTheEndSinceItIsPlainChordsFinger() {
        List<NodeRef> ring = ringFromStart();
        Id end = START.plus(START.distanceTo(ring.get(0).id()).minus(Id.powerOfTwo(0)));
        assertEquals(List.of(ring.get(0)), ProximityFingers.eligible(START, end, ring, 16));
    }

    @Test
    void theNearestMeasuredCandidateWinsAndSilentOrUnmeasuredOnesDoNot() {
        List<NodeRef> ring = ringFromStart().subList(0, 5);
        RoundTrips rtt = new RoundTrips();
        rtt.record(ring.get(0).endpoint(), 90_000_000);
        rtt.record(ring.get(1).endpoint(), 40_000_000);
        rtt.record(ring.get(2).endpoint(), 10_000_000);
        rtt.record(ring.get(3).endpoint(), 20_000_000);
        assertEquals(ring.get(2), ProximityFingers.nearest(ring, Set.of(), rtt));
        assertEquals(ring.get(3), ProximityFingers.nearest(ring, Set.of(ring.get(2)), rtt));
        assertEquals(ring.get(4), ProximityFingers.nearest(ring.subList(4, 5), Set.of(), rtt),
                "an unmeasured lone candidate is still taken");
    }

    @Test
    void withNothingMeasuredTheFirstNodeIsKept() {
        List<NodeRef> ring = ringFromStart().subList(0, 5);
        assertEquals(ring.get(0), ProximityFingers.nearest(ring, Set.of(), new RoundTrips()));
    }

    @Test
    void tiesGoToTheEarlierNode() {
        List<NodeRef> ring = ringFromStart().subList(0, 3);
        RoundTrips rtt = new RoundTrips();
        rtt.record(ring.get(2).endpoint(), 10_000_000);
        rtt.record(ring.get(1).endpoint(), 10_000_000);
        assertEquals(ring.get(1), ProximityFingers.nearest(ring, Set.of(), rtt));
    }
}
