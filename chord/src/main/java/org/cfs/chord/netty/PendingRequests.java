package org.cfs.chord.netty;

import io.netty.channel.Channel;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.cfs.chord.Endpoint;
import org.cfs.chord.TransportException;
import org.cfs.chord.TransportException.Reason;
import org.cfs.chord.wire.Message;

/**
 * A transport's requests that await a reply, by request id. An entry leaves the map however its
 * future completes (reply, timer, connection loss, close, or the caller cancelling), so the map
 * never outgrows the requests actually in flight.
 *
 * <p>A reply is matched only if it came on the connection the request went out on: ids are
 * sequential and so guessable, and one peer must not be able to answer a request sent to another.
 */
final class PendingRequests {
    private final ConcurrentMap<Long, Pending> byId = new ConcurrentHashMap<>();
    private final AtomicLong lastId = new AtomicLong();
    private final LongAdder timeouts = new LongAdder();

    long nextId() {
        return lastId.incrementAndGet();
    }

    /** Registers request {@code id} to {@code peer} and starts its timer on {@code timers}. */
    Pending open(long id, Endpoint peer, Duration timeout, EventExecutor timers) {
        Pending pending = new Pending(id, peer);
        byId.put(id, pending);
        pending.future.whenComplete((reply, failure) -> {
            byId.remove(id, pending);
            pending.cancelTimer();
        });
        try {
            Runnable expire = () -> {
                if (pending.fail(Reason.TIMEOUT,
                        "request " + id + " to " + peer + " got no reply within " + timeout.toMillis() + " ms")) {
                    timeouts.increment();
                }
            };
            pending.timer = timers.schedule(expire, saturatedNanos(timeout), TimeUnit.NANOSECONDS);
            if (pending.future.isDone()) {
                pending.cancelTimer();
            }
        } catch (RejectedExecutionException e) {
            pending.fail(Reason.CLOSED, "transport is closed");
        }
        return pending;
    }

    /** A timeout of centuries means "never"; it must not overflow into an immediate one. */
    private static long saturatedNanos(Duration timeout) {
        try {
            return timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    /** Completes the request {@code id} sent on {@code channel}; false if there is none. */
    boolean complete(Channel channel, long id, Message reply) {
        Pending pending = byId.get(id);
        return pending != null && pending.channel == channel && pending.future.complete(reply);
    }

    /** Fails the request {@code id} sent on {@code channel}; false if there is none. */
    boolean fail(Channel channel, long id, TransportException failure) {
        Pending pending = byId.get(id);
        return pending != null && pending.channel == channel && pending.future.completeExceptionally(failure);
    }

    /** Fails every request sent on {@code channel}, which has closed or gone bad. */
    void failChannel(Channel channel, Reason reason, String message) {
        for (Pending pending : byId.values()) {
            if (pending.channel == channel) {
                pending.fail(reason, message);
            }
        }
    }

    void failAll(Reason reason, String message) {
        for (Pending pending : byId.values()) {
            pending.fail(reason, message);
        }
    }

    int size() {
        return byId.size();
    }

    /** Requests that got no reply within their timeout, so far. */
    long timeouts() {
        return timeouts.sum();
    }

    /** One request in flight. */
    static final class Pending {
        final long id;
        final Endpoint peer;
        final CompletableFuture<Message> future = new CompletableFuture<>();
        /** The connection the request was written to; set on that connection's event loop. */
        volatile Channel channel;
        volatile ScheduledFuture<?> timer;

        Pending(long id, Endpoint peer) {
            this.id = id;
            this.peer = peer;
        }

        /** Fails the request unless it is already done; true if this call failed it. */
        boolean fail(Reason reason, String message) {
            return !future.isDone() && future.completeExceptionally(new TransportException(reason, message));
        }

        private void cancelTimer() {
            ScheduledFuture<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
        }
    }
}
