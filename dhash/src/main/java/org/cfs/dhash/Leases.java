package org.cfs.dhash;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.cfs.chord.Id;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a held block may be collected, and the rounds that collect such blocks when a put is
 * refused for lack of space; the rule is in {@link BlockStore}'s comment. Each store hands it a
 * scan of what it holds and a delete that checks the block again under the store's own lock, so a
 * block refreshed while a round runs is kept.
 */
final class Leases {
    /** Most blocks one round collects, which bounds its memory; a put still refused tries again. */
    static final int MAX_PER_ROUND = 100_000;
    private static final Logger LOG = LoggerFactory.getLogger(Leases.class);

    /** What a store shows a round. */
    interface Holdings {
        /** Visits every block held, with when it becomes collectable, until the visitor returns false. */
        void forEachBlock(BlockVisitor visitor) throws DHashException;

        /**
         * Deletes the block and credits its payer if it is still collectable at {@code nowMillis};
         * false if it is gone or was refreshed meanwhile.
         */
        boolean deleteIfCollectable(Id key, long nowMillis) throws DHashException;
    }

    @FunctionalInterface
    interface BlockVisitor {
        boolean visit(Id key, boolean signed, long collectableAtMillis);
    }

    /** A write that a lack of space may refuse. */
    @FunctionalInterface
    interface Write {
        void run() throws DHashException;
    }

    private final long leaseMillis;
    private final Clock clock;
    private final Holdings holdings;
    private final Object roundLock = new Object();
    /**
     * No block held becomes collectable before this time: a round with nothing to collect is not
     * run, so a store full of live blocks scans once per block that comes due, not once per put.
     * Every store lowers it; unknown (the minimum) until the first round.
     */
    private final AtomicLong nextDue = new AtomicLong(Long.MIN_VALUE);

    Leases(Duration lease, Clock clock, Holdings holdings) {
        this.leaseMillis = lease.toMillis();
        this.clock = clock;
        this.holdings = holdings;
    }

    long now() {
        return clock.millis();
    }

    /**
     * When a block becomes collectable: a content one a lease after it was last stored or
     * refreshed; a signed one ({@code version > 0}) a lease after its expiry. No reader accepts it
     * once it has expired, but its publisher must still read it to outrank it (a refresh of an
     * expired volume), so it gets the same grace as content.
     */
    long collectableAt(long version, long expiresAtMillis, long refreshedAtMillis) {
        return plusLease(version > 0 ? expiresAtMillis : refreshedAtMillis);
    }

    private long plusLease(long millis) {
        long due = millis + leaseMillis;
        return millis > 0 && due < 0 ? Long.MAX_VALUE : due;
    }

    /** When a block just stored or refreshed becomes collectable, so later rounds know to look. */
    void stored(byte[] block, long refreshedAtMillis) {
        long due = collectableAt(BlockCodec.version(block), BlockCodec.expiresAtMillis(block), refreshedAtMillis);
        nextDue.accumulateAndGet(due, Math::min);
    }

    /**
     * Runs {@code write}; if it is refused for lack of space (STORE_FULL or OVER_QUOTA), collects
     * and, if that freed anything, runs it once more. The caller holds no lock of the store.
     */
    void retryAfterCollecting(Write write) throws DHashException {
        try {
            write.run();
        } catch (DHashException refused) {
            if (refused.kind() != DHashException.Kind.STORE_FULL && refused.kind() != DHashException.Kind.OVER_QUOTA) {
                throw refused;
            }
            if (collect() == 0) {
                throw refused;
            }
            write.run();
        }
    }

    /**
     * One round: if some block may be due, scans the store and deletes every block due now (at most
     * {@link #MAX_PER_ROUND}), expired signed blocks first. Returns how many it deleted.
     */
    int collect() throws DHashException {
        synchronized (roundLock) {
            long now = now();
            if (nextDue.get() > now) {
                return 0;
            }
            nextDue.set(Long.MAX_VALUE);
            long[] next = {Long.MAX_VALUE};
            List<Id> signed = new ArrayList<>();
            List<Id> content = new ArrayList<>();
            int collected = 0;
            try {
                holdings.forEachBlock((key, isSigned, due) -> {
                    if (due > now) {
                        next[0] = Math.min(next[0], due);
                        return true;
                    }
                    if (signed.size() + content.size() == MAX_PER_ROUND) {
                        next[0] = now;
                        return false;
                    }
                    (isSigned ? signed : content).add(key);
                    return true;
                });
                for (List<Id> keys : List.of(signed, content)) {
                    for (Id key : keys) {
                        collected += holdings.deleteIfCollectable(key, now) ? 1 : 0;
                    }
                }
            } catch (DHashException | RuntimeException e) {
                next[0] = Long.MIN_VALUE;
                throw e;
            } finally {
                nextDue.accumulateAndGet(next[0], Math::min);
            }
            if (collected > 0) {
                LOG.info("collected {} blocks to make room: signed ones past their expiry, content ones not"
                        + " refreshed for {}", collected, Duration.ofMillis(leaseMillis));
            }
            return collected;
        }
    }
}
