package org.cfs.cluster;

import org.HdrHistogram.Histogram;

/** Outcome of a batch of lookups: correctness against the oracle, hops and timeouts. */
public final class LookupBatch {
    /**
     * Hops of the lookups that finished. Three significant digits keep every count below 2048
     * exact, far more hops than any ring takes.
     */
    private final Histogram hops = new Histogram(3);
    private int correct;
    private int failed;
    private long timeouts;
    private String firstFailure;

    public void finished(org.cfs.chord.LookupResult r, boolean right) {
        finished(r, right, "a lookup returned a wrong owner");
    }

    /** As {@link #finished(org.cfs.chord.LookupResult, boolean)}; {@code wrong} says what, if it was wrong. */
    public void finished(org.cfs.chord.LookupResult r, boolean right, String wrong) {
        hops.recordValue(r.hops());
        timeouts += r.timeouts();
        if (right) {
            correct++;
        } else if (firstFailure == null) {
            firstFailure = wrong;
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
        return (int) hops.getTotalCount() + failed;
    }

    public int correct() {
        return correct;
    }

    public int failed() {
        return failed;
    }

    /** Why the first lookup that failed or returned a wrong owner did so; null if none. */
    public String firstFailure() {
        return firstFailure;
    }

    public double correctFraction() {
        return count() == 0 ? 0 : (double) correct / count();
    }

    public double meanHops() {
        return hops.getMean();
    }

    public double meanTimeouts() {
        return count() == 0 ? 0 : (double) timeouts / count();
    }

    /**
     * The p-th percentile (0..100) of hops over the lookups that finished: the least count that
     * at least p% of them took (so 100 is the most); 0 when none finished.
     */
    public int hopsPercentile(double p) {
        return (int) hops.getValueAtPercentile(p);
    }
}
