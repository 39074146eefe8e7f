package org.cfs.chord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RoundTripsTest {
    private static Endpoint peer(int i) {
        return new Endpoint("10.1." + (i >>> 8 & 0xff) + "." + (i & 0xff), 4000);
    }

    @Test
    void aPeersAverageMovesAQuarterOfTheWayToEachNewSample() {
        RoundTrips rtt = new RoundTrips();
        assertEquals(-1, rtt.nanos(peer(1)));
        rtt.record(peer(1), 100_000_000);
        assertEquals(100_000_000, rtt.nanos(peer(1)), 1_000);
        rtt.record(peer(1), 200_000_000);
        assertEquals(125_000_000, rtt.nanos(peer(1)), 1_000);
        assertEquals(-1, rtt.nanos(peer(2)));
    }

    @Test
    void itRemembersAtMostItsSlotsAndLatestPeersWin() {
        RoundTrips rtt = new RoundTrips();
        int peers = 4 * RoundTrips.SLOTS;
        for (int i = 0; i < peers; i++) {
            rtt.record(peer(i), 1_000_000L * (i + 1));
        }
        int known = 0;
        for (int i = 0; i < peers; i++) {
            long n = rtt.nanos(peer(i));
            if (n >= 0) {
                known++;
                assertEquals(1_000_000L * (i + 1), n, 1_000, "peer " + i + " has another peer's time");
            }
        }
        int finalKnown = known;
        assertTrue(known <= RoundTrips.SLOTS && known > RoundTrips.SLOTS / 2, () -> finalKnown + " peers known");
    }

    @Test
    void aNegativeRoundTripIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> new RoundTrips().record(peer(1), -5));
        assertTrue(e.getMessage().contains("-5"), e.getMessage());
    }
}
