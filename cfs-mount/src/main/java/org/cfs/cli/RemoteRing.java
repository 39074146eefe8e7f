package org.cfs.cli;

import java.time.Duration;
import org.cfs.chord.ChordClient;
import org.cfs.chord.ChordClient.RingWalk;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.Endpoint;
import org.cfs.chord.LookupResult;
import org.cfs.chord.NodeRef;
import org.cfs.chord.SystemScheduler;
import org.cfs.chord.Transport;
import org.cfs.chord.netty.NettyTransport;
import org.cfs.chord.wire.MessageRegistry;

/**
 * A ring seen from outside, for commands that inspect it without joining: a client transport, its
 * event loop and a {@link ChordClient}, closed together.
 */
final class RemoteRing implements AutoCloseable {
    /** Most vnodes a walk visits before it gives up: 16 vnodes on each of 65536 hosts. */
    static final int MAX_WALK = 1 << 20;

    private final SystemScheduler scheduler;
    private final Transport transport;
    private final ChordClient client;

    RemoteRing(ChordConfig config) {
        scheduler = SystemScheduler.create("cfs-client");
        transport = NettyTransport.client(MessageRegistry.chord(), NettyTransport.Options.defaults());
        client = new ChordClient(transport, scheduler, config);
    }

    RingWalk walk(Endpoint via, Duration timeout) {
        return Await.result(client.walk(via, MAX_WALK), timeout, "walking the ring via " + via);
    }

    /** Asks vnode 0 at {@code at} for its neighbours: a check that a ring member answers there. */
    void probe(Endpoint at, Duration timeout) {
        Await.result(client.neighbours(NodeRef.of(at, 0)), timeout, "asking " + at + " for its neighbours");
    }

    LookupResult lookup(LookupKey key, Endpoint via, Duration timeout) {
        return Await.result(client.lookup(key.id(), via), timeout, "lookup via " + via);
    }

    @Override
    public void close() {
        transport.close();
        scheduler.close();
    }
}
