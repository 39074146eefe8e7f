package org.cfs.chord.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Transport;
import org.cfs.chord.wire.ChordMessages.Ack;
import org.cfs.chord.wire.ChordMessages.Ping;
import org.cfs.chord.wire.Message;
import org.junit.jupiter.api.Test;

/** The simulator's latency models: repeatable, metric, within the ranges their documents give. */
class LatencyModelTest {
    private static final RegionLatency INTERNET = RegionLatency.internet(7);
    private static final int HOSTS = 2000;

    private static List<Long> places(RegionLatency model) {
        List<Long> out = new ArrayList<>(HOSTS);
        SplittableRandom unused = new SplittableRandom(1);
        for (int i = 0; i < HOSTS; i++) {
            out.add(model.place(endpoint(i), unused));
        }
        return out;
    }

    private static Endpoint endpoint(int i) {
        return new Endpoint("10." + (i >>> 16 & 0xff) + "." + (i >>> 8 & 0xff) + "." + (i & 0xff), 4000);
    }

    @Test
    void aHostsPlaceDependsOnTheSeedAndItsAddressOnly() {
        assertEquals(places(INTERNET), places(RegionLatency.internet(7)));
        assertEquals(INTERNET.place(endpoint(3), new SplittableRandom(1)),
                INTERNET.place(endpoint(3), new SplittableRandom(2)));
        List<Long> other = places(RegionLatency.internet(8));
        List<Long> these = places(INTERNET);
        int same = 0;
        for (int i = 0; i < HOSTS; i++) {
            same += other.get(i).equals(these.get(i)) ? 1 : 0;
        }
        assertEquals(0, same, "another seed places hosts elsewhere");
    }

    @Test
    void roundTripsObeyTheTriangleInequalityAndAreSymmetric() {
        List<Long> p = places(INTERNET);
        SplittableRandom random = new SplittableRandom(3);
        for (int n = 0; n < 20_000; n++) {
            long a = p.get(random.nextInt(HOSTS));
            long b = p.get(random.nextInt(HOSTS));
            long c = p.get(random.nextInt(HOSTS));
            assertEquals(INTERNET.roundTripMs(a, b), INTERNET.roundTripMs(b, a), 1e-9);
            assertTrue(INTERNET.roundTripMs(a, c) <= INTERNET.roundTripMs(a, b) + INTERNET.roundTripMs(b, c) + 1e-9);
        }
    }

    @Test
    void roundTripsLieInTheDocumentedRangesAndRegionsAreEvenlyFilled() {
        RegionLatency m = INTERNET;
        List<Long> p = places(m);
        int[] perRegion = new int[m.regions()];
        double intraMin = Double.MAX_VALUE;
        double intraMax = 0;
        double interMin = Double.MAX_VALUE;
        double interMax = 0;
        for (int i = 0; i < HOSTS; i++) {
            perRegion[m.region(p.get(i))]++;
            for (int j = i + 1; j < HOSTS; j += 7) {
                double rtt = m.roundTripMs(p.get(i), p.get(j));
                if (m.region(p.get(i)) == m.region(p.get(j))) {
                    intraMin = Math.min(intraMin, rtt);
                    intraMax = Math.max(intraMax, rtt);
                } else {
                    interMin = Math.min(interMin, rtt);
                    interMax = Math.max(interMax, rtt);
                }
            }
        }
        // Within a region: [2 minAccess, 2 radius + 2 maxAccess] = [5, 100] ms, and the sample reaches near both ends.
        assertTrue(intraMin >= 5 && intraMin < 15, "least round trip within a region " + intraMin);
        assertTrue(intraMax <= 100 && intraMax > 80, "most round trip within a region " + intraMax);
        // Between regions: neighbouring centres 117.6 ms apart, the farthest 190.2; about 40 to 290 ms.
        assertTrue(interMin >= 117.6 - 80 + 5 && interMin < 80, "least round trip between regions " + interMin);
        assertTrue(interMax <= 190.3 + 80 + 20 && interMax > 220, "most round trip between regions " + interMax);
        for (int count : perRegion) {
            assertTrue(Math.abs(count - HOSTS / m.regions()) < HOSTS / m.regions() / 5,
                    () -> "hosts per region " + java.util.Arrays.toString(perRegion));
        }
    }

    @Test
    void hostDelaysAverageTheTwoHostsAndStayInTheirRange() {
        HostDelays m = new HostDelays(Duration.ofMillis(5), Duration.ofMillis(50));
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 1000; i++) {
            long a = m.place(endpoint(i), random);
            long b = m.place(endpoint(i + 1), random);
            assertTrue(a >= 5_000_000 && a <= 50_000_000, "base delay " + a);
            assertEquals((a + b) / 2, m.oneWayNanos(a, b));
        }
    }

    @Test
    void badSettingsAreRefusedWithTheValues() {
        var e = assertThrows(IllegalArgumentException.class, () -> new RegionLatency(1, 0, 100, 40, 2.5, 10));
        assertTrue(e.getMessage().contains("regions is 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RegionLatency(1, 5, 100, 40, 10, 2.5));
        assertThrows(IllegalArgumentException.class, () -> new RegionLatency(1, 5, Double.NaN, 40, 2.5, 10));
        assertThrows(IllegalArgumentException.class,
                () -> new HostDelays(Duration.ofMillis(50), Duration.ofMillis(5)));
    }

    @Test
    void aRequestOnTheNetworkTakesTheModelsRoundTripPlusAtMostTenPercent() {
        SimNetwork network = new SimNetwork(11, INTERNET);
        Transport.RequestHandler echo = (from, request) -> CompletableFuture.completedFuture(new Ack());
        Endpoint a = endpoint(1);
        Endpoint b = endpoint(2);
        Transport ta = network.attach(a, echo);
        network.attach(b, echo);
        long rtt = network.roundTrip(a, b).toNanos();
        assertEquals(network.roundTrip(b, a), network.roundTrip(a, b));
        for (int i = 0; i < 50; i++) {
            long start = network.clock().nanoTime();
            CompletableFuture<Message> reply = ta.request(b, new Ping(0), Duration.ofSeconds(5));
            long[] took = new long[1];
            reply.thenRun(() -> took[0] = network.clock().nanoTime() - start);
            network.clock().runFor(Duration.ofSeconds(1));
            assertTrue(reply.isDone() && took[0] >= rtt - 2 && took[0] <= rtt * 1.1 + 2,
                    "round trip " + took[0] + " ns against the model's " + rtt);
        }
        assertNotEquals(0, rtt);
        assertThrows(IllegalArgumentException.class, () -> network.roundTrip(a, endpoint(99)));
    }
}
