package org.cfs.chord.sim;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.Endpoint;
import org.cfs.chord.RemoteException;
import org.cfs.chord.Scheduler;
import org.cfs.chord.Transport;
import org.cfs.chord.TransportException;
import org.cfs.chord.wire.Message;

/**
 * An in-memory network on virtual time for tests and the simulator: messages are passed as
 * objects after a per-link latency, may be lost with a set probability, and a crashed host neither
 * answers nor runs its timers. Everything is seeded, so a run repeats exactly.
 *
 * <p>A {@link LatencyModel} gives each link its mean one-way delay from the two hosts' placements,
 * and each message takes up to 10% longer (jitter): links of varied but stable latency without
 * storing anything per pair. By default ({@link HostDelays}) each host has a base delay drawn once
 * from {@code [minDelay, maxDelay]} and a link takes the mean of its two; {@link RegionLatency}
 * places hosts in regions of an Internet-like plane.
 *
 * <p>{@link #partition} cuts the network in two: a message between the two sides is dropped, in
 * either direction, until {@link #heal}. Each side goes on as if the other had crashed.
 */
public final class SimNetwork {
    private final SimClock clock = new SimClock();
    private final SplittableRandom random;
    private final LatencyModel latency;
    private final Map<Endpoint, Host> hosts = new HashMap<>();
    private double loss;
    /** One side of the cut, or empty when the network is whole. */
    private Set<Endpoint> side = Set.of();

    public SimNetwork(long seed, Duration minDelay, Duration maxDelay) {
        this(seed, new HostDelays(minDelay, maxDelay));
    }

    public SimNetwork(long seed, LatencyModel latency) {
        this.random = new SplittableRandom(seed);
        this.latency = latency;
    }

    /** The mean round trip between two hosts, without jitter: what a perfect direct measurement would say. */
    public Duration roundTrip(Endpoint a, Endpoint b) {
        return Duration.ofNanos(2 * latency.oneWayNanos(known(a).placement, known(b).placement));
    }

    private Host known(Endpoint endpoint) {
        Host h = hosts.get(endpoint);
        if (h == null) {
            throw new IllegalArgumentException("host " + endpoint + " is not on this network");
        }
        return h;
    }

    public SimClock clock() {
        return clock;
    }

    /** A seeded random source derived from the network's, e.g. for a host's jitter. */
    public SplittableRandom split() {
        return random.split();
    }

    /** Sets the probability that any one message is lost. */
    public void setLoss(double probability) {
        if (probability < 0 || probability >= 1) {
            throw new IllegalArgumentException("loss probability " + probability + " is outside [0, 1)");
        }
        this.loss = probability;
    }

    /**
     * Cuts the network between {@code side} and every other host: from now on a request or reply
     * sent across drops, as if lost, until {@link #heal}. Replaces any earlier cut.
     */
    public void partition(Set<Endpoint> side) {
        if (side.isEmpty()) {
            throw new IllegalArgumentException("a partition needs at least one host on its side; heal() mends it");
        }
        this.side = Set.copyOf(side);
    }

    /** Mends the cut: every host reaches every other again. */
    public void heal() {
        this.side = Set.of();
    }

    /** The scheduler of host {@code endpoint}: it runs on the shared clock but stops when the host crashes. */
    public Scheduler scheduler(Endpoint endpoint) {
        return host(endpoint).scheduler;
    }

    /** Attaches a host's request handler; the returned transport is the host's. */
    public Transport attach(Endpoint endpoint, Transport.RequestHandler handler) {
        Host h = host(endpoint);
        if (h.handler != null) {
            throw new IllegalStateException("host " + endpoint + " is already attached");
        }
        h.handler = handler;
        return h.transport;
    }

    /**
     * Replaces the request handler of an attached host by {@code wrap} applied to it; returns the
     * handler it replaced, which a second call can put back. How the simulator makes a host lie.
     */
    public Transport.RequestHandler interpose(Endpoint endpoint, UnaryOperator<Transport.RequestHandler> wrap) {
        Host h = hosts.get(endpoint);
        if (h == null || h.handler == null) {
            throw new IllegalArgumentException("host " + endpoint + " is not attached to this network");
        }
        Transport.RequestHandler before = h.handler;
        h.handler = wrap.apply(before);
        return before;
    }

    /** The host stops at once: no more replies, no more timers. */
    public void crash(Endpoint endpoint) {
        Host h = hosts.get(endpoint);
        if (h != null) {
            h.alive = false;
        }
    }

    /**
     * Forgets a crashed host so that a new one can attach at its endpoint, as after a reboot: what
     * the crashed one had scheduled or was sending stays dead.
     */
    public void reboot(Endpoint endpoint) {
        Host h = hosts.get(endpoint);
        if (h == null || h.alive) {
            throw new IllegalStateException("host " + endpoint + " is " + (h == null ? "unknown" : "running")
                    + "; only a crashed host can reboot");
        }
        hosts.remove(endpoint);
    }

    private Host host(Endpoint endpoint) {
        return hosts.computeIfAbsent(endpoint, e -> new Host(e, latency.place(e, random)));
    }

    private long latency(Host a, Host b) {
        long base = latency.oneWayNanos(a.placement, b.placement);
        return base + (long) (random.nextDouble() * base * 0.1);
    }

    private boolean lost() {
        return loss > 0 && random.nextDouble() < loss;
    }

    private boolean cut(Host a, Host b) {
        return !side.isEmpty() && side.contains(a.endpoint) != side.contains(b.endpoint);
    }

    private final class Host {
        final Endpoint endpoint;
        /** Where the latency model put the host. */
        final long placement;
        final HostScheduler scheduler = new HostScheduler(this);
        final HostTransport transport = new HostTransport(this);
        Transport.RequestHandler handler;
        boolean alive = true;

        Host(Endpoint endpoint, long placement) {
            this.endpoint = endpoint;
            this.placement = placement;
        }
    }

    private final class HostScheduler implements Scheduler {
        private final Host host;

        HostScheduler(Host host) {
            this.host = host;
        }

        @Override
        public long nanoTime() {
            return clock.nanoTime();
        }

        @Override
        public Timer schedule(Duration delay, Runnable task) {
            return clock.at(clock.nanoTime() + delay.toNanos(), () -> {
                if (host.alive) {
                    task.run();
                }
            });
        }

        @Override
        public void execute(Runnable task) {
            clock.at(clock.nanoTime(), () -> {
                if (host.alive) {
                    task.run();
                }
            });
        }
    }

    private final class HostTransport implements Transport {
        private final Host host;

        HostTransport(Host host) {
            this.host = host;
        }

        @Override
        public Endpoint local() {
            return host.endpoint;
        }

        @Override
        public CompletableFuture<Message> request(Endpoint to, Message request, Duration timeout) {
            CompletableFuture<Message> reply = new CompletableFuture<>();
            Scheduler.Timer timer = clock.at(clock.nanoTime() + timeout.toNanos(), () -> reply.completeExceptionally(
                    new TransportException(TransportException.Reason.TIMEOUT,
                            "no reply from " + to + " within " + timeout.toMillis() + " ms")));
            reply.whenComplete((m, e) -> timer.cancel());
            Host target = hosts.get(to);
            if (target == null || lost() || cut(host, target)) {
                return reply;
            }
            clock.at(clock.nanoTime() + latency(host, target), () -> deliver(target, request, reply));
            return reply;
        }

        private void deliver(Host target, Message request, CompletableFuture<Message> reply) {
            if (!target.alive || target.handler == null || !host.alive) {
                return;
            }
            CompletableFuture<? extends Message> answer;
            try {
                answer = target.handler.handle(host.endpoint.host(), request);
            } catch (RuntimeException e) {
                answer = CompletableFuture.failedFuture(e);
            }
            answer.whenComplete((m, e) -> {
                if (!target.alive || lost() || cut(target, host)) {
                    return;
                }
                clock.at(clock.nanoTime() + latency(target, host), () -> {
                    if (!host.alive) {
                        return;
                    }
                    if (e == null) {
                        reply.complete(m);
                    } else {
                        reply.completeExceptionally(asTransportFailure(target, e));
                    }
                });
            });
        }

        private TransportException asTransportFailure(Host target, Throwable e) {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                    ? e.getCause() : e;
            if (cause instanceof RemoteException re) {
                return new TransportException(re);
            }
            return new TransportException(new RemoteException(RemoteException.INTERNAL,
                    "host " + target.endpoint + " failed: " + cause));
        }

        @Override
        public void close() {
            host.alive = false;
        }
    }
}
