package org.cfs.dhash;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.ChordHost;
import org.cfs.chord.Endpoint;
import org.cfs.chord.NodeRef;
import org.cfs.chord.sim.SimNetwork;

/**
 * DHash nodes on a simulated network, for dhash's own tests: hosts {@code h0}, {@code h1}, ... of
 * one vnode each with a successor list of 6, each with a {@link MemoryBlockStore}, on a fixed wall
 * clock. {@link #await} runs virtual time until a future completes. Bigger rings with the
 * simulator's helpers live in test-cluster; this is the few hosts a repair or hand-over test needs.
 */
final class SimDHashNodes {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    final SimNetwork net;
    final List<ChordHost> hosts = new ArrayList<>();
    final List<DHash> dhash = new ArrayList<>();
    final List<MemoryBlockStore> stores = new ArrayList<>();

    SimDHashNodes(long seed) {
        net = new SimNetwork(seed, Duration.ofMillis(2), Duration.ofMillis(20));
    }

    /** Adds {@code count} hosts, each joining through the first, then lets the ring settle for 60 s. */
    void grow(int count, DHashConfig config, StoreLimits limits) {
        for (int i = 0; i < count; i++) {
            Endpoint e = new Endpoint("h" + hosts.size(), 4000);
            ChordHost h = ChordHost.builder().config(ChordConfig.defaults().withSuccessors(6))
                    .scheduler(net.scheduler(e)).random(net.split())
                    .transport(handler -> net.attach(e, handler)).build();
            MemoryBlockStore store = new MemoryBlockStore(limits);
            dhash.add(DHash.node(h, store, config, CLOCK, Runnable::run, net.split()));
            stores.add(store);
            await(h.start(hosts.isEmpty() ? null : hosts.get(0).endpoint()));
            hosts.add(h);
        }
        net.clock().runFor(Duration.ofSeconds(60));
    }

    /** Runs virtual time until {@code f} completes, for at most 200 virtual seconds; its value. */
    <T> T await(CompletableFuture<T> f) {
        for (int i = 0; i < 20_000 && !f.isDone(); i++) {
            net.clock().runFor(Duration.ofMillis(10));
        }
        assertTrue(f.isDone(), "not done within 200 virtual seconds");
        return f.join();
    }

    /** The store of the host at {@code node}'s address. */
    MemoryBlockStore storeOf(NodeRef node) {
        for (int i = 0; i < hosts.size(); i++) {
            if (hosts.get(i).endpoint().equals(node.endpoint())) {
                return stores.get(i);
            }
        }
        throw new AssertionError("no host at " + node);
    }
}
