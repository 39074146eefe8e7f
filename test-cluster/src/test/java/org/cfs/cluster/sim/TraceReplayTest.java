package org.cfs.cluster.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.cfs.cluster.sim.FailureTrace.Event;
import org.cfs.cluster.sim.FailureTrace.Kind;
import org.cfs.dhash.DHashConfig.Repair;
import org.junit.jupiter.api.Test;

/**
 * Short hand-written traces on a small ring, replayed with the real DHash under both repair
 * policies: a disk loss is repaired back to k copies and no block is lost either way, and a host
 * failing a second time costs Carbonite no copy, since the copies made the first time were kept.
 */
class TraceReplayTest {
    private static final TraceReplay.Setup SETUP = new TraceReplay.Setup(60, 1024, 3, 6, Duration.ofSeconds(30),
            Duration.ofMinutes(10), Duration.ofHours(1));
    private static final FailureTrace.Params SHAPE = new FailureTrace.Params(12, Duration.ofHours(14),
            Duration.ofDays(10), Duration.ofHours(4), Duration.ofDays(100));

    /** Slot 2 down for four hours, slot 5's disk lost and a fresh host in its place; then, if {@code twice}, slot 2 down again. */
    private static FailureTrace trace(boolean twice) {
        List<Event> events = new ArrayList<>(List.of(
                new Event(Duration.ofHours(1), 2, Kind.DOWN),
                new Event(Duration.ofHours(2), 5, Kind.DISK_LOST),
                new Event(Duration.ofHours(3), 5, Kind.UP),
                new Event(Duration.ofHours(5), 2, Kind.UP)));
        if (twice) {
            events.add(new Event(Duration.ofHours(8), 2, Kind.DOWN));
            events.add(new Event(Duration.ofHours(11), 2, Kind.UP));
        }
        return new FailureTrace(SHAPE, 4, events);
    }

    @Test
    void bothPoliciesRepairADiskLossToKAndLoseNothing() throws Exception {
        for (Repair policy : Repair.values()) {
            TraceReplay.Outcome o = TraceReplay.run(trace(false), policy, SETUP);
            assertEquals(0, o.lost(), policy + " lost blocks");
            assertTrue(o.fewestCopies() >= 3, policy + ": a block ended with " + o.fewestCopies() + " copies");
            assertEquals(1, o.transientFailures());
            assertEquals(1, o.diskLosses());
            assertEquals(0, o.restartsRefused());
            assertTrue(o.copies() > 0, policy + " copied nothing after a disk loss");
            assertEquals(15L * SETUP.blocks(), o.probes(), "a probe an hour from 0 h to 14 h");
        }
    }

    @Test
    void aSecondFailureOfTheSameHostCostsCarboniteNoCopyButExactAnotherRound() throws Exception {
        TraceReplay.Outcome carboniteOnce = TraceReplay.run(trace(false), Repair.CARBONITE, SETUP);
        TraceReplay.Outcome carboniteTwice = TraceReplay.run(trace(true), Repair.CARBONITE, SETUP);
        assertEquals(carboniteOnce.copies(), carboniteTwice.copies(),
                "the copies made for the first failure still stand in for the host");
        assertTrue(carboniteTwice.copiesPerBlock() > 3, "extra copies were kept: " + carboniteTwice.copiesPerBlock());
        TraceReplay.Outcome exactOnce = TraceReplay.run(trace(false), Repair.EXACT, SETUP);
        TraceReplay.Outcome exactTwice = TraceReplay.run(trace(true), Repair.EXACT, SETUP);
        assertTrue(exactTwice.copies() > exactOnce.copies(), "EXACT copied " + exactOnce.copies() + " then "
                + exactTwice.copies() + " with a second failure");
        assertEquals(0, carboniteTwice.lost() + exactTwice.lost());
    }
}
