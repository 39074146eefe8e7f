package org.cfs.cluster.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.ChordHost;
import org.cfs.chord.Endpoint;
import org.cfs.chord.sim.SimClock;
import org.cfs.chord.sim.SimNetwork;
import org.cfs.cluster.Cluster;
import org.cfs.cluster.LookupBatch;

/**
 * A ring of simulated hosts running the real Chord classes on a {@link SimNetwork}: grow it, crash
 * parts of it, let virtual time pass, compare it with the oracle, and run batches of lookups.
 * Deterministic for a given seed.
 */
public final class SimRing implements Cluster {
    private final SimNetwork network;
    private final SplittableRandom random;
    private final ChordConfig config;
    private final List<ChordHost> live = new ArrayList<>();
    private Consumer<ChordHost> setup = host -> { };
    private int created;

    public SimRing(long seed, ChordConfig config) {
        this(seed, config, Duration.ofMillis(5), Duration.ofMillis(50));
    }

    /** One-way message delay of each host is drawn from [minDelay, maxDelay]. */
    public SimRing(long seed, ChordConfig config, Duration minDelay, Duration maxDelay) {
        this.network = new SimNetwork(seed, minDelay, maxDelay);
        this.random = network.split();
        this.config = config;
    }

    /** Settings that suit simulation: the defaults with a 1 s per-hop timeout. */
    public static ChordConfig simConfig(int successors) {
        return ChordConfig.defaults().withSuccessors(successors).withRequestTimeout(Duration.ofSeconds(1));
    }

    public SimClock clock() {
        return network.clock();
    }

    public SimNetwork network() {
        return network;
    }

    @Override
    public List<ChordHost> hosts() {
        return List.copyOf(live);
    }

    /** Runs on every new host after it is built and before it starts: where a layer installs itself. */
    public void onHostCreated(Consumer<ChordHost> setup) {
        this.setup = setup;
    }

    @Override
    public int successors() {
        return config.successors();
    }

    @Override
    public ChordHost addHost(int vnodes) {
        ChordHost host = startHost(vnodes);
        awaitDone(host.start(randomRunningHost()), Duration.ofMinutes(5));
        return host;
    }

    /** Starts a host joining through {@code via} (a new ring if null) without waiting for it. */
    public CompletableFuture<Void> addHostAsync(int vnodes, Endpoint via) {
        return startHost(vnodes).start(via);
    }

    private ChordHost startHost(int vnodes) {
        Endpoint endpoint = new Endpoint(address(created++), 4000);
        ChordHost host = ChordHost.builder()
                .config(config)
                .vnodes(vnodes)
                .scheduler(network.scheduler(endpoint))
                .random(network.split())
                .transport(handler -> network.attach(endpoint, handler))
                .build();
        setup.accept(host);
        live.add(host);
        return host;
    }

    /** Host {@code n}'s address, 10.0.0.1 on in 10.0.0.0/8: node ids are made of it. */
    public static String address(int n) {
        int a = n + 1;
        if (a >= 1 << 24) {
            throw new IllegalArgumentException("the simulator has addresses for 2^24 - 1 hosts, not " + a);
        }
        return "10." + (a >>> 16 & 0xff) + "." + (a >>> 8 & 0xff) + "." + (a & 0xff);
    }

    private Endpoint randomRunningHost() {
        return randomOf(running());
    }

    private List<ChordHost> running() {
        return live.stream().filter(h -> h.state() == ChordHost.State.RUNNING).toList();
    }

    private Endpoint randomOf(List<ChordHost> running) {
        return running.isEmpty() ? null : running.get(random.nextInt(running.size())).endpoint();
    }

    /**
     * Adds hosts of one vnode in waves of up to {@code batch} joining at once, with {@code pause}
     * between waves. A wave is at most a quarter of the ring it joins: many nodes joining a tiny
     * ring at once all take the same successor and untangle only one node per stabilization round
     * (Chord's known worst case), which would measure that case rather than the ring.
     */
    public void growInWaves(int hosts, int batch, Duration pause) {
        int added = 0;
        if (live.isEmpty() && hosts > 0) {
            addHost(1);
            added = 1;
        }
        while (added < hosts) {
            int wave = Math.min(Math.min(batch, hosts - added), Math.max(1, live.size() / 4));
            List<CompletableFuture<Void>> joins = new ArrayList<>(wave);
            // No host of a wave runs before the clock moves, so one list serves the whole wave.
            List<ChordHost> running = running();
            for (int i = 0; i < wave; i++) {
                joins.add(addHostAsync(1, randomOf(running)));
            }
            awaitDone(CompletableFuture.allOf(joins.toArray(CompletableFuture[]::new)), Duration.ofMinutes(10));
            advance(pause);
            added += wave;
        }
    }

    /** Crashes a random {@code fraction} of the live hosts at once; returns how many. */
    public int crashFraction(double fraction) {
        int count = (int) Math.round(live.size() * fraction);
        for (int i = 0; i < count; i++) {
            crash(live.get(random.nextInt(live.size())));
        }
        return count;
    }

    @Override
    public void crash(ChordHost host) {
        live.remove(host);
        network.crash(host.endpoint());
    }

    @Override
    public void advance(Duration span) {
        clock().runFor(span);
    }

    @Override
    public Duration now() {
        return clock().now();
    }

    @Override
    public void awaitDone(CompletableFuture<?> f, Duration bound) {
        long deadline = clock().nanoTime() + bound.toNanos();
        while (!f.isDone() && clock().nanoTime() < deadline) {
            clock().runFor(Duration.ofMillis(50));
        }
        if (!f.isDone()) {
            throw new IllegalStateException("not done within " + bound + " of virtual time");
        }
        f.join();
    }

    /** Lookups at once from random vnodes, with the ring's own seeded randomness. */
    public LookupBatch lookups(int count) {
        return lookups(count, random);
    }

    /** Nothing to release: the network lives in this object. */
    @Override
    public void close() {
        live.clear();
    }
}
