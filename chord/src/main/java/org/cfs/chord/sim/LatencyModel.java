package org.cfs.chord.sim;

import java.util.SplittableRandom;
import org.cfs.chord.Endpoint;

/**
 * How long a message takes between two simulated hosts. A host is given one {@code long} of
 * placement when the network first meets it, from its address or the network's seeded randomness; the delay
 * of a link is computed from the two placements each time, so nothing is stored per pair and a
 * run repeats exactly for a given seed. {@link SimNetwork} adds up to 10% jitter to each message.
 */
public interface LatencyModel {
    /** A new host's placement, chosen once; what it means is up to the model. */
    long place(Endpoint host, SplittableRandom random);

    /** Mean one-way delay in nanoseconds of a message between hosts placed at {@code a} and {@code b}. */
    long oneWayNanos(long a, long b);
}
