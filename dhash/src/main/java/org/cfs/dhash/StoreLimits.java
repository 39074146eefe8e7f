package org.cfs.dhash;

import org.cfs.chord.ByteSize;

/**
 * How much a {@link BlockStore} may hold, and how much of that one remote host may fill, so that
 * no single publisher can take a node's whole disk (CFS's per-IP quota).
 *
 * @param capacity the most block bytes the store holds
 * @param perSourceFraction the share of the capacity one source may use, in (0, 1]
 */
public record StoreLimits(ByteSize capacity, double perSourceFraction) {
    public static final ByteSize DEFAULT_CAPACITY = ByteSize.ofGiB(10);
    public static final double DEFAULT_PER_SOURCE_FRACTION = 0.1;

    public StoreLimits {
        if (capacity == null || capacity.bytes() == 0) {
            throw new IllegalArgumentException("store capacity must be positive, got " + capacity);
        }
        if (!(perSourceFraction > 0 && perSourceFraction <= 1)) {
            throw new IllegalArgumentException(
                    "the per-source share of the capacity must be in (0, 1], got " + perSourceFraction);
        }
    }

    /** 10 GiB, of which one source may use a tenth. */
    public static StoreLimits defaults() {
        return new StoreLimits(DEFAULT_CAPACITY, DEFAULT_PER_SOURCE_FRACTION);
    }

    /** The most bytes one source may have stored: the fraction of the capacity, rounded down. */
    public ByteSize quota() {
        return ByteSize.of((long) (perSourceFraction * capacity.bytes()));
    }
}
