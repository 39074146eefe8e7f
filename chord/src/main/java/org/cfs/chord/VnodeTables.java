package org.cfs.chord;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.cfs.chord.wire.ChordMessages.Neighbours;
import org.cfs.chord.wire.ChordMessages.StepReply;

/**
 * What one vnode knows of the ring: its successor list, predecessor and fingers, the application
 * told of every change to the neighbour set, and the answers a lookup step can take from them
 * without a message.
 *
 * <p>Changed only on the host scheduler's thread; the volatile fields hold immutable lists, so
 * other threads read a consistent snapshot.
 */
final class VnodeTables implements Lookup.Origin {
    private static final KbrApplication NO_APPLICATION = new KbrApplication() { };

    private final NodeRef self;
    private final ChordConfig config;
    private final Predicate<Id> hostHolds;
    private final FingerTable fingers;
    private volatile List<NodeRef> successors = List.of();
    private volatile NodeRef predecessor;
    private volatile KbrApplication application = NO_APPLICATION;

    VnodeTables(NodeRef self, ChordConfig config, Predicate<Id> hostHolds) {
        this.self = self;
        this.config = config;
        this.hostHolds = hostHolds;
        this.fingers = new FingerTable(self.id());
    }

    @Override
    public NodeRef self() {
        return self;
    }

    List<NodeRef> successors() {
        return successors;
    }

    /** The predecessor, or null while none is known. */
    NodeRef predecessor() {
        return predecessor;
    }

    FingerTable fingers() {
        return fingers;
    }

    KbrApplication application() {
        return application;
    }

    void setApplication(KbrApplication application) {
        this.application = application == null ? NO_APPLICATION : application;
    }

    /** Makes [head] + tail our successor list (see {@link #successorList}). */
    void adoptSuccessors(NodeRef head, List<NodeRef> tail) {
        changeNeighbours(() -> successors = successorList(head, tail));
    }

    /** Makes {@code list}, cut as {@link #successorList} cuts, our successor list; empty leaves us alone. */
    void adoptSuccessorList(List<NodeRef> list) {
        changeNeighbours(() -> successors = list.isEmpty() ? List.of()
                : successorList(list.get(0), list.subList(1, list.size())));
    }

    /** Sets the predecessor; null forgets it. */
    void setPredecessor(NodeRef node) {
        changeNeighbours(() -> predecessor = node);
    }

    /** [head] + tail without duplicates, stopping where the list comes back round to us, at most r long. */
    private List<NodeRef> successorList(NodeRef head, List<NodeRef> tail) {
        if (head.equals(self)) {
            return List.of();
        }
        List<NodeRef> out = new ArrayList<>(config.successors());
        out.add(head);
        for (NodeRef n : tail) {
            if (out.size() == config.successors() || n.equals(self)) {
                break;
            }
            if (!out.contains(n)) {
                out.add(n);
            }
        }
        return List.copyOf(out);
    }

    @Override
    public StepReply localStep(Id key) {
        return localStep(key, config.lookupCandidates());
    }

    StepReply localStep(Id key, int max) {
        List<NodeRef> succs = successors;
        boolean holds = hostHolds.test(key);
        if (succs.isEmpty()) {
            return new StepReply(true, List.of(), List.of(self), holds);
        }
        if (key.inHalfOpen(self.id(), succs.get(0).id())) {
            return new StepReply(true, List.of(), succs, holds);
        }
        return new StepReply(false, closestPreceding(key, max, false), succs, holds);
    }

    /**
     * Known nodes strictly between us and the key, closest to the key first, at most {@code max}.
     * This runs for every lookup step a node answers, so the nearest are kept as they come rather
     * than all of them gathered and sorted.
     */
    List<NodeRef> closestPreceding(Id key, int max, boolean successorsOnly) {
        NearestBefore nearest = new NearestBefore(key, max);
        if (!successorsOnly) {
            fingers.precedingInto(key, nearest::offer);
        }
        for (NodeRef s : successors) {
            if (s.id().inOpen(self.id(), key)) {
                nearest.offer(s);
            }
        }
        return nearest.kept;
    }

    /** The {@code max} distinct nodes nearest before a key of those offered, nearest first. */
    private static final class NearestBefore {
        private final Comparator<Id> order;
        private final int max;
        private final List<NodeRef> kept;

        NearestBefore(Id key, int max) {
            this.order = Id.nearestBefore(key);
            this.max = max;
            this.kept = new ArrayList<>(Math.min(max, 8));
        }

        void offer(NodeRef node) {
            int at = kept.size();
            while (at > 0 && order.compare(node.id(), kept.get(at - 1).id()) < 0) {
                at--;
            }
            // A node both a finger and a successor comes twice: it would sit right after itself.
            for (int j = at - 1; j >= 0 && order.compare(node.id(), kept.get(j).id()) == 0; j--) {
                if (kept.get(j).equals(node)) {
                    return;
                }
            }
            if (at == max) {
                return;
            }
            if (kept.size() == max) {
                kept.remove(max - 1);
            }
            kept.add(at, node);
        }
    }

    @Override
    public Neighbours localNeighbours() {
        return new Neighbours(self, predecessor, successors);
    }

    @Override
    public void peerDied(NodeRef node) {
        changeNeighbours(() -> {
            List<NodeRef> succs = successors;
            if (succs.contains(node)) {
                List<NodeRef> rest = new ArrayList<>(succs);
                rest.remove(node);
                successors = List.copyOf(rest);
            }
            if (node.equals(predecessor)) {
                predecessor = null;
            }
            fingers.remove(node);
        });
    }

    /** Applies {@code change} to the neighbour set and tells the application who came and went. */
    private void changeNeighbours(Runnable change) {
        KbrApplication app = application;
        if (app == NO_APPLICATION) {
            change.run();
            return;
        }
        Set<NodeRef> before = neighbourSet();
        change.run();
        Set<NodeRef> after = neighbourSet();
        for (NodeRef n : before) {
            if (!after.contains(n)) {
                app.update(n, false);
            }
        }
        for (NodeRef n : after) {
            if (!before.contains(n)) {
                app.update(n, true);
            }
        }
    }

    /** The successors in ring order, then the predecessor. */
    Set<NodeRef> neighbourSet() {
        Set<NodeRef> set = new LinkedHashSet<>(successors);
        NodeRef p = predecessor;
        if (p != null) {
            set.add(p);
        }
        return set;
    }
}
