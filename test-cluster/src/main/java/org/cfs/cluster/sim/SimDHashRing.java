package org.cfs.cluster.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.ChordClient;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.ChordHost;
import org.cfs.chord.Endpoint;
import org.cfs.chord.RemoteException;
import org.cfs.chord.Transport;
import org.cfs.cluster.DHashCluster;
import org.cfs.dhash.BlockStore;
import org.cfs.dhash.DHash;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.MemoryBlockStore;
import org.cfs.dhash.StoreLimits;

/**
 * A simulated ring where every host runs DHash on an in-memory store, all on virtual time: store
 * I/O runs inline on the simulation thread so a run stays a function of its seed.
 */
public final class SimDHashRing implements DHashCluster {
    private final SimRing ring;
    private final ChordConfig chord;
    private final DHashConfig config;
    private final Map<ChordHost, DHash> dhash = new HashMap<>();
    private final List<DHash> clients = new ArrayList<>();
    private final SimWallClock wallClock;
    /** The disk the next host created gets instead of a new one: how a host restarts with its blocks. */
    private BlockStore reusedDisk;

    public SimDHashRing(long seed, ChordConfig chord, DHashConfig config, StoreLimits limits) {
        this(new SimRing(seed, chord), chord, config, limits);
    }

    /** DHash on every host of {@code ring}, which must have no hosts yet. */
    public SimDHashRing(SimRing ring, ChordConfig chord, DHashConfig config, StoreLimits limits) {
        if (!ring.hosts().isEmpty()) {
            throw new IllegalArgumentException("DHash must be on every host: the ring already has "
                    + ring.hosts().size());
        }
        this.ring = ring;
        this.chord = chord;
        this.config = config;
        this.wallClock = new SimWallClock(ring.clock(), Instant.parse("2026-01-01T00:00:00Z"));
        ring.onHostCreated(host -> {
            BlockStore disk = reusedDisk != null ? reusedDisk : new MemoryBlockStore(limits);
            reusedDisk = null;
            dhash.put(host, DHash.node(host, disk, config, wallClock, Runnable::run, ring.network().split()));
        });
    }

    /**
     * Starts {@code crashed} again at its endpoint, so with its node ids, as after a transient
     * failure: with the disk it had if {@code keepDisk}, else an empty one. Returns at once; the host
     * joins as virtual time passes.
     */
    public ChordHost restart(ChordHost crashed, boolean keepDisk) {
        DHash before = on(crashed);
        before.close();
        reusedDisk = keepDisk ? before.stores().get(0) : null;
        try {
            return ring.rejoinAsync(crashed);
        } finally {
            reusedDisk = null;
        }
    }

    /** DHash of every host ever started here, crashed ones included: what the whole run cost. */
    public List<DHash> everyNode() {
        return List.copyOf(dhash.values());
    }

    public SimRing ring() {
        return ring;
    }

    @Override
    public SimWallClock wallClock() {
        return wallClock;
    }

    @Override
    public DHash on(ChordHost host) {
        DHash d = dhash.get(host);
        if (d == null) {
            throw new IllegalArgumentException("host " + host.endpoint() + " is not a host of this ring");
        }
        return d;
    }

    /**
     * A client on a network endpoint of its own. It joins nothing, so nobody should send it a
     * request; one that does is refused rather than left to time out.
     */
    @Override
    public DHash client(Endpoint via) {
        Endpoint at = new Endpoint("192.168." + (clients.size() >>> 8 & 0xff) + "." + (clients.size() & 0xff), 4000);
        Transport transport = ring.network().attach(at, (from, request) -> CompletableFuture.failedFuture(
                new RemoteException(RemoteException.UNSUPPORTED, "client " + at + " serves no requests")));
        var scheduler = ring.network().scheduler(at);
        DHash client = DHash.client(new ChordClient(transport, scheduler, chord), via, transport, scheduler, config,
                wallClock);
        clients.add(client);
        return client;
    }

    @Override
    public ChordHost addHost(int vnodes) {
        return ring.addHost(vnodes);
    }

    @Override
    public List<ChordHost> hosts() {
        return ring.hosts();
    }

    /** The host stops at once; its DHash stays reachable through {@link #on} for what it held. */
    @Override
    public void crash(ChordHost host) {
        ring.crash(host);
    }

    @Override
    public int successors() {
        return ring.successors();
    }

    @Override
    public void advance(Duration span) {
        ring.advance(span);
    }

    @Override
    public Duration now() {
        return ring.now();
    }

    @Override
    public void awaitDone(CompletableFuture<?> f, Duration bound) {
        ring.awaitDone(f, bound);
    }

    @Override
    public void close() {
        clients.forEach(DHash::close);
        dhash.values().forEach(DHash::close);
        ring.close();
    }
}
