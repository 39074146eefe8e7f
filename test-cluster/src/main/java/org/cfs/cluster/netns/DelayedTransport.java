package org.cfs.cluster.netns;

import java.time.Duration;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Transport;
import org.cfs.chord.TransportException;
import org.cfs.chord.TransportException.Reason;
import org.cfs.chord.wire.Message;

/**
 * A test-only {@link Transport} decorator that gives a real transport the links of a
 * {@link LinkDelays} model, in user space (this kernel has no netem): each request is held for its
 * link's one-way delay before it is sent, and its reply for the way back before the caller sees
 * it; a lost request or reply is never delivered, so the caller sees a timeout. Every host of a
 * cluster wraps its own transport, so each exchange costs one round trip of its link.
 */
public final class DelayedTransport implements Transport {
    private final Transport inner;
    private final String localHost;
    private final LinkDelays links;
    private final ScheduledThreadPoolExecutor timer;
    private final SplittableRandom random;
    /** Requests not yet answered, failed as CLOSED by {@link #close()}. */
    private final Set<CompletableFuture<Message>> pending = ConcurrentHashMap.newKeySet();

    /**
     * Wraps {@code inner}, whose requests leave from {@code localHost} (its IP in the model), with
     * the jitter and loss drawn from a generator seeded with {@code seed}.
     */
    public DelayedTransport(Transport inner, String localHost, LinkDelays links, long seed) {
        this.inner = inner;
        this.localHost = localHost;
        this.links = links;
        this.random = new SplittableRandom(seed);
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "link-delay-" + localHost);
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    @Override
    public Endpoint local() {
        return inner.local();
    }

    @Override
    public CompletableFuture<Message> request(Endpoint to, Message request, Duration timeout) {
        CompletableFuture<Message> result = new CompletableFuture<>();
        pending.add(result);
        result.whenComplete((r, e) -> pending.remove(result));
        long out;
        boolean lostOut;
        boolean lostBack;
        synchronized (random) {
            out = links.sampleNanos(localHost, to.host(), random);
            lostOut = links.lost(localHost, to.host(), random);
            lostBack = links.lost(to.host(), localHost, random);
        }
        try {
            ScheduledFuture<?> expiry = timer.schedule(() -> result.completeExceptionally(new TransportException(
                    Reason.TIMEOUT, "no reply from " + to + " within " + timeout.toMillis() + " ms")),
                    timeout.toNanos(), TimeUnit.NANOSECONDS);
            result.whenComplete((r, e) -> expiry.cancel(false));
            if (!lostOut) {
                timer.schedule(() -> send(to, request, timeout, lostBack, result), out, TimeUnit.NANOSECONDS);
            }
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new TransportException(Reason.CLOSED, "transport to " + to + " is closed", e));
        }
        return result;
    }

    private void send(Endpoint to, Message request, Duration timeout, boolean lostBack,
                      CompletableFuture<Message> result) {
        inner.request(to, request, timeout).whenComplete((reply, error) -> {
            if (lostBack && reply != null) {
                return;
            }
            long back;
            synchronized (random) {
                back = links.sampleNanos(to.host(), localHost, random);
            }
            try {
                timer.schedule(() -> {
                    if (error != null) {
                        result.completeExceptionally(error);
                    } else {
                        result.complete(reply);
                    }
                }, back, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(new TransportException(Reason.CLOSED, "transport is closed", e));
            }
        });
    }

    @Override
    public void close() {
        timer.shutdownNow();
        inner.close();
        for (CompletableFuture<Message> p : pending) {
            p.completeExceptionally(new TransportException(Reason.CLOSED, "transport closed"));
        }
    }
}
