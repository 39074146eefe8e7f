package org.cfs.chord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.cfs.chord.sim.SimNetwork;
import org.junit.jupiter.api.Test;

class FarNodesTest {
    private static final Id EIGHTH = Id.powerOfTwo(Id.BITS - 3);

    private final SimNetwork network = new SimNetwork(1, Duration.ofMillis(1), Duration.ofMillis(2));
    private final Scheduler scheduler = network.scheduler(new Endpoint("10.0.0.1", 4000));
    private final FarNodes far = new FarNodes(Id.ZERO, scheduler);

    /** A node {@code offset} past the start of arc {@code slot}, at host {@code n}. */
    private static NodeRef at(int slot, int offset, int n) {
        Id id = Id.ZERO;
        for (int i = 0; i < slot; i++) {
            id = id.plus(EIGHTH);
        }
        return new NodeRef(id.plus(Id.powerOfTwo(offset)), new Endpoint("10.9.0." + n, 4000), 0);
    }

    private void pass(Duration span) {
        network.clock().runFor(span);
    }

    @Test
    void remembersOneNodePerArcAndNeverItself() {
        far.heard(new NodeRef(Id.ZERO, new Endpoint("10.0.0.1", 4000), 0));
        assertEquals(List.of(), far.nodes());
        for (int n = 0; n < 3 * FarNodes.SLOTS; n++) {
            far.heard(at(n % FarNodes.SLOTS, 20 + n, n));
        }
        List<NodeRef> kept = far.nodes();
        assertEquals(FarNodes.SLOTS, kept.size(), "one per arc: " + kept);
        for (int slot = 0; slot < FarNodes.SLOTS; slot++) {
            assertEquals(at(slot, 20 + slot, slot), kept.get(slot), "the first heard of an arc stays");
        }
    }

    @Test
    void aNodeThatStopsAnsweringIsKeptForItsMemoryThenGivesWayToANewOne() {
        NodeRef cutOff = at(3, 30, 1);
        NodeRef newcomer = at(3, 40, 2);
        far.heard(cutOff);
        assertEquals(cutOff, far.next());
        far.checked(cutOff, false);
        pass(FarNodes.MEMORY.minusMinutes(1));
        far.heard(newcomer);
        assertEquals(List.of(cutOff), far.nodes(), "kept while the cut may heal");
        pass(Duration.ofMinutes(2));
        far.heard(newcomer);
        assertEquals(List.of(newcomer), far.nodes(), "silent for its memory: replaced");
    }

    @Test
    void aNodeHeardAgainStaysPastItsMemory() {
        NodeRef live = at(5, 30, 1);
        far.heard(live);
        for (int i = 0; i < 3; i++) {
            pass(FarNodes.MEMORY.minusMinutes(1));
            far.heard(live);
        }
        far.heard(at(5, 50, 2));
        assertEquals(List.of(live), far.nodes());
    }

    @Test
    void checksAlternateBetweenNodesThatFailedAndTheLeastRecentlyChecked() {
        assertNull(far.next(), "nothing remembered, nothing to check");
        NodeRef a = at(1, 30, 1);
        NodeRef b = at(2, 30, 2);
        NodeRef c = at(4, 30, 3);
        far.heardAll(List.of(a, b, c));
        Set<NodeRef> firstRound = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            pass(Duration.ofSeconds(10));
            firstRound.add(far.next());
        }
        assertEquals(Set.of(a, b, c), firstRound, "every node is checked before any twice");
        far.checked(a, true);
        far.checked(b, false);
        far.checked(c, true);
        for (int round = 0; round < 3; round++) {
            pass(Duration.ofSeconds(10));
            NodeRef first = far.next();
            pass(Duration.ofSeconds(10));
            NodeRef second = far.next();
            assertTrue(first.equals(b) != second.equals(b), "b failed: once in every two checks, got "
                    + first + " and " + second);
        }
    }
}
