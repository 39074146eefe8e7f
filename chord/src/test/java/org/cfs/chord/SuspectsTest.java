package org.cfs.chord;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.cfs.chord.sim.SimNetwork;
import org.junit.jupiter.api.Test;

class SuspectsTest {
    private final SimNetwork network = new SimNetwork(1, Duration.ofMillis(1), Duration.ofMillis(2));
    private final Scheduler scheduler = network.scheduler(new Endpoint("10.0.0.1", 4000));

    @Test
    void aSuspectIsRememberedForItsMemoryThenForgotten() {
        Suspects suspects = new Suspects(scheduler);
        Id liar = Id.ofNode("10.0.0.9", 0);
        assertFalse(suspects.contains(liar));
        suspects.mark(liar);
        assertTrue(suspects.contains(liar));
        assertFalse(suspects.contains(Id.ofNode("10.0.0.8", 0)));
        network.clock().runFor(Suspects.MEMORY.minusSeconds(1));
        assertTrue(suspects.contains(liar));
        network.clock().runFor(Duration.ofSeconds(2));
        assertFalse(suspects.contains(liar));
    }

    @Test
    void pastItsBoundNewSuspectsWaitForOldOnesToExpire() {
        Suspects suspects = new Suspects(scheduler);
        for (int i = 0; i < Suspects.MAX; i++) {
            suspects.mark(Id.ofNode("10.1.0.1", i));
        }
        Id late = Id.ofNode("10.2.0.1", 0);
        suspects.mark(late);
        assertFalse(suspects.contains(late), "a full memory does not grow");
        network.clock().runFor(Suspects.MEMORY.plusSeconds(1));
        suspects.mark(late);
        assertTrue(suspects.contains(late), "expired entries make room");
    }
}
