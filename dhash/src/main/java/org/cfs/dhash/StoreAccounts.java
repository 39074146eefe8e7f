package org.cfs.dhash;

import java.util.HashMap;
import java.util.Map;

/**
 * The counters of a {@link BlockStore} (blocks, bytes, bytes per source) and the capacity and
 * quota checks made against them. A check and the charge it allows happen under one lock, so
 * concurrent puts of different keys cannot together overshoot a limit; the store then writes
 * the block and, if that fails, {@link #undo}es the change.
 */
final class StoreAccounts {
    /** What is known about a stored block without reading it: its length and who paid for it. */
    record Held(int size, String payer) {
    }

    /**
     * One put or delete's effect on the counters: {@code credit} bytes back to
     * {@code creditPayer} (the old block's payer), {@code charge} bytes to {@code chargePayer}.
     * A null payer is never charged or credited.
     */
    record Change(long count, long bytes, String creditPayer, long credit, String chargePayer, long charge) {
    }

    /** One source's bytes; the holder also keeps a single copy of the source's name. */
    private static final class Usage {
        final String source;
        long bytes;

        Usage(String source) {
            this.source = source;
        }
    }

    private final StoreLimits limits;
    private final Map<String, Usage> usage = new HashMap<>();
    private volatile long count;
    private volatile long bytes;

    StoreAccounts(StoreLimits limits) {
        this.limits = limits;
    }

    /** Sets the counters read back from disk when a store reopens. */
    synchronized void restore(long count, long bytes, Map<String, Long> usageBySource) {
        this.count = count;
        this.bytes = bytes;
        usage.clear();
        usageBySource.forEach((source, used) -> addUsage(source, used));
    }

    /**
     * Checks a put of {@code size} bytes from {@code source} over {@code old} (null if the key is
     * new) and charges it.
     */
    synchronized Change charge(Held old, int size, String source) throws DHashException {
        int oldSize = old == null ? 0 : old.size();
        long grows = (long) size - oldSize;
        if (grows > 0 && grows > limits.capacity().bytes() - bytes) {
            throw new DHashException(DHashException.Kind.STORE_FULL, "storing " + size + " bytes would take the"
                    + " store to " + (bytes + grows) + " bytes, over its capacity of " + limits.capacity().bytes());
        }
        String payer = source == null ? null : canonical(source);
        if (payer != null) {
            long before = usage(payer);
            long after = before - (old != null && payer.equals(old.payer()) ? oldSize : 0) + size;
            if (after > before && after > limits.quota().bytes()) {
                throw new DHashException(DHashException.Kind.OVER_QUOTA, "source " + source + " would use "
                        + after + " bytes, over its quota of " + limits.quota().bytes() + " ("
                        + limits.perSourceFraction() + " of the " + limits.capacity().bytes() + "-byte capacity)");
            }
        }
        Change change = new Change(old == null ? 1 : 0, grows, old == null ? null : old.payer(), oldSize,
                payer, payer == null ? 0 : size);
        apply(change, 1);
        return change;
    }

    /** Credits a deleted block. */
    synchronized Change remove(Held old) {
        Change change = new Change(-1, -old.size(), old.payer(), old.size(), null, 0);
        apply(change, 1);
        return change;
    }

    /** Reverses a change whose write failed. */
    synchronized void undo(Change change) {
        apply(change, -1);
    }

    long count() {
        return count;
    }

    long bytes() {
        return bytes;
    }

    synchronized long usage(String source) {
        Usage u = usage.get(source);
        return u == null ? 0 : u.bytes;
    }

    private void apply(Change change, int sign) {
        count += sign * change.count();
        bytes += sign * change.bytes();
        if (change.creditPayer() != null) {
            addUsage(change.creditPayer(), -sign * change.credit());
        }
        if (change.chargePayer() != null) {
            addUsage(change.chargePayer(), sign * change.charge());
        }
    }

    /** Drops sources that reach zero, so the map holds only sources with blocks stored. */
    private void addUsage(String source, long delta) {
        Usage u = usage.computeIfAbsent(source, Usage::new);
        u.bytes += delta;
        if (u.bytes == 0) {
            usage.remove(source);
        }
    }

    /** The copy of {@code source} already in use, so that many blocks share one string. */
    private String canonical(String source) {
        Usage u = usage.get(source);
        return u == null ? source : u.source;
    }
}
