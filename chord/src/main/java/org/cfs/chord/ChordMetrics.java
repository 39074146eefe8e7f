package org.cfs.chord;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;

/**
 * The meters lookups and merge checks ({@link MergeCheck}) record into, looked up once per
 * registry so a lookup only bumps them. With {@link #NONE} (a composite registry with no members)
 * every meter is a no-op: what simulations and tests get unless they hand a host a registry.
 */
final class ChordMetrics {
    static final MeterRegistry DISCARDING = new CompositeMeterRegistry();
    static final ChordMetrics NONE = new ChordMetrics(DISCARDING);

    private final Counter started;
    private final Counter failed;
    private final DistributionSummary hops;
    private final Timer latency;
    private final Counter mergeChecks;
    private final Counter mergeRequests;
    private final Counter mergeAdopted;

    /** The meters in {@code registry}; {@link #NONE} for the discarding one. */
    static ChordMetrics of(MeterRegistry registry) {
        return registry == DISCARDING ? NONE : new ChordMetrics(registry);
    }

    private ChordMetrics(MeterRegistry registry) {
        started = Counter.builder("cfs.lookups.started")
                .description("Lookups started by this process, from its own vnodes or as a client")
                .register(registry);
        failed = Counter.builder("cfs.lookups.failed")
                .description("Lookups that found no live owner within their deadline")
                .register(registry);
        hops = DistributionSummary.builder("cfs.lookup.hops")
                .description("Remote nodes that answered a successful lookup, the owner included")
                .serviceLevelObjectives(1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32)
                .register(registry);
        latency = Timer.builder("cfs.lookup")
                .description("Time of successful lookups on the host's scheduler clock")
                .serviceLevelObjectives(ms(1), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500),
                        ms(1000), ms(2500), ms(5000), ms(10_000), ms(30_000))
                .register(registry);
        mergeChecks = Counter.builder("cfs.ring.merge.checks")
                .description("Merge checks: lookups of a vnode's own id started at a far node it remembers")
                .register(registry);
        mergeRequests = Counter.builder("cfs.ring.merge.requests")
                .description("Requests merge checks sent: their lookups' hops and timeouts, and a notify per adoption")
                .register(registry);
        mergeAdopted = Counter.builder("cfs.ring.merge.adopted")
                .description("Successors adopted because a merge check found a node between a vnode and its successor")
                .register(registry);
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    void started() {
        started.increment();
    }

    void succeeded(int hopCount, Duration elapsed) {
        hops.record(hopCount);
        latency.record(elapsed);
    }

    void failed() {
        failed.increment();
    }

    void mergeChecked(int requests) {
        mergeChecks.increment();
        mergeRequests.increment(requests);
    }

    void mergeAdopted() {
        mergeAdopted.increment();
        mergeRequests.increment();
    }
}
