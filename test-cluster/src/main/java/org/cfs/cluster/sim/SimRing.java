package org.cfs.cluster.sim;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.ChordHost;
import org.cfs.chord.Endpoint;
import org.cfs.chord.sim.HostDelays;
import org.cfs.chord.sim.LatencyModel;
import org.cfs.chord.sim.RegionLatency;
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
    private MeterRegistry meterRegistry;
    private int created;

    public SimRing(long seed, ChordConfig config) {
        this(seed, config, Duration.ofMillis(5), Duration.ofMillis(50));
    }

    /** One-way message delay of each host is drawn from [minDelay, maxDelay]. */
    public SimRing(long seed, ChordConfig config, Duration minDelay, Duration maxDelay) {
        this(seed, config, new HostDelays(minDelay, maxDelay));
    }

    /** Link delays from {@code latency}, e.g. {@link RegionLatency}. */
    public SimRing(long seed, ChordConfig config, LatencyModel latency) {
        this.network = new SimNetwork(seed, latency);
        this.random = network.split();
        this.config = config;
    }

    /**
     * Settings that suit simulation: the defaults with a 1 s per-hop timeout and plain Chord
     * fingers. The simulator's default delays ({@link HostDelays}) have no geography for proximity
     * fingers to use, and plain fingers keep the path, churn and failure figures comparable with
     * the Chord papers'; {@code ./lab proximity} turns them on with a latency model that has one.
     */
    public static ChordConfig simConfig(int successors) {
        return ChordConfig.defaults().withSuccessors(successors).withRequestTimeout(Duration.ofSeconds(1))
                .withFingerCandidates(1);
    }

    /** The settings every host of this ring runs with. */
    public ChordConfig config() {
        return config;
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

    /** Where hosts created from now on record their meters; by default nowhere. */
    public void meterRegistry(MeterRegistry registry) {
        this.meterRegistry = registry;
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

    /** Starts a new host of one vnode joining through a random running one, without waiting for it. */
    public ChordHost joinAsync() {
        Endpoint via = randomRunningHost();
        ChordHost host = startHost(1);
        host.start(via);
        return host;
    }

    /**
     * Starts a host again at the endpoint of {@code crashed}, so with the same node ids, joining
     * through a random running host without waiting for it; the caller gave it back its disk, or not.
     */
    public ChordHost rejoinAsync(ChordHost crashed) {
        if (live.contains(crashed)) {
            throw new IllegalStateException("host " + crashed.endpoint() + " is running; crash it before it rejoins");
        }
        network.reboot(crashed.endpoint());
        Endpoint via = randomRunningHost();
        ChordHost host = startHost(crashed.vnodes().size(), crashed.endpoint());
        host.start(via);
        return host;
    }

    private ChordHost startHost(int vnodes) {
        return startHost(vnodes, new Endpoint(address(created++), 4000));
    }

    private ChordHost startHost(int vnodes, Endpoint endpoint) {
        ChordHost.Builder builder = ChordHost.builder()
                .config(config)
                .vnodes(vnodes)
                .scheduler(network.scheduler(endpoint))
                .random(network.split())
                .transport(handler -> network.attach(endpoint, handler));
        if (meterRegistry != null) {
            builder.meterRegistry(meterRegistry);
        }
        ChordHost host = builder.build();
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

    /** The hosts that have joined (every vnode found its successor) and have not been crashed. */
    public List<ChordHost> runningHosts() {
        return live.stream().filter(h -> h.state() == ChordHost.State.RUNNING).toList();
    }

    /**
     * Starts a fresh host of {@code vnodes} vnodes joining through a random running host, without
     * waiting: the churn of the Chord papers' "lookups during stabilization" experiment.
     */
    public CompletableFuture<Void> joinThroughRandomHost(int vnodes) {
        Endpoint via = randomRunningHost();
        if (via == null) {
            throw new IllegalStateException("no running host to join through: the ring of " + live.size()
                    + " live hosts has none that finished joining");
        }
        return addHostAsync(vnodes, via);
    }

    /** Crashes one random running host; returns it, or null when none runs. */
    public ChordHost crashRandomRunningHost() {
        List<ChordHost> running = runningHosts();
        if (running.isEmpty()) {
            return null;
        }
        ChordHost victim = running.get(random.nextInt(running.size()));
        crash(victim);
        return victim;
    }

    private Endpoint randomRunningHost() {
        return randomOf(runningHosts());
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
        growInWaves(hosts, batch, pause, running -> { });
    }

    /** As {@link #growInWaves(int, int, Duration)}, telling {@code afterWave} how many hosts run after each wave. */
    public void growInWaves(int hosts, int batch, Duration pause, IntConsumer afterWave) {
        int added = 0;
        if (live.isEmpty() && hosts > 0) {
            addHost(1);
            added = 1;
        }
        while (added < hosts) {
            int wave = Math.min(Math.min(batch, hosts - added), Math.max(1, live.size() / 4));
            List<CompletableFuture<Void>> joins = new ArrayList<>(wave);
            // No host of a wave runs before the clock moves, so one list serves the whole wave.
            List<ChordHost> running = runningHosts();
            for (int i = 0; i < wave; i++) {
                joins.add(addHostAsync(1, randomOf(running)));
            }
            awaitDone(CompletableFuture.allOf(joins.toArray(CompletableFuture[]::new)), Duration.ofMinutes(10));
            advance(pause);
            added += wave;
            afterWave.accept(added);
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
