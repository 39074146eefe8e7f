package org.cfs.cluster.sim;

import java.time.Duration;
import java.util.SplittableRandom;

/**
 * Arrivals of a Poisson process of a given rate: the gaps between them are independent and
 * exponentially distributed with mean 1 / rate. Seeded, so the same seed gives the same arrivals.
 */
public final class PoissonProcess {
    private final double ratePerSecond;
    private final SplittableRandom random;

    public PoissonProcess(double ratePerSecond, SplittableRandom random) {
        if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("a Poisson process needs a positive finite rate, got " + ratePerSecond
                    + " per second");
        }
        this.ratePerSecond = ratePerSecond;
        this.random = random;
    }

    public double ratePerSecond() {
        return ratePerSecond;
    }

    /** Time from one arrival to the next, at nanosecond resolution. */
    public Duration nextGap() {
        // 1 - U lies in (0, 1], so the logarithm is finite.
        double seconds = -Math.log(1 - random.nextDouble()) / ratePerSecond;
        return Duration.ofNanos(Math.max(1, Math.round(seconds * 1e9)));
    }
}
