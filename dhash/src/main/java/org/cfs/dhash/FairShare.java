package org.cfs.dhash;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.cfs.chord.RemoteException;

/**
 * Runs the requests a node serves on its store's I/O pool in turn by source. Each source (a remote
 * host, as quotas count them) has a queue of its own; the pool takes the next request from the
 * next source with work, round robin, at most {@code slots} at a time, and at most
 * {@code slotsPerSource} of one source's, so some slots are always left for others. A host that
 * sends thousands of requests waits behind its own; another host's request goes in at once or
 * within one turn. A source with
 * {@code maxQueued} requests or {@code maxQueuedBytes} of request payload already waiting is
 * refused at once (UNAVAILABLE, "slow down"), so a flood holds bounded memory, and the transport
 * stops reading that connection for {@link #READ_PAUSE}, so a flood costs little CPU either: what
 * the flooder sends meanwhile waits in its own socket, undecoded.
 */
final class FairShare {
    /**
     * How long a refused source's connection goes unread: one read buffer (tens of requests) per
     * pause at most, against thousands a second without it. Long beside a request's service time,
     * short beside an honest client's retry.
     */
    static final Duration READ_PAUSE = Duration.ofMillis(100);

    /** Work that answers one request. */
    @FunctionalInterface
    interface Work<T> {
        T run() throws DHashException;
    }

    /** One queued request: how to run it and how to fail it if the pool will not take it. */
    private record Task(String source, long bytes, Runnable run, CompletableFuture<?> result) {
    }

    private final Executor pool;
    private final int slots;
    private final int slotsPerSource;
    private final int maxQueued;
    private final long maxQueuedBytes;
    // Guarded by this.
    private final Map<String, ArrayDeque<Task>> queues = new HashMap<>();
    private final Map<String, Long> queuedBytes = new HashMap<>();
    private final Map<String, Integer> runningBySource = new HashMap<>();
    /** Sources with work waiting that may start more, in turn. */
    private final ArrayDeque<String> turns = new ArrayDeque<>();
    private int running;

    FairShare(Executor pool, int slots, int slotsPerSource, int maxQueued, long maxQueuedBytes) {
        if (slots < 1 || slotsPerSource < 1 || slotsPerSource > slots || maxQueued < 1 || maxQueuedBytes < 1) {
            throw new IllegalArgumentException("slots, slotsPerSource (at most slots), maxQueued and maxQueuedBytes"
                    + " must be positive");
        }
        this.pool = pool;
        this.slots = slots;
        this.slotsPerSource = slotsPerSource;
        this.maxQueued = maxQueued;
        this.maxQueuedBytes = maxQueuedBytes;
    }

    /**
     * Queues {@code work} for {@code source}, whose request carries {@code bytes} of payload; the
     * result completes with its value, or with the RemoteException its DHashException maps to.
     */
    <T> CompletableFuture<T> submit(String source, long bytes, Work<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable run = () -> {
            try {
                result.complete(work.run());
            } catch (DHashException e) {
                result.completeExceptionally(new CompletionException(
                        new RemoteException(DHashMessages.errorCode(e.kind()), e.getMessage())));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        };
        synchronized (this) {
            ArrayDeque<Task> queue = queues.get(source);
            int waiting = queue == null ? 0 : queue.size();
            long waitingBytes = queuedBytes.getOrDefault(source, 0L);
            if (waiting >= maxQueued || (waiting > 0 && waitingBytes + bytes > maxQueuedBytes)) {
                return CompletableFuture.failedFuture(new CompletionException(new RemoteException(
                        DHashMessages.errorCode(DHashException.Kind.UNAVAILABLE), "this node has " + waiting
                        + " requests (" + waitingBytes + " bytes) from " + source + " waiting; slow down",
                        READ_PAUSE)));
            }
            if (queue == null) {
                queue = new ArrayDeque<>();
                queues.put(source, queue);
                if (runningBySource.getOrDefault(source, 0) < slotsPerSource) {
                    turns.add(source);
                }
            }
            queue.add(new Task(source, bytes, run, result));
            queuedBytes.merge(source, bytes, Long::sum);
        }
        drain();
        return result;
    }

    /** Requests waiting (not running) from {@code source}. */
    synchronized int waiting(String source) {
        ArrayDeque<Task> queue = queues.get(source);
        return queue == null ? 0 : queue.size();
    }

    /**
     * Starts queued requests, the next source's first, while fewer than {@code slots} run and the
     * source has fewer than {@code slotsPerSource} running.
     */
    private void drain() {
        while (true) {
            Task next;
            synchronized (this) {
                if (running >= slots || turns.isEmpty()) {
                    return;
                }
                String source = turns.poll();
                ArrayDeque<Task> queue = queues.get(source);
                next = queue.poll();
                int mine = runningBySource.merge(source, 1, Integer::sum);
                if (queue.isEmpty()) {
                    queues.remove(source);
                    queuedBytes.remove(source);
                } else {
                    queuedBytes.merge(source, -next.bytes(), Long::sum);
                    if (mine < slotsPerSource) {
                        turns.add(source);
                    }
                }
                running++;
            }
            try {
                pool.execute(() -> {
                    try {
                        next.run().run();
                    } finally {
                        finished(next.source());
                        drain();
                    }
                });
            } catch (RejectedExecutionException e) {
                finished(next.source());
                next.result().completeExceptionally(new CompletionException(new RemoteException(
                        DHashMessages.errorCode(DHashException.Kind.UNAVAILABLE), "this node is shutting down")));
            }
        }
    }

    /** One of {@code source}'s requests ended: its slot is free, and the source may have a turn again. */
    private synchronized void finished(String source) {
        running--;
        int mine = runningBySource.merge(source, -1, Integer::sum);
        if (mine == 0) {
            runningBySource.remove(source);
        }
        if (mine == slotsPerSource - 1 && queues.containsKey(source) && !turns.contains(source)) {
            turns.add(source);
        }
    }
}
