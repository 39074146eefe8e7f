package org.cfs.chord;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The far nodes one vnode remembers so that it can find the rest of the ring again after a
 * partition: {@link #SLOTS} slots, slot i holding a node whose clockwise distance from us falls in
 * the i-th of {@link #SLOTS} equal arcs of the ring, so the sample is spread over it. A node is
 * offered when it was seen answering (the join's lookup path, our fingers and successors, the paths
 * of our merge checks); it fills an empty slot, or replaces a slot's node not heard from for
 * {@link #MEMORY}. Successors count too: in a ring no longer than the successor list they are every
 * node there is, and the ones across a cut are dropped from the list as soon as it starts.
 * A node that stops answering is kept that long on purpose: during a partition the nodes on the
 * other side answer nobody on ours, and they are the ones worth asking once it heals.
 *
 * <p>{@link #next} alternates between the least recently checked node whose last check failed,
 * the likeliest to be across a cut that has since healed, and the least recently checked node of
 * all, so a node dead for good cannot starve the others.
 *
 * <p>Runs on the host scheduler's thread only.
 */
final class FarNodes {
    static final int SLOTS = 8;
    static final Duration MEMORY = Duration.ofHours(1);

    private final Id self;
    private final Scheduler scheduler;
    private final Entry[] slots = new Entry[SLOTS];
    private boolean failedTurn = true;

    FarNodes(Id self, Scheduler scheduler) {
        this.self = self;
        this.scheduler = scheduler;
    }

    /** {@code node} answered someone just now. */
    void heard(NodeRef node) {
        if (node.id().equals(self)) {
            return;
        }
        long now = scheduler.nanoTime();
        int slot = slotOf(node.id());
        Entry e = slots[slot];
        if (e != null && e.node.equals(node)) {
            e.heardAt = now;
            e.failed = false;
        } else if (e == null || now - e.heardAt >= MEMORY.toNanos()) {
            slots[slot] = new Entry(node, now);
        }
    }

    /** Every node of {@code nodes}, as {@link #heard}. */
    void heardAll(List<NodeRef> nodes) {
        for (NodeRef n : nodes) {
            heard(n);
        }
    }

    /** The node to check through next, marked checked now; null if none is remembered. */
    NodeRef next() {
        Entry pick = null;
        if (failedTurn) {
            pick = leastRecentlyChecked(true);
        }
        failedTurn = !failedTurn;
        if (pick == null) {
            pick = leastRecentlyChecked(false);
        }
        if (pick == null) {
            return null;
        }
        pick.checkedAt = scheduler.nanoTime();
        pick.checked = true;
        return pick.node;
    }

    /** The check through {@code node} reached it ({@code answered}) or did not. */
    void checked(NodeRef node, boolean answered) {
        Entry e = slots[slotOf(node.id())];
        if (e == null || !e.node.equals(node)) {
            return;
        }
        e.failed = !answered;
        if (answered) {
            e.heardAt = scheduler.nanoTime();
        }
    }

    /** The nodes remembered now, nearest arc first. */
    List<NodeRef> nodes() {
        List<NodeRef> out = new ArrayList<>(SLOTS);
        for (Entry e : slots) {
            if (e != null) {
                out.add(e.node);
            }
        }
        return List.copyOf(out);
    }

    private Entry leastRecentlyChecked(boolean failedOnly) {
        Entry best = null;
        for (Entry e : slots) {
            if (e == null || (failedOnly && !e.failed)) {
                continue;
            }
            if (best == null || earlier(e, best)) {
                best = e;
            }
        }
        return best;
    }

    /** Never checked comes first; then the older check. */
    private static boolean earlier(Entry a, Entry b) {
        if (a.checked != b.checked) {
            return !a.checked;
        }
        return a.checkedAt - b.checkedAt < 0;
    }

    private int slotOf(Id node) {
        return Math.min(SLOTS - 1, (int) (self.distanceTo(node).fraction() * SLOTS));
    }

    private static final class Entry {
        final NodeRef node;
        long heardAt;
        long checkedAt;
        boolean checked;
        boolean failed;

        Entry(NodeRef node, long heardAt) {
            this.node = node;
            this.heardAt = heardAt;
        }
    }
}
