package org.cfs.chord.sim;

import java.util.SplittableRandom;
import org.cfs.chord.Endpoint;

/**
 * An Internet-like latency model: hosts sit in a few regions (continents) on a plane measured in
 * milliseconds of round-trip time, and the round trip of a link is the distance between its two
 * hosts plus each host's access delay (its last mile). Distances are Euclidean and access delays
 * add per host, so round trips obey the triangle inequality.
 *
 * <p>The region centres are the corners of a regular polygon of circumradius {@code spreadMs}; a
 * host falls in one of the regions with equal chance, at a uniform point of a disc of radius
 * {@code regionRadiusMs} round its centre, and has an access delay uniform in
 * {@code [minAccessMs, maxAccessMs]}. So a link within a region has a round trip in
 * {@code [2 minAccess, 2 regionRadius + 2 maxAccess]}, and one between regions whose centres are
 * D apart lies within {@code 2 regionRadius + 2 maxAccess} of D. Everything about a host is
 * derived from its one {@code long} of placement, so a link's delay is computed, not stored.
 *
 * @param seed which placement of hosts: a host's place is a hash of this and its address, so it
 *     is the same whatever the traffic, and runs that differ only in protocol settings compare
 * @param regions how many regions, 1..64
 * @param spreadMs distance from the middle of the plane to each region centre
 * @param regionRadiusMs radius of each region's disc
 * @param minAccessMs least access delay of a host (its share of every round trip)
 * @param maxAccessMs most access delay of a host
 */
public record RegionLatency(long seed, int regions, double spreadMs, double regionRadiusMs, double minAccessMs,
                            double maxAccessMs) implements LatencyModel {
    private static final long NANOS_PER_MS = 1_000_000L;

    public RegionLatency {
        if (regions < 1 || regions > 64) {
            throw new IllegalArgumentException("regions is " + regions + ", must be in 1..64");
        }
        if (!(spreadMs >= 0) || !(regionRadiusMs >= 0) || !(minAccessMs >= 0) || !(maxAccessMs >= minAccessMs)) {
            throw new IllegalArgumentException("region latency needs spread, radius and 0 <= minAccess <= maxAccess,"
                    + " got spread " + spreadMs + " ms, radius " + regionRadiusMs + " ms, access "
                    + minAccessMs + ".." + maxAccessMs + " ms");
        }
    }

    /**
     * Five regions 100 ms from the middle (neighbouring centres 118 ms apart, the farthest 190 ms),
     * 40 ms in radius, access 2.5 to 10 ms: round trips of 5 to 100 ms within a region and of
     * about 40 to 290 ms between regions.
     */
    public static RegionLatency internet(long seed) {
        return new RegionLatency(seed, 5, 100, 40, 2.5, 10);
    }

    @Override
    public long place(Endpoint host, SplittableRandom random) {
        return mix(seed ^ host.host().hashCode() * 0x100000001B3L ^ host.port(), 0);
    }

    @Override
    public long oneWayNanos(long a, long b) {
        return (long) (roundTripMs(a, b) * NANOS_PER_MS / 2);
    }

    /** The round trip in milliseconds between hosts placed at {@code a} and {@code b}, without jitter. */
    public double roundTripMs(long a, long b) {
        double dx = x(a) - x(b);
        double dy = y(a) - y(b);
        return Math.sqrt(dx * dx + dy * dy) + access(a) + access(b);
    }

    /** The region of a host placed at {@code p}, in {@code [0, regions)}. */
    public int region(long p) {
        return (int) Long.remainderUnsigned(mix(p, 1), regions);
    }

    private double x(long p) {
        return spreadMs * Math.cos(angle(p)) + offset(p) * Math.cos(offsetAngle(p));
    }

    private double y(long p) {
        return spreadMs * Math.sin(angle(p)) + offset(p) * Math.sin(offsetAngle(p));
    }

    private double angle(long p) {
        return 2 * Math.PI * region(p) / regions;
    }

    /** Distance from the region centre: radius times the root of a uniform, which is uniform over the disc. */
    private double offset(long p) {
        return regionRadiusMs * Math.sqrt(unit(p, 2));
    }

    private double offsetAngle(long p) {
        return 2 * Math.PI * unit(p, 3);
    }

    private double access(long p) {
        return minAccessMs + (maxAccessMs - minAccessMs) * unit(p, 4);
    }

    /** A uniform double in [0, 1) derived from the placement, one independent stream per {@code salt}. */
    private static double unit(long p, int salt) {
        return (mix(p, salt) >>> 11) * 0x1.0p-53;
    }

    /** SplitMix64's finalizer over the placement and a salt. */
    private static long mix(long p, int salt) {
        long z = p + salt * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
