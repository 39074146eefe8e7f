package org.cfs.chord;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.wire.ChordMessages.Ack;
import org.cfs.chord.wire.ChordMessages.Route;

/**
 * The KBR {@code route} at one vnode: passes an application message one hop closer to the owner
 * of its key, asking the application's {@code forward} at every hop and calling its
 * {@code deliver} at the owner. A hop that does not accept is dropped and the next best tried.
 *
 * <p>Runs on the host scheduler's thread only.
 */
final class KeyRouter {
    private static final int ROUTE_ATTEMPTS = 3;

    private final VnodeTables tables;
    private final NodeRef self;
    private final Rpc rpc;

    KeyRouter(VnodeTables tables, Rpc rpc) {
        this.tables = tables;
        this.self = tables.self();
        this.rpc = rpc;
    }

    /** Starts routing {@code message} from here, trying {@code hint} first if not null. */
    CompletableFuture<Void> route(Id key, byte[] message, NodeRef hint) {
        CompletableFuture<Void> accepted = new CompletableFuture<>();
        rpc.onLoop(self, accepted, () -> forward(key, message, hint, 0, ROUTE_ATTEMPTS, accepted));
        return accepted;
    }

    /** A {@link Route} reached this vnode: deliver it here or pass it on. */
    void arrived(Route route) {
        if (route.last()) {
            tables.application().deliver(route.key(), route.payload());
        } else {
            forward(route.key(), route.payload(), null, route.hops() + 1, ROUTE_ATTEMPTS, new CompletableFuture<>());
        }
    }

    private void forward(Id key, byte[] message, NodeRef hint, int hops, int attempts,
                         CompletableFuture<Void> accepted) {
        List<NodeRef> succs = tables.successors();
        NodeRef pred = tables.predecessor();
        if (succs.isEmpty() || (pred != null && key.inHalfOpen(pred.id(), self.id()))) {
            tables.application().deliver(key, message);
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
            // An owner our successor list names is the last hop, as in a lookup (Lookup.ownerIndex).
            int owner = Lookup.ownerIndex(key, self.id(), succs);
            if (owner >= 0) {
                next = succs.get(owner);
                last = true;
            } else {
                List<NodeRef> closer = tables.closestPreceding(key, 1, false);
                next = closer.isEmpty() ? succs.get(0) : closer.get(0);
            }
        }
        NodeRef planned = next;
        next = tables.application().forward(key, message, next);
        if (next == null) {
            accepted.complete(null);
            return;
        }
        NodeRef to = next;
        boolean toOwner = last && to.equals(planned);
        rpc.call(to, new Route(to.vnode(), key, message, toOwner, hops), Ack.class).whenComplete((ack, error) -> {
            if (error == null) {
                accepted.complete(null);
            } else if (attempts > 1) {
                tables.peerDied(to);
                forward(key, message, null, hops, attempts - 1, accepted);
            } else {
                accepted.completeExceptionally(error);
            }
        });
    }
}
