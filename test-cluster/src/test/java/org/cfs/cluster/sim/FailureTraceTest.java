package org.cfs.cluster.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The synthetic trace: a function of its seed, well formed per slot, and of the rates it was asked for. */
class FailureTraceTest {
    private static final FailureTrace.Params MONTHS = new FailureTrace.Params(200, Duration.ofDays(1000),
            Duration.ofHours(72), Duration.ofHours(6), Duration.ofDays(365));

    @Test
    void aSeedGivesOneTraceAndAnotherSeedAnother() {
        assertEquals(FailureTrace.generate(MONTHS, 5).events(), FailureTrace.generate(MONTHS, 5).events());
        assertNotEquals(FailureTrace.generate(MONTHS, 5).events(), FailureTrace.generate(MONTHS, 6).events());
    }

    @Test
    void eachSlotGoesDownThenComesBackWithAtMostOneDiskLossBetween() {
        FailureTrace trace = FailureTrace.generate(MONTHS, 1);
        int n = MONTHS.hosts();
        boolean[] up = new boolean[n];
        boolean[] lostWhileDown = new boolean[n];
        Duration[] last = new Duration[n];
        java.util.Arrays.fill(up, true);
        Duration previous = Duration.ZERO;
        for (FailureTrace.Event e : trace.events()) {
            int s = e.slot();
            assertTrue(e.at().compareTo(previous) >= 0, "events in time order");
            assertTrue(e.at().compareTo(MONTHS.length()) < 0, "no event past the end: " + e);
            assertTrue(last[s] == null || e.at().compareTo(last[s]) > 0, "a slot's events strictly later: " + e);
            switch (e.kind()) {
                case DOWN -> assertTrue(up[s], "DOWN of a slot already down: " + e);
                case DISK_LOST -> assertTrue(up[s] || !lostWhileDown[s], "a second disk loss while down: " + e);
                case UP -> assertTrue(!up[s], "UP of a slot already up: " + e);
            }
            lostWhileDown[s] = e.kind() == FailureTrace.Kind.DISK_LOST || !up[s] && lostWhileDown[s];
            up[s] = e.kind() == FailureTrace.Kind.UP;
            if (up[s]) {
                lostWhileDown[s] = false;
            }
            last[s] = e.at();
            previous = e.at();
        }
    }

    @Test
    void downtimeAndDiskLossesFollowTheMeansAskedFor() {
        FailureTrace trace = FailureTrace.generate(MONTHS, 3);
        long[] downSince = new long[MONTHS.hosts()];
        java.util.Arrays.fill(downSince, -1);
        long downMillis = 0;
        for (FailureTrace.Event e : trace.events()) {
            int s = e.slot();
            if (e.kind() == FailureTrace.Kind.UP) {
                downMillis += e.at().toMillis() - downSince[s];
                downSince[s] = -1;
            } else if (downSince[s] < 0) {
                downSince[s] = e.at().toMillis();
            }
        }
        for (long since : downSince) {
            downMillis += since < 0 ? 0 : MONTHS.length().toMillis() - since;
        }
        double downFraction = (double) downMillis / (MONTHS.length().toMillis() * MONTHS.hosts());
        // Down 6 h after each 72 h session, a little more for disk losses: about 6/78.
        assertTrue(downFraction > 0.065 && downFraction < 0.09, "down " + downFraction + " of the time");
        // 200 disks for 1000 days, each lost after 365 days on average (about 545; a disk's clock
        // does not run while its replacement is being set up).
        long losses = trace.count(FailureTrace.Kind.DISK_LOST);
        assertTrue(losses > 450 && losses < 640, losses + " disk losses");
        long transients = trace.count(FailureTrace.Kind.DOWN);
        assertTrue(transients > 59_000 && transients < 63_500, transients + " transient failures");
    }

    @Test
    void shapesThatMakeNoSenseAreRefusedWithTheValue() {
        IllegalArgumentException hosts = assertThrows(IllegalArgumentException.class, () -> new FailureTrace.Params(0,
                Duration.ofDays(1), Duration.ofHours(1), Duration.ofHours(1), Duration.ofDays(1)));
        assertTrue(hosts.getMessage().contains("hosts is 0"), hosts.getMessage());
        IllegalArgumentException session = assertThrows(IllegalArgumentException.class, () -> new FailureTrace.Params(
                10, Duration.ofDays(1), Duration.ZERO, Duration.ofHours(1), Duration.ofDays(1)));
        assertTrue(session.getMessage().contains("meanSession"), session.getMessage());
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class, () -> new FailureTrace.Params(
                10, Duration.ofDays(10_000), Duration.ofSeconds(1), Duration.ofHours(1), Duration.ofDays(1)));
        assertTrue(tooMany.getMessage().contains("too many events"), tooMany.getMessage());
    }
}
