package org.cfs.chord;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.cfs.chord.wire.ChordMessages.Ack;
import org.cfs.chord.wire.ChordMessages.Leave;
import org.cfs.chord.wire.ChordMessages.VnodeRequest;
import org.cfs.chord.wire.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One vnode's life: it creates or joins the ring, runs the maintenance rounds while it is in it,
 * lets requests through to its {@link VnodeServer} only then, and leaves or stops. Its parts:
 * {@link VnodeTables} (what it knows), {@link RingMaintenance} (keeping that right),
 * {@link MergeCheck} (finding the rest of the ring after a partition), {@link VnodeServer}
 * (answering peers), {@link KeyRouter} and {@link KbrNode} (the KBR API).
 *
 * <p>Everything runs on the host scheduler's thread.
 */
final class Vnode {
    private static final Logger LOG = LoggerFactory.getLogger(Vnode.class);

    private final NodeRef self;
    private final ChordHost host;
    private final ChordConfig config;
    private final Rpc rpc;
    private final VnodeTables tables;
    private final RingMaintenance maintenance;
    private final MergeCheck merge;
    private final VnodeServer server;
    private final KbrNode api;
    private volatile boolean running;
    private final List<Scheduler.Timer> timers = new ArrayList<>(4);

    Vnode(NodeRef self, ChordHost host, Rpc rpc) {
        this.self = self;
        this.host = host;
        this.config = host.config();
        this.rpc = rpc;
        this.tables = new VnodeTables(self, config, host::holds);
        this.maintenance = new RingMaintenance(tables, config, rpc);
        this.merge = new MergeCheck(tables, maintenance, new FarNodes(self.id(), rpc.scheduler()), config, rpc);
        KeyRouter router = new KeyRouter(tables, rpc);
        this.server = new VnodeServer(tables, maintenance, router);
        this.api = new KbrNode(tables, config, rpc, router);
    }

    NodeRef self() {
        return self;
    }

    /** This vnode's KBR API. */
    ChordNode api() {
        return api;
    }

    /** Starts a new ring of one. */
    void create() {
        running = true;
        startMaintenance();
    }

    /**
     * Joins the ring through {@code bootstrap}: finds our successor, adopts it, and lets
     * stabilization do the rest. Fails with {@link InvalidNodeException} when a node at another
     * port of this IP address already holds our id: ids are H(ip#vnode), one node per address.
     */
    CompletableFuture<Void> join(NodeRef bootstrap) {
        return Lookup.fromSeeds(self.id(), rpc, config, List.of(bootstrap), null).thenAcceptAsync(found -> {
            NodeRef owner = found.owner();
            if (owner.id().equals(self.id()) && !owner.endpoint().equals(self.endpoint())) {
                throw new InvalidNodeException("vnode " + self.vnode() + " of " + self.endpoint()
                        + " has the id that " + owner.endpoint() + " already holds in the ring: node ids are"
                        + " H(ip#vnode), so each node needs its own IP address");
            }
            List<NodeRef> tail = found.replicaSet().subList(1, found.replicaSet().size());
            tables.adoptSuccessors(found.owner(), tail);
            merge.joined(bootstrap, found);
            running = true;
            startMaintenance();
            maintenance.stabilize();
        }, rpc.scheduler());
    }

    /** Tells predecessor and successor we are going, after the application had its say. */
    CompletableFuture<Void> leave() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        rpc.onLoop(self, done, () -> {
            if (!running) {
                done.complete(null);
                return;
            }
            tables.application().update(self, false);
            stopMaintenance();
            NodeRef pred = tables.predecessor();
            List<NodeRef> succs = tables.successors();
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
        rpc.onLoop(self, new CompletableFuture<>(), this::stopMaintenance);
    }

    /** Serves a request from a peer, which only a vnode in the ring does. */
    Message handle(VnodeRequest request) {
        if (!running) {
            throw new RemoteException(RemoteException.NOT_READY, "vnode " + self + " is not in the ring");
        }
        return request.accept(server);
    }

    private void startMaintenance() {
        loop(config.stabilizeInterval(), maintenance::stabilize);
        loop(config.fixFingersInterval(), maintenance::fixFingers);
        loop(config.checkPredecessorInterval(), maintenance::checkPredecessor);
        loop(config.mergeInterval(), merge::run);
    }

    private void stopMaintenance() {
        running = false;
        timers.forEach(Scheduler.Timer::cancel);
        timers.clear();
    }

    /** Runs {@code round} about every {@code period}, never two of one kind at once. */
    private void loop(Duration period, Supplier<CompletableFuture<Void>> round) {
        double jitter = 0.5 + host.random().nextDouble();
        Duration delay = Duration.ofNanos((long) (period.toNanos() * jitter));
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

    @Override
    public String toString() {
        return "vnode " + self;
    }
}
