package org.cfs.chord;

/**
 * The round-trip times a host measured to its peers, as a moving average per peer, fed by every
 * answered request (Chord's and the layers' above). Proximity neighbour selection picks fingers
 * by it and DHash orders replicas by it.
 *
 * <p>Bounded: a direct-mapped table of {@link #SLOTS} peers, where a peer whose slot another took
 * is simply measured again. Thread-safe; requests complete on transport threads.
 */
public final class RoundTrips {
    /** How many peers are remembered at most; a power of two. */
    static final int SLOTS = 256;
    /** Weight of a new sample in the moving average. */
    static final double WEIGHT = 0.25;

    private Endpoint[] peers;
    private float[] millis;

    /** Folds a measured round trip to {@code peer} into its average. */
    public synchronized void record(Endpoint peer, long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("a round trip of " + nanos + " ns to " + peer + " is negative");
        }
        if (peers == null) {
            peers = new Endpoint[SLOTS];
            millis = new float[SLOTS];
        }
        int slot = slot(peer);
        float sample = (float) (nanos / 1e6);
        if (peer.equals(peers[slot])) {
            millis[slot] += (float) (WEIGHT * (sample - millis[slot]));
        } else {
            peers[slot] = peer;
            millis[slot] = sample;
        }
    }

    /** The average round trip to {@code peer} in nanoseconds, or -1 if it is not known. */
    public synchronized long nanos(Endpoint peer) {
        if (peers == null) {
            return -1;
        }
        int slot = slot(peer);
        return peer.equals(peers[slot]) ? (long) (millis[slot] * 1e6) : -1;
    }

    private static int slot(Endpoint peer) {
        int h = peer.hashCode() * 0x9E3779B9;
        return (h ^ (h >>> 16)) & (SLOTS - 1);
    }
}
