package org.cfs.cluster.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LinkDelaysTest {
    private static final List<String> HOSTS = hosts(20);

    private static List<String> hosts(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add("10.77.9." + i);
        }
        return out;
    }

    private static LinkDelays model(long seed) {
        return new LinkDelays(HOSTS, seed, Duration.ofMillis(10), Duration.ofMillis(80), Duration.ofMillis(2), 0.05);
    }

    @Test
    void everyLinkIsWithinTheRangeTheSameBothWaysAndSeeded() {
        LinkDelays a = model(7);
        LinkDelays b = model(7);
        boolean differs = false;
        for (String x : HOSTS) {
            for (String y : HOSTS) {
                if (x.equals(y)) {
                    assertEquals(Duration.ZERO, a.base(x, y));
                    continue;
                }
                Duration d = a.base(x, y);
                assertTrue(d.compareTo(Duration.ofMillis(10)) >= 0 && d.compareTo(Duration.ofMillis(80)) <= 0, x + "-" + y + ": " + d);
                assertEquals(d, a.base(y, x), "symmetric");
                assertEquals(d, b.base(x, y), "same seed, same link");
                differs |= !d.equals(model(8).base(x, y));
            }
        }
        assertTrue(differs, "another seed draws other links");
    }

    @Test
    void jitterStaysWithinItsBoundAndUnknownHostsAreNotDelayed() {
        LinkDelays m = model(1);
        SplittableRandom random = new SplittableRandom(3);
        long base = m.base(HOSTS.get(0), HOSTS.get(1)).toNanos();
        long lowest = Long.MAX_VALUE;
        long highest = Long.MIN_VALUE;
        for (int i = 0; i < 1000; i++) {
            long d = m.sampleNanos(HOSTS.get(0), HOSTS.get(1), random);
            lowest = Math.min(lowest, d);
            highest = Math.max(highest, d);
        }
        assertTrue(lowest >= base - Duration.ofMillis(2).toNanos() && highest <= base + Duration.ofMillis(2).toNanos());
        assertNotEquals(lowest, highest, "messages vary");
        assertEquals(0, m.sampleNanos(HOSTS.get(0), "127.0.0.1", random));
        assertFalse(m.lost("127.0.0.1", HOSTS.get(0), random));
    }

    @Test
    void lossIsAboutItsRate() {
        LinkDelays m = model(1);
        SplittableRandom random = new SplittableRandom(5);
        int lost = 0;
        for (int i = 0; i < 10_000; i++) {
            lost += m.lost(HOSTS.get(2), HOSTS.get(3), random) ? 1 : 0;
        }
        assertTrue(lost > 400 && lost < 600, lost + " of 10000 lost at 5%");
    }

    @Test
    void specRoundTrips() {
        LinkDelays m = model(42);
        LinkDelays back = LinkDelays.parse(m.spec());
        assertEquals(m.spec(), back.spec());
        assertEquals(m.base(HOSTS.get(4), HOSTS.get(9)), back.base(HOSTS.get(4), HOSTS.get(9)));
    }

    @Test
    void badSpecsAreNamed() {
        String good = model(1).spec();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LinkDelays.parse(good.replace("loss=0.05", "loss=1.5")))
                .getMessage().contains("loss 1.5"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LinkDelays.parse(good.replace(";jitter-ms=2", "")))
                .getMessage().contains("needs exactly"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LinkDelays.parse(good + ";seed=2"))
                .getMessage().contains("seed is given twice"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LinkDelays.parse(good.replace("min-ms=10", "min-ms=x")))
                .getMessage().contains("link model"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LinkDelays.parse(good.replace("max-ms=80", "max-ms=5")))
                .getMessage().contains("need 0 <= min <= max"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LinkDelays.parse(good + ",10.77.9.1"))
                .getMessage().contains("listed twice"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LinkDelays.parse("seed"))
                .getMessage().contains("not KEY=VALUE"));
    }
}
