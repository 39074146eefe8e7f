package org.cfs.chord;

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

/**
 * Answers the chord requests addressed to one vnode: from its tables, after the repair a notify
 * or leave asks of its maintenance, or by passing a routed message on.
 *
 * <p>Runs on the host scheduler's thread only, and only while the vnode is in the ring.
 */
final class VnodeServer implements VnodeRequest.Handler {
    private final VnodeTables tables;
    private final RingMaintenance maintenance;
    private final KeyRouter router;

    VnodeServer(VnodeTables tables, RingMaintenance maintenance, KeyRouter router) {
        this.tables = tables;
        this.maintenance = maintenance;
        this.router = router;
    }

    @Override
    public Ack onPing(Ping request) {
        return new Ack();
    }

    @Override
    public Neighbours onGetNeighbours(GetNeighbours request) {
        return tables.localNeighbours();
    }

    @Override
    public StepReply onFindStep(FindStep request) {
        return tables.localStep(request.key(), request.max());
    }

    @Override
    public Neighbours onNotify(Notify request) {
        maintenance.rectify(request.candidate());
        return tables.localNeighbours();
    }

    @Override
    public Ack onLeave(Leave request) {
        maintenance.neighbourLeft(request);
        return new Ack();
    }

    @Override
    public Ack onRoute(Route request) {
        router.arrived(request);
        return new Ack();
    }
}
