package org.cfs.cluster.sim;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.ChordHost;
import org.cfs.dhash.DHash;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.MemoryBlockStore;
import org.cfs.dhash.StoreLimits;

/**
 * A simulated ring where every host runs DHash on an in-memory store, all on virtual time: store
 * I/O runs inline on the simulation thread so a run stays a function of its seed.
 */
public final class SimDHashRing implements AutoCloseable {
    private final SimRing ring;
    private final Map<ChordHost, DHash> dhash = new HashMap<>();
    private final SimWallClock wallClock;

    public SimDHashRing(long seed, ChordConfig chord, DHashConfig config, StoreLimits limits) {
        this.ring = new SimRing(seed, chord);
        this.wallClock = new SimWallClock(ring.clock(), Instant.parse("2026-01-01T00:00:00Z"));
        ring.onHostCreated(host -> dhash.put(host, DHash.node(host, new MemoryBlockStore(limits), config,
                wallClock, Runnable::run, ring.network().split())));
    }

    public SimRing ring() {
        return ring;
    }

    public SimWallClock wallClock() {
        return wallClock;
    }

    /** DHash of a live host. */
    public DHash on(ChordHost host) {
        return dhash.get(host);
    }

    /** DHash of every live host. */
    public List<DHash> live() {
        return ring.hosts().stream().map(dhash::get).toList();
    }

    @Override
    public void close() {
        dhash.values().forEach(DHash::close);
        ring.close();
    }
}
