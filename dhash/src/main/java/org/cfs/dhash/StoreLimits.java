package org.cfs.dhash;

import java.time.Duration;
import org.cfs.chord.ByteSize;

/**
 * How much a {@link BlockStore} may hold, how much of that one remote host may fill, so that no
 * single publisher can take a node's whole disk (CFS's per-IP quota), and how long a content block
 * is kept for certain after it was last stored or refreshed (CFS's agreed-upon storage interval).
 *
 * @param capacity the most block bytes the store holds
 * @param perSourceFraction the share of the capacity one source may use, in (0, 1]
 * @param lease how long after its last store or refresh a content block is kept for certain; after
 *     that it may be collected when space is needed (see {@link BlockStore})
 */
public record StoreLimits(ByteSize capacity, double perSourceFraction, Duration lease) {
    public static final ByteSize DEFAULT_CAPACITY = ByteSize.ofGiB(10);
    public static final double DEFAULT_PER_SOURCE_FRACTION = 0.1;
    public static final Duration DEFAULT_LEASE = Duration.ofDays(30);

    public StoreLimits {
        if (capacity == null || capacity.bytes() == 0) {
            throw new IllegalArgumentException("store capacity must be positive, got " + capacity);
        }
        if (!(perSourceFraction > 0 && perSourceFraction <= 1)) {
            throw new IllegalArgumentException(
                    "the per-source share of the capacity must be in (0, 1], got " + perSourceFraction);
        }
        if (lease == null || lease.toMillis() < 1) {
            throw new IllegalArgumentException("the block lease must be at least 1 ms, got " + lease);
        }
    }

    /** The given capacity and share, with the {@link #DEFAULT_LEASE default lease} of 30 days. */
    public StoreLimits(ByteSize capacity, double perSourceFraction) {
        this(capacity, perSourceFraction, DEFAULT_LEASE);
    }

    /** 10 GiB, of which one source may use a tenth; blocks leased for 30 days. */
    public static StoreLimits defaults() {
        return new StoreLimits(DEFAULT_CAPACITY, DEFAULT_PER_SOURCE_FRACTION, DEFAULT_LEASE);
    }

    public StoreLimits withLease(Duration newLease) {
        return new StoreLimits(capacity, perSourceFraction, newLease);
    }

    /** The most bytes one source may have stored: the fraction of the capacity, rounded down. */
    public ByteSize quota() {
        return ByteSize.of((long) (perSourceFraction * capacity.bytes()));
    }
}
