package org.cfs.chord;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Finds the rest of the ring again after a network partition healed. Each half of a partitioned
 * ring stabilizes into a ring of its own, and Chord's rounds never look outside it; so every
 * merge interval a vnode looks up its own id starting at one of its {@link FarNodes}. Through a
 * node of its own ring the answer is itself. Through a node of the other ring it is the first node
 * there after its id: if that lies between the vnode and its successor, it is adopted as
 * successor the way stabilize adopts one ({@link RingMaintenance#offerSuccessor}): it answered the
 * lookup's last query, and then it is notified. The two rings then interleave node by node and
 * stabilization makes one ring of them.
 *
 * <p>On a correct ring no live node lies between a vnode and its successor, so a check changes
 * nothing; a far node that is dead or cut off only costs the check its timeouts.
 *
 * <p>Runs on the host scheduler's thread only.
 */
final class MergeCheck {
    private final VnodeTables tables;
    private final RingMaintenance maintenance;
    private final FarNodes far;
    private final ChordConfig config;
    private final Rpc rpc;

    MergeCheck(VnodeTables tables, RingMaintenance maintenance, FarNodes far, ChordConfig config, Rpc rpc) {
        this.tables = tables;
        this.maintenance = maintenance;
        this.far = far;
        this.config = config;
        this.rpc = rpc;
    }

    /**
     * Remembers the join node (unless it is this vnode's own host) and the nodes the join's lookup
     * went through: the first far nodes a vnode knows.
     */
    void joined(NodeRef bootstrap, LookupResult found) {
        if (!bootstrap.endpoint().equals(tables.self().endpoint())) {
            far.heard(bootstrap);
        }
        far.heardAll(found.path());
    }

    /** One check: remembers the current successors and fingers, then looks our id up through the next far node. */
    CompletableFuture<Void> run() {
        NodeRef self = tables.self();
        far.heardAll(tables.successors());
        far.heardAll(tables.fingers().distinct());
        NodeRef via = far.next();
        if (via == null) {
            return CompletableFuture.completedFuture(null);
        }
        return Lookup.fromSeeds(self.id(), rpc, config, List.of(via), tables).handle((found, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                LookupException le = cause instanceof LookupException l ? l : null;
                far.checked(via, le != null && le.hops() > 0);
                rpc.metrics().mergeChecked(le == null ? 1 : le.hops() + le.timeouts());
                return null;
            }
            far.checked(via, true);
            rpc.metrics().mergeChecked(found.hops() + found.timeouts());
            far.heardAll(found.path());
            NodeRef owner = found.owner();
            List<NodeRef> replicas = found.replicaSet();
            if (owner != null && !replicas.isEmpty()
                    && maintenance.offerSuccessor(owner, replicas.subList(1, replicas.size()))) {
                rpc.metrics().mergeAdopted();
            }
            return null;
        });
    }
}
