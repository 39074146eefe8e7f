package org.cfs.cluster.sim;

import java.time.Duration;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.cfs.chord.LookupResult;

/**
 * The figures of one {@link SimChurn} run. Lookups judged are those whose asking host lived until
 * they ended; each of them either failed (no owner before its deadline, or it ran out of nodes to
 * ask) or answered, rightly or with a wrong owner.
 *
 * @param nodesBefore running hosts when the churn began
 * @param nodesAfter running hosts when it ended
 * @param measured the span in which lookups were issued
 * @param joins fresh hosts that began to join
 * @param joined of those, the ones that became members (a join under way at the end is neither
 *     joined nor failed)
 * @param failedJoins joins that failed (their host never became a member)
 * @param crashes hosts crashed
 * @param issued lookups issued
 * @param originCrashed lookups whose asking host crashed before they ended: not judged
 * @param failed judged lookups that found no owner
 * @param wrong judged lookups that returned an owner other than the oracle's when they ended
 * @param wrongInFlight of those, the ones whose owner was the oracle's when they were issued:
 *     the ring changed under them
 * @param latencyMicros time from issue to answer of the lookups that answered
 * @param hops hops of the lookups that answered (remote nodes that replied, the owner included)
 * @param timeouts requests that timed out, over the lookups that answered
 * @param firstFailure why the first failed lookup failed; null if none did
 * @param firstWrong what the first wrong lookup returned; null if none was wrong
 */
public record ChurnRun(int nodesBefore, int nodesAfter, Duration measured, int joins, int joined, int failedJoins,
                       int crashes, int issued, int originCrashed, int failed, int wrong, int wrongInFlight,
                       Histogram latencyMicros, Histogram hops, long timeouts, String firstFailure,
                       String firstWrong) {

    /** Lookups judged: issued, less those whose asking host crashed. */
    public int judged() {
        return issued - originCrashed;
    }

    public int answered() {
        return judged() - failed;
    }

    public int right() {
        return answered() - wrong;
    }

    public double failedFraction() {
        return judged() == 0 ? Double.NaN : (double) failed / judged();
    }

    public double wrongFraction() {
        return judged() == 0 ? Double.NaN : (double) wrong / judged();
    }

    /** Failed or wrong: what the paper counts as a failed lookup. */
    public double notRightFraction() {
        return judged() == 0 ? Double.NaN : (double) (failed + wrong) / judged();
    }

    public double meanTimeouts() {
        return answered() == 0 ? Double.NaN : (double) timeouts / answered();
    }

    /** Counts of a run in progress; {@link SimChurn} fills it in and freezes it at the end. */
    static final class Tally {
        /** Three significant digits: microseconds up to an hour, hops up to any count, exact below 2048. */
        private final Histogram latencyMicros = new Histogram(3);
        private final Histogram hops = new Histogram(3);
        int joins;
        int joined;
        int failedJoins;
        int crashes;
        int issued;
        int originCrashed;
        private int failed;
        private int wrong;
        private int wrongInFlight;
        private long timeouts;
        private String firstFailure;
        private String firstWrong;

        void failed(String why) {
            failed++;
            if (firstFailure == null) {
                firstFailure = why;
            }
        }

        void answered(LookupResult r, boolean right, boolean rightAtIssue, Supplier<String> wrongWhy) {
            latencyMicros.recordValue(Math.max(0, r.elapsed().toNanos() / 1_000));
            hops.recordValue(r.hops());
            timeouts += r.timeouts();
            if (right) {
                return;
            }
            wrong++;
            if (rightAtIssue) {
                wrongInFlight++;
            }
            if (firstWrong == null) {
                firstWrong = wrongWhy.get();
            }
        }

        ChurnRun toRun(int nodesBefore, int nodesAfter, Duration measured) {
            return new ChurnRun(nodesBefore, nodesAfter, measured, joins, joined, failedJoins, crashes, issued,
                    originCrashed, failed, wrong, wrongInFlight, latencyMicros.copy(), hops.copy(), timeouts,
                    firstFailure, firstWrong);
        }
    }
}
