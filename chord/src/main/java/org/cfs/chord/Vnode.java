package org.cfs.chord;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.cfs.chord.wire.ChordMessages.Ack;
import org.cfs.chord.wire.ChordMessages.FindStep;
import org.cfs.chord.wire.ChordMessages.GetNeighbours;
import org.cfs.chord.wire.ChordMessages.Leave;
import org.cfs.chord.wire.ChordMessages.Neighbours;
import org.cfs.chord.wire.ChordMessages.Notify;
import org.cfs.chord.wire.ChordMessages.Ping;
import org.cfs.chord.wire.ChordMessages.Route;
import org.cfs.chord.wire.ChordMessages.StepReply;
import org.cfs.chord.wire.ChordMessages.VnodeRequest;
import org.cfs.chord.wire.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One vnode: its successor list, predecessor and fingers, the maintenance that keeps them right
 * (Zave's corrected Chord: nothing is adopted before it answered, the successor's new predecessor
 * is queried before it becomes our successor, the old predecessor is pinged before a notifier
 * replaces it), the handlers for chord requests, and the KBR API.
 *
 * <p>All state changes happen on the host scheduler's thread; the volatile fields let other
 * threads read a consistent snapshot.
 */
final class Vnode implements ChordNode, Lookup.Origin, VnodeRequest.Handler {
    private static final Logger LOG = LoggerFactory.getLogger(Vnode.class);
    private static final KbrApplication NO_APPLICATION = new KbrApplication() { };
    private static final int ROUTE_ATTEMPTS = 3;

    private final NodeRef self;
    private final ChordHost host;
    private final ChordConfig config;
    private final Rpc rpc;
    private final FingerTable fingers;
    private volatile List<NodeRef> successors = List.of();
    private volatile NodeRef predecessor;
    private volatile KbrApplication application = NO_APPLICATION;
    private volatile boolean running;
    private int nextFinger;
    private final List<Scheduler.Timer> timers = new ArrayList<>(3);

    Vnode(NodeRef self, ChordHost host, Rpc rpc) {
        this.self = self;
        this.host = host;
        this.config = host.config();
        this.rpc = rpc;
        this.fingers = new FingerTable(self.id());
    }

    // ---- life cycle ----

    /** Starts a new ring of one. */
    void create() {
        running = true;
        startMaintenance();
    }

    /** Joins the ring through {@code bootstrap}: finds our successor, adopts it, and lets
     * stabilization do the rest. */
    CompletableFuture<Void> join(NodeRef bootstrap) {
        return Lookup.fromSeeds(self.id(), rpc, config, List.of(bootstrap), null).thenAcceptAsync(found -> {
            List<NodeRef> tail = found.replicaSet().subList(1, found.replicaSet().size());
            changeNeighbours(() -> successors = successorList(found.owner(), tail));
            running = true;
            startMaintenance();
            stabilize();
        }, rpc.scheduler());
    }

    /** Tells predecessor and successor we are going, after the application had its say. */
    CompletableFuture<Void> leave() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        onLoop(done, () -> {
            if (!running) {
                done.complete(null);
                return;
            }
            application.update(self, false);
            stopMaintenance();
            NodeRef pred = predecessor;
            List<NodeRef> succs = successors;
            List<CompletableFuture<Ack>> told = new ArrayList<>(2);
            if (pred != null && !pred.equals(self)) {
                told.add(rpc.call(pred, new Leave(pred.vnode(), self, pred, succs), Ack.class));
            }
            if (!succs.isEmpty() && !succs.get(0).equals(pred)) {
                NodeRef succ = succs.get(0);
                told.add(rpc.call(succ, new Leave(succ.vnode(), self, pred, succs), Ack.class));
            }
            CompletableFuture.allOf(told.toArray(CompletableFuture[]::new))
                    .whenComplete((ok, error) -> done.complete(null));
        });
        return done;
    }

    /** Stops timers without telling anyone, as a crash would. */
    void stop() {
        running = false;
        onLoop(new CompletableFuture<>(), this::stopMaintenance);
    }

    /** Runs {@code task} on the scheduler thread, or fails {@code outcome} if the host is closed. */
    private void onLoop(CompletableFuture<?> outcome, Runnable task) {
        try {
            rpc.scheduler().execute(task);
        } catch (RejectedExecutionException e) {
            outcome.completeExceptionally(new IllegalStateException("vnode " + self + " is closed", e));
        }
    }

    private void startMaintenance() {
        loop(config.stabilizeInterval(), this::stabilize);
        loop(config.fixFingersInterval(), this::fixFingers);
        loop(config.checkPredecessorInterval(), this::checkPredecessor);
    }

    private void stopMaintenance() {
        running = false;
        timers.forEach(Scheduler.Timer::cancel);
        timers.clear();
    }

    /** Runs {@code round} about every {@code period}, never two of one kind at once. */
    private void loop(java.time.Duration period, java.util.function.Supplier<CompletableFuture<Void>> round) {
        double jitter = 0.5 + host.random().nextDouble();
        java.time.Duration delay = java.time.Duration.ofNanos((long) (period.toNanos() * jitter));
        Scheduler.Timer[] holder = new Scheduler.Timer[1];
        holder[0] = rpc.scheduler().schedule(delay, () -> {
            timers.remove(holder[0]);
            if (!running) {
                return;
            }
            round.get().whenCompleteAsync((ok, error) -> {
                if (error != null) {
                    LOG.debug("{}: maintenance round failed: {}", self, error.toString());
                }
                if (running) {
                    loop(period, round);
                }
            }, rpc.scheduler());
        });
        timers.add(holder[0]);
    }

    // ---- maintenance ----

    CompletableFuture<Void> stabilize() {
        List<NodeRef> succs = successors;
        if (succs.isEmpty()) {
            NodeRef p = predecessor;
            if (p == null) {
                return CompletableFuture.completedFuture(null);
            }
            // Alone but notified: adopt the notifier as successor once it answers.
            return rpc.call(p, new GetNeighbours(p.vnode()), Neighbours.class).handle((nb, error) -> {
                if (error == null) {
                    changeNeighbours(() -> successors = successorList(p, nb.successors()));
                } else {
                    peerDied(p);
                }
                return null;
            });
        }
        NodeRef s = succs.get(0);
        return rpc.call(s, new GetNeighbours(s.vnode()), Neighbours.class).handle((nb, error) -> {
            if (error != null) {
                peerDied(s);
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
        changeNeighbours(() -> successors = successorList(s, itsSuccessors));
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

    /** True if {@code candidate} lies between us and {@code current}, which is still our successor. */
    private boolean isBetterSuccessor(NodeRef candidate, NodeRef current) {
        List<NodeRef> succs = successors;
        return !succs.isEmpty() && succs.get(0).equals(current) && candidate.id().inOpen(self.id(), current.id());
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

    CompletableFuture<Void> checkPredecessor() {
        NodeRef p = predecessor;
        if (p == null) {
            return CompletableFuture.completedFuture(null);
        }
        return rpc.call(p, new Ping(p.vnode()), Ack.class).handle((ack, error) -> {
            if (error != null && p.equals(predecessor)) {
                changeNeighbours(() -> predecessor = null);
            }
            return null;
        });
    }

    CompletableFuture<Void> fixFingers() {
        List<NodeRef> succs = successors;
        if (succs.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
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
        return lookup(fingers.start(index)).handle((found, error) -> {
            nextFinger = error == null ? fingers.fill(index, found.owner()) : index + 1;
            if (nextFinger >= Id.BITS) {
                nextFinger = 0;
            }
            return null;
        });
    }

    // ---- request handlers ----

    Message handle(VnodeRequest request) {
        if (!running) {
            throw new RemoteException(RemoteException.NOT_READY, "vnode " + self + " is not in the ring");
        }
        return request.accept(this);
    }

    @Override
    public Ack onPing(Ping request) {
        return new Ack();
    }

    @Override
    public Neighbours onGetNeighbours(GetNeighbours request) {
        return localNeighbours();
    }

    @Override
    public StepReply onFindStep(FindStep request) {
        return localStep(request.key(), request.max());
    }

    @Override
    public Neighbours onNotify(Notify request) {
        rectify(request.candidate());
        return localNeighbours();
    }

    @Override
    public Ack onLeave(Leave request) {
        neighbourLeft(request);
        return new Ack();
    }

    @Override
    public Ack onRoute(Route request) {
        routeArrived(request);
        return new Ack();
    }

    /** Zave's rectify: a better predecessor is adopted; a worse one only if the current one is dead. */
    private void rectify(NodeRef candidate) {
        if (candidate.equals(self)) {
            return;
        }
        NodeRef p = predecessor;
        if (p == null || candidate.id().inOpen(p.id(), self.id())) {
            changeNeighbours(() -> predecessor = candidate);
        } else if (!candidate.equals(p)) {
            rpc.call(p, new Ping(p.vnode()), Ack.class).whenComplete((ack, error) -> {
                if (error != null && p.equals(predecessor)) {
                    changeNeighbours(() -> predecessor = candidate);
                }
            });
        }
    }

    private void neighbourLeft(Leave leave) {
        NodeRef gone = leave.leaving();
        List<NodeRef> succs = successors;
        if (!succs.isEmpty() && succs.get(0).equals(gone)) {
            // Our successor is leaving: its successor list is our new one, from its first entry.
            List<NodeRef> rest = new ArrayList<>(leave.successors());
            rest.remove(gone);
            changeNeighbours(() -> successors = rest.isEmpty() ? List.of()
                    : successorList(rest.get(0), rest.subList(1, rest.size())));
        }
        peerDied(gone);
        NodeRef heir = leave.predecessor();
        if (heir != null && !heir.equals(self) && !heir.equals(gone) && predecessor == null) {
            rpc.call(heir, new Ping(heir.vnode()), Ack.class).whenComplete((ack, error) -> {
                if (error == null && predecessor == null) {
                    changeNeighbours(() -> predecessor = heir);
                }
            });
        }
    }

    // ---- lookup origin ----

    @Override
    public StepReply localStep(Id key) {
        return localStep(key, config.lookupCandidates());
    }

    private StepReply localStep(Id key, int max) {
        List<NodeRef> succs = successors;
        boolean holds = host.holds(key);
        if (succs.isEmpty()) {
            return new StepReply(true, List.of(), List.of(self), holds);
        }
        if (key.inHalfOpen(self.id(), succs.get(0).id())) {
            return new StepReply(true, List.of(), succs, holds);
        }
        return new StepReply(false, closestPreceding(key, max, false), succs, holds);
    }

    /** Known nodes strictly between us and the key, closest to the key first. */
    private List<NodeRef> closestPreceding(Id key, int max, boolean successorsOnly) {
        List<NodeRef> out = new ArrayList<>();
        if (!successorsOnly) {
            fingers.precedingInto(key, out);
        }
        for (NodeRef s : successors) {
            if (s.id().inOpen(self.id(), key) && !out.contains(s)) {
                out.add(s);
            }
        }
        out.sort(Comparator.comparing((NodeRef n) -> n.id().distanceTo(key)));
        return out.size() > max ? List.copyOf(out.subList(0, max)) : out;
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

    private Set<NodeRef> neighbourSet() {
        Set<NodeRef> set = new LinkedHashSet<>(successors);
        NodeRef p = predecessor;
        if (p != null) {
            set.add(p);
        }
        return set;
    }

    // ---- KBR API ----

    @Override
    public NodeRef self() {
        return self;
    }

    @Override
    public CompletableFuture<LookupResult> lookup(Id key) {
        return Lookup.fromNode(key, rpc, config, this, false);
    }

    @Override
    public CompletableFuture<LookupResult> lookupHolder(Id key) {
        return Lookup.fromNode(key, rpc, config, this, true);
    }

    @Override
    public CompletableFuture<Void> route(Id key, byte[] message, NodeRef hint) {
        CompletableFuture<Void> accepted = new CompletableFuture<>();
        onLoop(accepted, () -> forwardRoute(key, message, hint, 0, ROUTE_ATTEMPTS, accepted));
        return accepted;
    }

    private void routeArrived(Route route) {
        if (route.last()) {
            application.deliver(route.key(), route.payload());
        } else {
            forwardRoute(route.key(), route.payload(), null, route.hops() + 1, ROUTE_ATTEMPTS, new CompletableFuture<>());
        }
    }

    private void forwardRoute(Id key, byte[] message, NodeRef hint, int hops, int attempts,
                              CompletableFuture<Void> accepted) {
        List<NodeRef> succs = successors;
        NodeRef pred = predecessor;
        if (succs.isEmpty() || (pred != null && key.inHalfOpen(pred.id(), self.id()))) {
            application.deliver(key, message);
            accepted.complete(null);
            return;
        }
        NodeRef next;
        boolean last = false;
        if (hint != null) {
            next = hint;
        } else if (key.inHalfOpen(self.id(), succs.get(0).id())) {
            next = succs.get(0);
            last = true;
        } else {
            List<NodeRef> closer = closestPreceding(key, 1, false);
            next = closer.isEmpty() ? succs.get(0) : closer.get(0);
        }
        next = application.forward(key, message, next);
        if (next == null) {
            accepted.complete(null);
            return;
        }
        NodeRef to = next;
        boolean toOwner = last && to.equals(succs.get(0));
        rpc.call(to, new Route(to.vnode(), key, message, toOwner, hops), Ack.class).whenComplete((ack, error) -> {
            if (error == null) {
                accepted.complete(null);
            } else if (attempts > 1) {
                peerDied(to);
                forwardRoute(key, message, null, hops, attempts - 1, accepted);
            } else {
                accepted.completeExceptionally(error);
            }
        });
    }

    @Override
    public List<NodeRef> localLookup(Id key, int num, boolean safe) {
        List<NodeRef> succs = successors;
        if (!succs.isEmpty() && key.inHalfOpen(self.id(), succs.get(0).id())) {
            return List.of(succs.get(0));
        }
        return closestPreceding(key, num, safe);
    }

    @Override
    public List<NodeRef> neighborSet(int max) {
        List<NodeRef> set = new ArrayList<>(neighbourSet());
        return set.size() > max ? List.copyOf(set.subList(0, max)) : List.copyOf(set);
    }

    @Override
    public List<NodeRef> replicaSet(Id key, int max) {
        List<NodeRef> succs = successors;
        NodeRef pred = predecessor;
        List<NodeRef> ring = new ArrayList<>(succs.size() + 1);
        ring.add(self);
        ring.addAll(succs);
        int start = -1;
        if (pred != null && key.inHalfOpen(pred.id(), self.id()) || succs.isEmpty()) {
            start = 0;
        } else {
            for (int i = 1; i < ring.size(); i++) {
                if (key.inHalfOpen(ring.get(i - 1).id(), ring.get(i).id())) {
                    start = i;
                    break;
                }
            }
        }
        if (start < 0) {
            return List.of();
        }
        return List.copyOf(ring.subList(start, Math.min(ring.size(), start + max)));
    }

    @Override
    public Optional<KeyRange> range(NodeRef node, int rank) {
        NodeRef pred = predecessor;
        List<NodeRef> view = new ArrayList<>();
        if (pred != null) {
            view.add(pred);
        }
        view.add(self);
        view.addAll(successors);
        int j = view.indexOf(node);
        if (j < 0 || rank < 0 || j - rank - 1 < 0) {
            return Optional.empty();
        }
        return Optional.of(new KeyRange(view.get(j - rank - 1).id(), view.get(j - rank).id()));
    }

    @Override
    public void setApplication(KbrApplication application) {
        this.application = application == null ? NO_APPLICATION : application;
    }

    @Override
    public Optional<NodeRef> predecessor() {
        return Optional.ofNullable(predecessor);
    }

    @Override
    public List<NodeRef> successors() {
        return successors;
    }

    @Override
    public List<NodeRef> fingers() {
        return fingers.distinct();
    }

    @Override
    public String toString() {
        return "vnode " + self;
    }
}
