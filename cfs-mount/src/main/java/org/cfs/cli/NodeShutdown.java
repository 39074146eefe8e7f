package org.cfs.cli;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.cfs.chord.ChordHost;
import org.cfs.dhash.DHash;
import org.cfs.dhash.HandOver;
import org.cfs.metrics.MetricsServer;
import org.slf4j.Logger;

/**
 * Stops a node in order: hands its blocks over to their other replica hosts, leaves the ring,
 * then closes DHash and the store, releasing the data directory. Each step is bounded; one that
 * fails or overruns is logged and the next runs anyway.
 */
final class NodeShutdown {
    /** Past its bound the hand-over only waits for its last replies. */
    private static final Duration HAND_OVER_SLACK = Duration.ofSeconds(2);

    private final ChordHost host;
    private final DHash dhash;
    private final NodeStorage storage;
    private final MetricsServer metrics;
    private final Logger log;

    /** @param metrics the node's metrics server, or null */
    NodeShutdown(ChordHost host, DHash dhash, NodeStorage storage, MetricsServer metrics, Logger log) {
        this.host = host;
        this.dhash = dhash;
        this.storage = storage;
        this.metrics = metrics;
        this.log = log;
    }

    /** The shutdown hook: a signal's exit status would be 128+n, a stopped node's is 0. */
    void runAndHalt() {
        try {
            handOver();
            leave();
        } finally {
            try {
                close();
            } finally {
                System.out.flush();
                System.err.flush();
                Runtime.getRuntime().halt(0);
            }
        }
    }

    private void handOver() {
        long blocks = storage.store().count();
        if (blocks == 0) {
            return;
        }
        log.info("handing {} over to their other replica hosts", NodeStorage.blocks(blocks));
        CompletableFuture<HandOver> handing = dhash.handOver(NodeCommand.HAND_OVER_TIMEOUT);
        if (!await(handing, NodeCommand.HAND_OVER_TIMEOUT.plus(HAND_OVER_SLACK), "handing blocks over",
                "leaving anyway; maintenance on the other hosts restores the missing copies")) {
            return;
        }
        HandOver done = handing.join();
        if (done.notHandedOver() == 0) {
            log.info("handed {} over in {}", NodeStorage.blocks(done.held()), Await.seconds(done.took()));
        } else {
            log.warn("handed {} of {} over in {}; {} NOT handed over: leaving anyway, maintenance on the other"
                    + " hosts copies them from the copies left", done.handedOver(), NodeStorage.blocks(done.held()),
                    Await.seconds(done.took()), NodeStorage.blocks(done.notHandedOver()));
        }
    }


    private void leave() {
        log.info("leaving the ring");
        if (await(host.leave(), NodeCommand.LEAVE_TIMEOUT, "leaving", "closing anyway")) {
            log.info("left the ring");
        }
    }

    /** Closes the host, DHash, then the store and its data directory; safe to call more than once. */
    void close() {
        try {
            Metrics.close(metrics);
            host.close();
            dhash.close();
        } finally {
            storage.close();
        }
    }

    private boolean await(CompletableFuture<?> step, Duration bound, String what, String otherwise) {
        try {
            step.get(bound.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            log.warn("{} did not finish within {}; {}", what, Await.seconds(bound), otherwise);
        } catch (ExecutionException e) {
            log.warn("{} failed: {}; {}", what, Await.describe(e.getCause()), otherwise);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("{} was interrupted; {}", what, otherwise);
        }
        return false;
    }
}
