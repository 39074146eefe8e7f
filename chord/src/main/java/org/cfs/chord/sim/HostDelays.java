package org.cfs.chord.sim;

import java.time.Duration;
import java.util.SplittableRandom;
import org.cfs.chord.Endpoint;

/**
 * The simulator's first model, and its default: each host has a base delay drawn once from
 * {@code [min, max]} (from the network's randomness, in the order hosts appear), and a link's
 * one-way delay is the mean of its two hosts'. Links differ but
 * have no geography: a host that is near one peer is near every peer.
 */
public record HostDelays(Duration min, Duration max) implements LatencyModel {
    public HostDelays {
        if (min.isNegative() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("host delays need 0 <= min <= max, got " + min + " and " + max);
        }
    }

    @Override
    public long place(Endpoint host, SplittableRandom random) {
        return min.toNanos() + (long) (random.nextDouble() * (max.toNanos() - min.toNanos()));
    }

    @Override
    public long oneWayNanos(long a, long b) {
        return (a + b) / 2;
    }
}
