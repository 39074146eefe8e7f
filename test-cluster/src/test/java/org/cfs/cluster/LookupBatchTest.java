package org.cfs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.LookupResult;
import org.cfs.chord.NodeRef;
import org.junit.jupiter.api.Test;

class LookupBatchTest {
    private static final NodeRef OWNER = NodeRef.of(new Endpoint("127.0.0.1", 7000), 0);

    private static LookupResult took(int hops) {
        return new LookupResult(Id.ZERO, OWNER, List.of(OWNER), hops, 0, Duration.ZERO, List.of(), null);
    }

    @Test
    void percentilesAreTheLeastHopCountThatEnoughLookupsTook() {
        LookupBatch batch = new LookupBatch();
        // 1..100 hops, each once, in an order that is not sorted.
        for (int i = 0; i < 100; i++) {
            batch.finished(took(1 + (i * 37) % 100), true);
        }
        batch.failed(2, "timed out");
        assertEquals(1, batch.hopsPercentile(1));
        assertEquals(50, batch.hopsPercentile(50));
        assertEquals(51, batch.hopsPercentile(50.5));
        assertEquals(99, batch.hopsPercentile(99));
        assertEquals(100, batch.hopsPercentile(100));
        assertEquals(50.5, batch.meanHops(), 1e-9);
        assertEquals(101, batch.count());
        assertEquals(100, batch.correct());
        assertEquals(2.0 / 101, batch.meanTimeouts(), 1e-12);
    }

    @Test
    void skewedHopsGiveTheTailNotTheMean() {
        LookupBatch batch = new LookupBatch();
        for (int i = 0; i < 990; i++) {
            batch.finished(took(3), true);
        }
        for (int i = 0; i < 10; i++) {
            batch.finished(took(40), false);
        }
        assertEquals(3, batch.hopsPercentile(50));
        assertEquals(3, batch.hopsPercentile(99));
        assertEquals(40, batch.hopsPercentile(99.1));
        assertEquals(40, batch.hopsPercentile(100));
    }

    @Test
    void aBatchWhereNothingFinishedHasZeroHops() {
        LookupBatch batch = new LookupBatch();
        batch.failed(1, "no route");
        assertEquals(0, batch.hopsPercentile(50));
        assertEquals(0, batch.meanHops());
        assertEquals("no route", batch.firstFailure());
    }
}
