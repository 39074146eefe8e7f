package org.cfs.cluster.dhash;

import java.time.Clock;
import org.cfs.chord.ChordClient;
import org.cfs.chord.Endpoint;
import org.cfs.chord.SystemScheduler;
import org.cfs.chord.netty.NettyTransport;
import org.cfs.cluster.LoopbackRing;
import org.cfs.dhash.DHash;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.DHashMessages;

/**
 * A DHash client outside the ring with its own connections and no history, as a reader that has
 * just started: it has measured no round-trip times, so it asks the replicas in ring order.
 */
final class FreshReader implements AutoCloseable {
    private final SystemScheduler scheduler = SystemScheduler.create("fresh-reader");
    private final NettyTransport transport = NettyTransport.client(DHashMessages.registry(),
            NettyTransport.Options.defaults());
    private final DHash dhash;

    FreshReader(Endpoint via, DHashConfig config) {
        ChordClient chord = new ChordClient(transport, scheduler, LoopbackRing.loopbackConfig());
        dhash = DHash.client(chord, via, transport, scheduler, config, Clock.systemUTC());
    }

    DHash dhash() {
        return dhash;
    }

    @Override
    public void close() {
        dhash.close();
        transport.close();
        scheduler.close();
    }
}
