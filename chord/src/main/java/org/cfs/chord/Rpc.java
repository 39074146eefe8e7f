package org.cfs.chord;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.cfs.chord.wire.Message;

/**
 * Typed requests to vnodes over a {@link Transport}, with replies handed back on the scheduler's
 * thread so protocol code never races with itself; and other work handed onto that thread.
 */
final class Rpc {
    private final Transport transport;
    private final Scheduler scheduler;
    private final Duration timeout;
    private final ChordMetrics metrics;
    private final Suspects suspects;
    private final RoundTrips roundTrips;
    private final DensityReference density = new DensityReference();

    Rpc(Transport transport, Scheduler scheduler, Duration timeout, ChordMetrics metrics, RoundTrips roundTrips) {
        this.transport = transport;
        this.roundTrips = roundTrips;
        this.scheduler = scheduler;
        this.timeout = timeout;
        this.metrics = metrics;
        this.suspects = new Suspects(scheduler);
    }

    <R extends Message> CompletableFuture<R> call(NodeRef to, Message request, Class<R> replyType) {
        CompletableFuture<Message> sent;
        long start = scheduler.nanoTime();
        try {
            sent = transport.request(to.endpoint(), request, timeout);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        return sent.handleAsync((reply, error) -> {
            if (error != null) {
                TransportException te = TransportException.unwrap(error);
                throw te != null ? te : new TransportException(TransportException.Reason.CLOSED,
                        "request to " + to + " failed: " + error, error);
            }
            roundTrips.record(to.endpoint(), Math.max(0, scheduler.nanoTime() - start));
            if (!replyType.isInstance(reply)) {
                throw new TransportException(TransportException.Reason.MALFORMED, "node " + to
                        + " answered " + request.getClass().getSimpleName() + " with "
                        + (reply == null ? "nothing" : reply.getClass().getSimpleName()));
            }
            return replyType.cast(reply);
        }, scheduler);
    }

    Scheduler scheduler() {
        return scheduler;
    }

    /** Runs {@code task} on the scheduler thread, or fails {@code outcome} if the host is closed. */
    void onLoop(NodeRef vnode, CompletableFuture<?> outcome, Runnable task) {
        try {
            scheduler.execute(task);
        } catch (RejectedExecutionException e) {
            outcome.completeExceptionally(new IllegalStateException("vnode " + vnode + " is closed", e));
        }
    }

    /** The nodes this host caught lying lately, which its lookups take answers from last. */
    Suspects suspects() {
        return suspects;
    }

    /** The ring's id density as this host's lookups have seen it, for secure routing's test. */
    DensityReference density() {
        return density;
    }

    /** The round trips measured by this Rpc's requests, among others. */
    RoundTrips roundTrips() {
        return roundTrips;
    }

    /** Where lookups made through this Rpc record themselves. */
    ChordMetrics metrics() {
        return metrics;
    }
}
