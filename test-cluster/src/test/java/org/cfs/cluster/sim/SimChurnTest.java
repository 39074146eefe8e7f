package org.cfs.cluster.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import org.cfs.chord.ChordConfig;
import org.junit.jupiter.api.Test;

/** Churn on the simulator: a seeded Poisson schedule, and lookups judged against the ring of the moment. */
class SimChurnTest {
    private static final int NODES = 32;
    private static final double RATE = 0.2;
    private static final double LOOKUP_RATE = 5;
    private static final Duration WARMUP = Duration.ofSeconds(30);
    private static final Duration MEASURED = Duration.ofMinutes(5);
    private static final Duration DRAIN = Duration.ofSeconds(5);

    @Test
    void poissonGapsRepeatForASeedAndAverageOneOverTheRate() {
        PoissonProcess a = new PoissonProcess(0.4, new SplittableRandom(9));
        PoissonProcess b = new PoissonProcess(0.4, new SplittableRandom(9));
        double sum = 0;
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            Duration gap = a.nextGap();
            assertEquals(gap, b.nextGap());
            assertTrue(!gap.isNegative() && !gap.isZero(), "gap " + gap);
            sum += gap.toNanos() / 1e9;
        }
        // The mean of 10^5 exponential gaps has a standard error of 0.3% of the mean.
        assertEquals(2.5, sum / n, 0.05);
    }

    @Test
    void aRateThatIsNotPositiveIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PoissonProcess(0, new SplittableRandom(1)));
        assertTrue(e.getMessage().contains("got 0.0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PoissonProcess(Double.NaN, new SplittableRandom(1)));
    }

    @Test
    void churnOnASmallRingKeepsLookupsRightAndCountsEveryOne() {
        ChurnRun run = churn(4, SimRing.simConfig(8), null);
        // Poisson counts: mean 1,500 lookups (sd 39) and 66 of each churn event (sd 8), with 6 sd of room.
        assertTrue(run.issued() > 1_260 && run.issued() < 1_740, "lookups issued: " + run.issued());
        assertTrue(run.joins() > 18 && run.joins() < 114, "joins: " + run.joins());
        assertTrue(run.crashes() > 18 && run.crashes() < 114, "crashes: " + run.crashes());
        assertEquals(run.judged(), run.right() + run.wrong() + run.failed());
        assertEquals(run.answered(), run.hops().getTotalCount());
        assertEquals(NODES, run.nodesBefore());
        assertEquals(NODES + run.joined() - run.crashes(), run.nodesAfter());
        assertTrue(run.joined() + run.failedJoins() <= run.joins());
        assertTrue(run.notRightFraction() <= 0.01, () -> "not right: " + run.notRightFraction() + "; first failure: "
                + run.firstFailure() + "; first wrong: " + run.firstWrong());
    }

    @Test
    void theSameSeedGivesTheSameRun() {
        ChurnRun a = churn(6, SimRing.simConfig(8), null);
        ChurnRun b = churn(6, SimRing.simConfig(8), null);
        assertEquals(a.issued(), b.issued());
        assertEquals(a.joins(), b.joins());
        assertEquals(a.crashes(), b.crashes());
        assertEquals(a.failed(), b.failed());
        assertEquals(a.wrong(), b.wrong());
        assertEquals(a.latencyMicros().getMean(), b.latencyMicros().getMean());
        assertEquals(a.hops().getMean(), b.hops().getMean());
    }

    @Test
    void ownersThatLiarsNameAreJudgedWrong() {
        ChurnRun run = churn(5, SimRing.simConfig(8).withSecureRouting(false), Adversary.Behaviour.LIE_OWNER);
        assertTrue(run.wrongFraction() > 0.1, () -> "only " + run.wrong() + " of " + run.judged()
                + " lookups were judged wrong among liars");
        assertTrue(run.firstWrong().contains("the owner is"), run.firstWrong());
    }

    @Test
    void aRunRunsOnce() {
        SimRing ring = new SimRing(2, SimRing.simConfig(4));
        ring.growSequentially(4, 1);
        SimChurn churn = new SimChurn(ring, 0.5, 1, 2);
        churn.run(Duration.ZERO, Duration.ofSeconds(10), Duration.ZERO);
        assertThrows(IllegalStateException.class,
                () -> churn.run(Duration.ZERO, Duration.ofSeconds(10), Duration.ZERO));
    }

    /** A ring of {@link #NODES} stabilized, a quarter of it lying if {@code lie} is set, then churned. */
    private static ChurnRun churn(long seed, ChordConfig config, Adversary.Behaviour lie) {
        SimRing ring = new SimRing(seed, config);
        ring.growInWaves(NODES, 8, Duration.ofSeconds(5));
        assertTrue(ring.stabilize(Duration.ofMinutes(5), Duration.ofSeconds(1)).isPresent(),
                () -> "ring did not converge: " + ring.mismatches());
        ring.advance(Duration.ofSeconds(30));
        if (lie != null) {
            Adversary.corrupt(ring, 0.25, lie, new SplittableRandom(seed));
        }
        return new SimChurn(ring, RATE, LOOKUP_RATE, seed).run(WARMUP, MEASURED, DRAIN);
    }
}
