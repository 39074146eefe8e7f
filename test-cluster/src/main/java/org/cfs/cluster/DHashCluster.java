package org.cfs.cluster;

import java.time.Clock;
import java.util.List;
import org.cfs.chord.ChordHost;
import org.cfs.chord.Endpoint;
import org.cfs.dhash.BlockStore;
import org.cfs.dhash.DHash;

/**
 * A {@link Cluster} whose hosts each run DHash on a store of their own: block scenarios are
 * written once against this and run on the simulator and on loopback alike.
 */
public interface DHashCluster extends Cluster {

    /** DHash of a live host. */
    DHash on(ChordHost host);

    /**
     * A new DHash client outside the ring that reaches it through {@code via}. It has measured no
     * round-trip times, so it asks a key's replicas in ring order. The cluster closes it.
     */
    DHash client(Endpoint via);

    /** The wall clock the hosts check block expiry against. */
    Clock wallClock();

    /** The store of a live host, for scenarios that inspect or tamper with it. */
    default BlockStore store(ChordHost host) {
        return on(host).stores().get(0);
    }

    /** DHash of every live host. */
    default List<DHash> live() {
        return hosts().stream().map(this::on).toList();
    }
}
