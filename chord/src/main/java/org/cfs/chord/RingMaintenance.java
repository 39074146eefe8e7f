package org.cfs.chord;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.wire.ChordMessages.Ack;
import org.cfs.chord.wire.ChordMessages.GetNeighbours;
import org.cfs.chord.wire.ChordMessages.Leave;
import org.cfs.chord.wire.ChordMessages.Neighbours;
import org.cfs.chord.wire.ChordMessages.Notify;
import org.cfs.chord.wire.ChordMessages.Ping;

/**
 * Keeps one vnode's tables right by Zave's corrected Chord: nothing is adopted before it answered,
 * the successor's new predecessor is queried before it becomes our successor, and the old
 * predecessor is pinged before a notifier replaces it. Holds the periodic rounds (stabilize, check
 * predecessor, fix fingers) and the repairs that notify and leave requests ask for.
 *
 * <p>Runs on the host scheduler's thread only.
 */
final class RingMaintenance {
    private final VnodeTables tables;
    private final NodeRef self;
    private final ChordConfig config;
    private final Rpc rpc;
    private final ProximityFingers proximity;
    private int nextFinger;

    RingMaintenance(VnodeTables tables, ChordConfig config, Rpc rpc) {
        this.tables = tables;
        this.self = tables.self();
        this.config = config;
        this.rpc = rpc;
        this.proximity = new ProximityFingers(self, rpc, config.fingerCandidates());
    }

    CompletableFuture<Void> stabilize() {
        List<NodeRef> succs = tables.successors();
        if (succs.isEmpty()) {
            NodeRef p = tables.predecessor();
            if (p == null) {
                return CompletableFuture.completedFuture(null);
            }
            // Alone but notified: adopt the notifier as successor once it answers.
            return rpc.call(p, new GetNeighbours(p.vnode()), Neighbours.class).handle((nb, error) -> {
                if (error == null) {
                    tables.adoptSuccessors(p, nb.successors());
                } else {
                    tables.peerDied(p);
                }
                return null;
            });
        }
        NodeRef s = succs.get(0);
        return rpc.call(s, new GetNeighbours(s.vnode()), Neighbours.class).handle((nb, error) -> {
            if (error != null) {
                tables.peerDied(s);
                return stabilize();
            }
            NodeRef p = nb.predecessor();
            if (p != null && p.id().inOpen(self.id(), s.id())) {
                // The second query: p becomes our successor only if it answers.
                return rpc.call(p, new GetNeighbours(p.vnode()), Neighbours.class).handle((pnb, perr) -> {
                    if (perr == null) {
                        adoptSuccessor(p, pnb.successors());
                    } else {
                        adoptSuccessor(s, nb.successors());
                    }
                    return (Void) null;
                });
            }
            adoptSuccessor(s, nb.successors());
            return CompletableFuture.<Void>completedFuture(null);
        }).thenCompose(f -> f);
    }

    private void adoptSuccessor(NodeRef s, List<NodeRef> itsSuccessors) {
        adoptSuccessor(s, itsSuccessors, 0);
    }

    /**
     * Adopts {@code s} and notifies it. Its answer names its predecessor: if that node lies between
     * us and {@code s}, it is a better successor, which we take at once if it answers, instead of a
     * round later. Nodes that joined the same region together sort themselves out in one round
     * this way rather than one node per round.
     */
    private void adoptSuccessor(NodeRef s, List<NodeRef> itsSuccessors, int hints) {
        tables.adoptSuccessors(s, itsSuccessors);
        rpc.call(s, new Notify(s.vnode(), self), Neighbours.class).whenComplete((nb, error) -> {
            NodeRef p = error == null ? nb.predecessor() : null;
            if (p == null || hints >= config.successors() || !isBetterSuccessor(p, s)) {
                return;
            }
            rpc.call(p, new GetNeighbours(p.vnode()), Neighbours.class).whenComplete((pnb, perr) -> {
                if (perr == null && isBetterSuccessor(p, s)) {
                    adoptSuccessor(p, pnb.successors(), hints + 1);
                }
            });
        });
    }

    /**
     * Adopts {@code candidate}, which a lookup has just found alive, if it lies between us and our
     * successor or we have none: stabilize's second-query rule, for a node found another way (a
     * merge check). Returns whether it was adopted.
     */
    boolean offerSuccessor(NodeRef candidate, List<NodeRef> itsSuccessors) {
        List<NodeRef> succs = tables.successors();
        if (candidate.equals(self) || (!succs.isEmpty() && !candidate.id().inOpen(self.id(), succs.get(0).id()))) {
            return false;
        }
        adoptSuccessor(candidate, itsSuccessors);
        return true;
    }

    /** True if {@code candidate} lies between us and {@code current}, which is still our successor. */
    private boolean isBetterSuccessor(NodeRef candidate, NodeRef current) {
        List<NodeRef> succs = tables.successors();
        return !succs.isEmpty() && succs.get(0).equals(current) && candidate.id().inOpen(self.id(), current.id());
    }

    CompletableFuture<Void> checkPredecessor() {
        NodeRef p = tables.predecessor();
        if (p == null) {
            return CompletableFuture.completedFuture(null);
        }
        return rpc.call(p, new Ping(p.vnode()), Ack.class).handle((ack, error) -> {
            if (error != null && p.equals(tables.predecessor())) {
                tables.setPredecessor(null);
            }
            return null;
        });
    }

    CompletableFuture<Void> fixFingers() {
        List<NodeRef> succs = tables.successors();
        if (succs.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        FingerTable fingers = tables.fingers();
        NodeRef succ = succs.get(0);
        int i = nextFinger;
        if (fingers.start(i).inHalfOpen(self.id(), succ.id())) {
            i = fingers.fill(i, succ);
            if (i == Id.BITS) {
                nextFinger = 0;
                return CompletableFuture.completedFuture(null);
            }
        }
        int index = i;
        return Lookup.fromNode(fingers.start(index), rpc, config, tables, false)
                .thenCompose(found -> proximity.choose(fingers, index, found))
                .handle((finger, error) -> {
                    nextFinger = error == null ? fingers.fill(index, finger) : index + 1;
                    if (nextFinger >= Id.BITS) {
                        nextFinger = 0;
                    }
                    return null;
                });
    }

    /** Zave's rectify: a better predecessor is adopted; a worse one only if the current one is dead. */
    void rectify(NodeRef candidate) {
        if (candidate.equals(self)) {
            return;
        }
        NodeRef p = tables.predecessor();
        if (p == null || candidate.id().inOpen(p.id(), self.id())) {
            tables.setPredecessor(candidate);
        } else if (!candidate.equals(p)) {
            rpc.call(p, new Ping(p.vnode()), Ack.class).whenComplete((ack, error) -> {
                if (error != null && p.equals(tables.predecessor())) {
                    tables.setPredecessor(candidate);
                }
            });
        }
    }

    /** Repairs our pointers at once when a neighbour says it is leaving. */
    void neighbourLeft(Leave leave) {
        NodeRef gone = leave.leaving();
        List<NodeRef> succs = tables.successors();
        if (!succs.isEmpty() && succs.get(0).equals(gone)) {
            // Our successor is leaving: its successor list is our new one, from its first entry.
            List<NodeRef> rest = new ArrayList<>(leave.successors());
            rest.remove(gone);
            tables.adoptSuccessorList(rest);
        }
        tables.peerDied(gone);
        NodeRef heir = leave.predecessor();
        if (heir != null && !heir.equals(self) && !heir.equals(gone) && tables.predecessor() == null) {
            rpc.call(heir, new Ping(heir.vnode()), Ack.class).whenComplete((ack, error) -> {
                if (error == null && tables.predecessor() == null) {
                    tables.setPredecessor(heir);
                }
            });
        }
    }
}
