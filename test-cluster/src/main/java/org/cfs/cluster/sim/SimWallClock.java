package org.cfs.cluster.sim;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.cfs.chord.sim.SimClock;

/** Wall-clock time for simulated hosts (block expiry): a fixed epoch plus the virtual time elapsed. */
public final class SimWallClock extends Clock {
    private final SimClock clock;
    private final Instant epoch;

    public SimWallClock(SimClock clock, Instant epoch) {
        this.clock = clock;
        this.epoch = epoch;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return epoch.plusNanos(clock.nanoTime());
    }
}
