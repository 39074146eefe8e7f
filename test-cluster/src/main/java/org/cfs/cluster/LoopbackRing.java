package org.cfs.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.ChordHost;
import org.cfs.chord.Endpoint;
import org.cfs.chord.netty.NettyTransport;
import org.cfs.chord.wire.MessageRegistry;

/**
 * Real hosts in one JVM: Netty TCP, each host on its own loopback address ({@link
 * LoopbackAddresses}) with a port chosen by the kernel and its own event-loop thread, on
 * wall-clock time. Hosts join through the first live host.
 */
public final class LoopbackRing implements Cluster {
    private final ChordConfig config;
    private final NettyTransport.Options options;
    private final MessageRegistry registry;
    private final List<ChordHost> live = new ArrayList<>();
    private final List<ChordHost> all = new ArrayList<>();
    private Consumer<ChordHost> setup = host -> { };

    public LoopbackRing(ChordConfig config) {
        this(config, MessageRegistry.chord());
    }

    /** A ring whose hosts speak the messages of {@code registry}: Chord's plus a layer's own. */
    public LoopbackRing(ChordConfig config, MessageRegistry registry) {
        this.config = config;
        this.registry = registry;
        this.options = NettyTransport.Options.defaults().withMaxVnodes(config.maxVnodes());
    }

    /** Settings for tests and benchmarks on loopback: fast maintenance, short timeouts. */
    public static ChordConfig loopbackConfig() {
        return ChordConfig.defaults()
                .withStabilizeInterval(Duration.ofMillis(200))
                .withRequestTimeout(Duration.ofMillis(500))
                .withLookupDeadline(Duration.ofSeconds(10));
    }

    @Override
    public synchronized ChordHost addHost(int vnodes) {
        Endpoint listen = new Endpoint(LoopbackAddresses.next(), 0);
        ChordHost host = ChordHost.builder()
                .config(config)
                .vnodes(vnodes)
                .transport(handler -> NettyTransport.bind(listen, registry, handler, options))
                .build();
        setup.accept(host);
        Endpoint via = live.isEmpty() ? null : live.get(0).endpoint();
        all.add(host);
        awaitDone(host.start(via), Duration.ofSeconds(30));
        live.add(host);
        return host;
    }

    @Override
    public synchronized List<ChordHost> hosts() {
        return List.copyOf(live);
    }

    @Override
    public synchronized void crash(ChordHost host) {
        live.remove(host);
        host.close();
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
    public void advance(Duration span) {
        try {
            Thread.sleep(span.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting", e);
        }
    }

    @Override
    public Duration now() {
        return Duration.ofNanos(System.nanoTime());
    }

    @Override
    public void awaitDone(CompletableFuture<?> f, Duration bound) {
        try {
            f.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("not done within " + bound, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting", e);
        }
    }

    /** Closes every host this ring started, crashed or not. */
    @Override
    public synchronized void close() {
        all.forEach(ChordHost::close);
        live.clear();
    }
}
