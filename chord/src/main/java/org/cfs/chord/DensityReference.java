package org.cfs.chord;

import java.util.Arrays;

/**
 * The ring's id density as one host sees it, for secure routing's test ({@link IdDensity}): the
 * median of the mean gaps of its own successor list and of the last {@link #SAMPLES} successor
 * lists its lookups received and admitted.
 *
 * <p>Why not the own list alone: its 16 gaps make its mean vary by a quarter either way, and a
 * region of the ring that is sparse by chance stays sparse. Against it about one honest list in
 * 40 failed the test, the same lists on every retry, so a lookup for a key there went round all
 * five routes and walked back node by node ({@code ./lab paths}: p99 26 hops at N = 1,024 against
 * 7 with the test off). Against a thousand gaps an honest list fails with probability about
 * 0.07% and a list of colluders four times sparser (F = 0.25) passes with about 0.8%, against
 * 2.5% and 2.5% before (the tail of a Gamma(16) variable). The median, not the mean, so that the
 * few colluders' lists that pass, sparser than honest ones, cannot drag the reference towards
 * letting more of them pass.
 *
 * <p>A new host (a joining one too) has no samples: its first lookup's reference is its own list,
 * or a client's seed's, alone. Its lookups therefore ask again after each list they admit while
 * the samples are filling ({@link #sample} says when): with the seed's 16 gaps alone a wave of
 * joins a quarter of the ring left its last joins walking back over five routes.
 *
 * <p>Thread-safe: a host's lookups and its clients' may run on different threads.
 */
final class DensityReference {
    static final int SAMPLES = 63;

    private final double[] gaps = new double[SAMPLES];
    private int count;
    private int next;

    /**
     * The mean gap of an admitted list of at least {@link IdDensity#MIN_REFERENCE} nodes; true
     * while the host has fewer than {@link #SAMPLES} lists, when each one moves the median enough
     * that a lookup under way should ask for its reference again.
     */
    synchronized boolean sample(double meanGap) {
        boolean filling = count < SAMPLES;
        gaps[next] = meanGap;
        next = (next + 1) % SAMPLES;
        count = Math.min(count + 1, SAMPLES);
        return filling;
    }

    /** The reference for a lookup whose own list gives {@code own}; null (too short to tell) stays null. */
    synchronized IdDensity reference(IdDensity own) {
        if (own == null || count == 0) {
            return own;
        }
        double[] all = Arrays.copyOf(gaps, count + 1);
        all[count] = own.meanGap();
        Arrays.sort(all);
        int mid = all.length / 2;
        double median = all.length % 2 == 1 ? all[mid] : (all[mid - 1] + all[mid]) / 2;
        return new IdDensity(median);
    }
}
