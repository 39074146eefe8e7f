package org.cfs.chord;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One vnode as the layers above see it: the KBR API ({@link ChordNode}). Lookups and routes go out
 * from here; the local queries answer from the vnode's tables and are safe from any thread.
 */
final class KbrNode implements ChordNode {
    private final VnodeTables tables;
    private final NodeRef self;
    private final ChordConfig config;
    private final Rpc rpc;
    private final KeyRouter router;

    KbrNode(VnodeTables tables, ChordConfig config, Rpc rpc, KeyRouter router) {
        this.tables = tables;
        this.self = tables.self();
        this.config = config;
        this.rpc = rpc;
        this.router = router;
    }

    @Override
    public NodeRef self() {
        return self;
    }

    @Override
    public CompletableFuture<LookupResult> lookup(Id key) {
        return Lookup.fromNode(key, rpc, config, tables, false);
    }

    @Override
    public CompletableFuture<LookupResult> lookupHolder(Id key) {
        return Lookup.fromNode(key, rpc, config, tables, true);
    }

    @Override
    public void distrust(NodeRef node) {
        rpc.suspects().mark(node.id());
    }

    @Override
    public CompletableFuture<Void> route(Id key, byte[] message, NodeRef hint) {
        return router.route(key, message, hint);
    }

    @Override
    public List<NodeRef> localLookup(Id key, int num, boolean safe) {
        List<NodeRef> succs = tables.successors();
        if (!succs.isEmpty() && key.inHalfOpen(self.id(), succs.get(0).id())) {
            return List.of(succs.get(0));
        }
        return tables.closestPreceding(key, num, safe);
    }

    @Override
    public List<NodeRef> neighborSet(int max) {
        List<NodeRef> set = new ArrayList<>(tables.neighbourSet());
        return set.size() > max ? List.copyOf(set.subList(0, max)) : List.copyOf(set);
    }

    @Override
    public List<NodeRef> replicaSet(Id key, int max) {
        List<NodeRef> succs = tables.successors();
        NodeRef pred = tables.predecessor();
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
        NodeRef pred = tables.predecessor();
        List<NodeRef> view = new ArrayList<>();
        if (pred != null) {
            view.add(pred);
        }
        view.add(self);
        view.addAll(tables.successors());
        int j = view.indexOf(node);
        if (j < 0 || rank < 0 || j - rank - 1 < 0) {
            return Optional.empty();
        }
        return Optional.of(new KeyRange(view.get(j - rank - 1).id(), view.get(j - rank).id()));
    }

    @Override
    public void setApplication(KbrApplication application) {
        tables.setApplication(application);
    }

    @Override
    public Optional<NodeRef> predecessor() {
        return Optional.ofNullable(tables.predecessor());
    }

    @Override
    public List<NodeRef> successors() {
        return tables.successors();
    }

    @Override
    public List<NodeRef> fingers() {
        return tables.fingers().distinct();
    }

    @Override
    public String toString() {
        return "vnode " + self;
    }
}
