package org.cfs.cluster;

import java.util.Arrays;

/** Outcome of a batch of lookups: correctness against the oracle, hops and timeouts. */
public final class LookupBatch {
    private final int[] hops;
    private int finished;
    private int correct;
    private int failed;
    private long timeouts;
    private String firstFailure;

    public LookupBatch(int count) {
        this.hops = new int[count];
    }

    public void finished(org.cfs.chord.LookupResult r, boolean right) {
        hops[finished++] = r.hops();
        timeouts += r.timeouts();
        if (right) {
            correct++;
        }
    }

    public void failed(int lookupTimeouts, String why) {
        failed++;
        timeouts += lookupTimeouts;
        if (firstFailure == null) {
            firstFailure = why;
        }
    }

    public int count() {
        return finished + failed;
    }

    public int correct() {
        return correct;
    }

    public int failed() {
        return failed;
    }

    public String firstFailure() {
        return firstFailure;
    }

    public double correctFraction() {
        return count() == 0 ? 0 : (double) correct / count();
    }

    public double meanHops() {
        return finished == 0 ? 0 : Arrays.stream(hops, 0, finished).average().orElse(0);
    }

    public double meanTimeouts() {
        return count() == 0 ? 0 : (double) timeouts / count();
    }

    /** The p-th percentile (0..100) of hops over the lookups that finished. */
    public int hopsPercentile(double p) {
        if (finished == 0) {
            return 0;
        }
        int[] sorted = Arrays.copyOf(hops, finished);
        Arrays.sort(sorted);
        int idx = (int) Math.ceil(p / 100.0 * finished) - 1;
        return sorted[Math.max(0, Math.min(finished - 1, idx))];
    }
}
