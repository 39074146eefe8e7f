package org.cfs.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.ChordClient;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.ChordHost;
import org.cfs.chord.Endpoint;
import org.cfs.chord.SystemScheduler;
import org.cfs.chord.netty.NettyTransport;
import org.cfs.dhash.DHash;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.DHashException;
import org.cfs.dhash.DHashMessages;
import org.cfs.dhash.RocksBlockStore;
import org.cfs.dhash.StoreLimits;

/**
 * Real hosts on loopback ({@link LoopbackRing}), each running DHash on a RocksDB store of its own
 * in {@code <base>/node-<port>}. {@link #crash} closes a host and its store without telling anyone;
 * {@link #restart} brings a crashed host back on the same port and data directory.
 */
public final class LoopbackDHashRing implements DHashCluster {
    private final LoopbackRing ring;
    private final ChordConfig chord;
    private final DHashConfig config;
    private final StoreLimits limits;
    private final Path base;
    private final Map<ChordHost, Member> members = new LinkedHashMap<>();
    /** Hosts started by {@link #restart}, which the underlying ring did not start. */
    private final List<ChordHost> restarted = new ArrayList<>();
    /** Closes what {@link #client} started: a client's DHash, then its connections, then its timer thread. */
    private final List<Runnable> clients = new ArrayList<>();

    /** One host's DHash and what it owns. */
    private record Member(DHash dhash, RocksBlockStore store, Path dir) {
    }

    public LoopbackDHashRing(ChordConfig chord, DHashConfig config, StoreLimits limits, Path base) {
        this.ring = new LoopbackRing(chord, DHashMessages.registry());
        this.chord = chord;
        this.config = config;
        this.limits = limits;
        this.base = base;
        ring.onHostCreated(this::install);
    }

    private synchronized void install(ChordHost host) {
        Path dir = dataDir(host.endpoint());
        RocksBlockStore store;
        try {
            store = RocksBlockStore.open(dir, limits);
        } catch (DHashException e) {
            throw new UncheckedIOException(new IOException(e.getMessage(), e));
        }
        members.put(host, new Member(DHash.node(host, store, config, Clock.systemUTC(), null, null), store, dir));
    }

    /** Where the host at {@code endpoint} keeps its blocks. */
    public Path dataDir(Endpoint endpoint) {
        return base.resolve("node-" + endpoint.port());
    }

    @Override
    public ChordHost addHost(int vnodes) {
        return ring.addHost(vnodes);
    }

    @Override
    public synchronized DHash on(ChordHost host) {
        return member(host).dhash();
    }

    /** A client with connections and a timer thread of its own, as a reader in another process. */
    @Override
    public synchronized DHash client(Endpoint via) {
        SystemScheduler scheduler = SystemScheduler.create("dhash-client-" + clients.size());
        NettyTransport transport = NettyTransport.client(DHashMessages.registry(), NettyTransport.Options.defaults());
        DHash client = DHash.client(new ChordClient(transport, scheduler, chord), via, transport, scheduler, config,
                Clock.systemUTC());
        clients.add(() -> {
            client.close();
            transport.close();
            scheduler.close();
        });
        return client;
    }

    @Override
    public Clock wallClock() {
        return Clock.systemUTC();
    }

    @Override
    public synchronized RocksBlockStore store(ChordHost host) {
        return member(host).store();
    }

    private Member member(ChordHost host) {
        Member m = members.get(host);
        if (m == null) {
            throw new IllegalArgumentException("host " + host.endpoint() + " is not a live host of this ring");
        }
        return m;
    }

    @Override
    public synchronized List<ChordHost> hosts() {
        List<ChordHost> out = new ArrayList<>(ring.hosts());
        out.addAll(restarted);
        return out;
    }

    /** Closes the host without a leave, then its DHash and its store. */
    @Override
    public synchronized void crash(ChordHost host) {
        Member m = member(host);
        if (!restarted.remove(host)) {
            ring.crash(host);
        }
        host.close();
        members.remove(host);
        m.dhash().close();
        m.store().close();
    }

    /**
     * Starts a host on {@code endpoint} (that of a crashed host) with the store in its data
     * directory, and joins it through the first live host.
     */
    public synchronized ChordHost restart(Endpoint endpoint, int vnodes) {
        NettyTransport.Options options = NettyTransport.Options.defaults().withMaxVnodes(chord.maxVnodes());
        ChordHost host = ChordHost.builder()
                .config(chord)
                .vnodes(vnodes)
                .transport(handler -> NettyTransport.bind(endpoint, DHashMessages.registry(), handler, options))
                .build();
        try {
            install(host);
        } catch (RuntimeException e) {
            host.close();
            throw e;
        }
        Endpoint via = hosts().get(0).endpoint();
        restarted.add(host);
        try {
            awaitDone(host.start(via), Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            crash(host);
            throw e;
        }
        return host;
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

    /** Closes every client, then every host, then every DHash and store. */
    @Override
    public synchronized void close() {
        clients.forEach(Runnable::run);
        clients.clear();
        restarted.forEach(ChordHost::close);
        ring.close();
        members.values().forEach(m -> {
            m.dhash().close();
            m.store().close();
        });
        members.clear();
        restarted.clear();
    }
}
