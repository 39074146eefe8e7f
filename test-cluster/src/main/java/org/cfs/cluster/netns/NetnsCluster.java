package org.cfs.cluster.netns;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cfs.chord.ChordClient;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.NodeRef;
import org.cfs.chord.SystemScheduler;
import org.cfs.chord.Transport;
import org.cfs.chord.TransportException;
import org.cfs.chord.wire.Message;
import org.cfs.chord.netty.NettyTransport;
import org.cfs.cluster.NodeProcesses;
import org.cfs.cluster.RingOracle;
import org.cfs.dhash.DHash;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.DHashMessages;
import org.cfs.dhash.DHashMessages.NodeStatus;
import org.cfs.dhash.DHashMessages.VnodeStatus;

/**
 * Real {@code cfs node} processes, each in a network namespace of its own ({@link NetnsNetwork}),
 * sending through {@link DelayedTransport} ({@link DelayedNode}) with links drawn from a
 * {@link LinkDelays} model; plus a client in this JVM at the bridge address, itself a host of the
 * model, with DHash's client, the nodes' own status ({@code GetStatus}) and a check of every
 * vnode's successor against the oracle of the live hosts. Close it to stop every process and
 * remove the network.
 */
public final class NetnsCluster implements AutoCloseable {
    /** The port every node listens on, each at its own address. */
    public static final int PORT = 7000;
    /** Bound on one status request. */
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(500);
    /**
     * Many JVMs start at once on few cores: the client compiler alone and the serial collector
     * take much less CPU to start, and the nodes' work here is waiting on links, not computing.
     * Maintenance logs at debug level, so a node's log tells which copies it handed over and why
     * (a few lines per node over a partition test).
     */
    private static final List<String> NODE_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-Dorg.slf4j.simpleLogger.log.org.cfs.dhash.Maintenance=debug");

    /**
     * A cluster's shape: {@code hosts} node processes of {@code vnodes} vnodes and {@code heap}
     * each, storing {@code replicas} copies of a block, on links of {@code minDelay..maxDelay}
     * one way with {@code jitter} and {@code loss}, drawn from {@code seed}.
     */
    public record Settings(int hosts, int vnodes, int replicas, String heap, long seed, Duration minDelay,
                           Duration maxDelay, Duration jitter, double loss) {
        public Settings {
            if (hosts < 2) {
                throw new IllegalArgumentException("a cluster of " + hosts + " hosts; it needs at least 2");
            }
            Objects.requireNonNull(heap, "heap");
        }

        /** {@code hosts} hosts of one vnode, 3 replicas, 256 MiB each, 10..80 ms apart with 2 ms of jitter, no loss. */
        public static Settings of(int hosts) {
            return new Settings(hosts, 1, 3, "256m", 1, Duration.ofMillis(10), Duration.ofMillis(80),
                    Duration.ofMillis(2), 0);
        }

        public Settings withSeed(long value) {
            return new Settings(hosts, vnodes, replicas, heap, value, minDelay, maxDelay, jitter, loss);
        }

        public Settings withLoss(double value) {
            return new Settings(hosts, vnodes, replicas, heap, seed, minDelay, maxDelay, jitter, value);
        }

        public Settings withVnodes(int value) {
            return new Settings(hosts, value, replicas, heap, seed, minDelay, maxDelay, jitter, loss);
        }
    }

    private final Settings settings;
    private final NetnsNetwork network;
    private final LinkDelays links;
    private final NodeProcesses nodes;
    private final SystemScheduler scheduler;
    private final Transport transport;
    private final ChordClient chord;

    private NetnsCluster(Settings settings, NetnsNetwork network, Path runDir) throws IOException {
        this.settings = settings;
        this.network = network;
        List<String> modelHosts = new ArrayList<>(network.addresses());
        modelHosts.add(network.bridgeAddress());
        this.links = new LinkDelays(modelHosts, settings.seed(), settings.minDelay(), settings.maxDelay(),
                settings.jitter(), settings.loss());
        List<Endpoint> endpoints = network.addresses().stream().map(a -> new Endpoint(a, PORT)).toList();
        this.nodes = new NodeProcesses(runDir, endpoints, settings.vnodes(), settings.heap())
                .inNamespaces(network.namespaces())
                .withJvmOptions(NODE_JVM)
                .runningMain(DelayedNode.class.getName(), List.of(links.spec()));
        this.scheduler = SystemScheduler.create("netns-client");
        this.transport = new DelayedTransport(NettyTransport.client(DHashMessages.registry(),
                NettyTransport.Options.defaults().withLocalHost(network.bridgeAddress())),
                network.bridgeAddress(), links, settings.seed());
        this.chord = new ChordClient(transport, scheduler, ChordConfig.defaults());
    }

    /** Makes the network and the client; no node runs yet. */
    public static NetnsCluster create(Settings settings, Path runDir) throws IOException {
        NetnsNetwork network = NetnsNetwork.create(settings.hosts());
        try {
            return new NetnsCluster(settings, network, runDir);
        } catch (IOException | RuntimeException e) {
            network.close();
            throw e;
        }
    }

    public Settings settings() {
        return settings;
    }

    public NetnsNetwork network() {
        return network;
    }

    public LinkDelays links() {
        return links;
    }

    public NodeProcesses nodes() {
        return nodes;
    }

    public int size() {
        return nodes.size();
    }

    public Endpoint endpoint(int i) {
        return nodes.endpoint(i);
    }

    /**
     * Starts every node at once, each but the first joining through the first (the cfs node
     * waits for it), and waits at most {@code bound} for all to log that they started or joined.
     */
    public void start(Duration bound) throws Exception {
        String replicas = String.valueOf(settings.replicas());
        nodes.start(0, null, "run", "--replicas", replicas);
        for (int i = 1; i < size(); i++) {
            nodes.start(i, endpoint(0), "run", "--replicas", replicas);
        }
        long deadline = System.nanoTime() + bound.toNanos();
        nodes.awaitLog(0, "started a new ring", bound);
        for (int i = 1; i < size(); i++) {
            nodes.awaitLog(i, "joined ring via", Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        }
    }

    /** Kills node {@code i}'s process by its handle (SIGKILL), waiting for it to be gone. */
    public void kill(int i) throws InterruptedException {
        NodeProcesses.stop(List.of(nodes.process(i)));
    }

    /** DHash's client reading and writing through node {@code via}, as a host of the model at the bridge address. */
    public DHash client(int via) {
        return DHash.client(chord, endpoint(via), transport, scheduler,
                DHashConfig.defaults().withReplicas(settings.replicas()), Clock.systemUTC());
    }

    /**
     * As {@link #client(int)}, but as a client on the side of a partition that holds the hosts
     * {@code side}: requests to any other host fail at once as unreachable, as a cut connection's
     * do, so what it reads comes from that side alone.
     */
    public DHash client(int via, Collection<Integer> side) {
        Set<String> reachable = new HashSet<>();
        side.forEach(i -> reachable.add(endpoint(i).host()));
        Transport sided = new Transport() {
            @Override
            public Endpoint local() {
                return transport.local();
            }

            @Override
            public CompletableFuture<Message> request(Endpoint to, Message request,
                                                                         Duration timeout) {
                if (!reachable.contains(to.host())) {
                    return CompletableFuture.failedFuture(new TransportException(
                            TransportException.Reason.UNREACHABLE, to + " is across the cut"));
                }
                return transport.request(to, request, timeout);
            }

            @Override
            public void close() {
                // The cluster's transport is shared; the cluster closes it.
            }
        };
        return DHash.client(new ChordClient(sided, scheduler, ChordConfig.defaults()), endpoint(via), sided, scheduler,
                DHashConfig.defaults().withReplicas(settings.replicas()), Clock.systemUTC());
    }

    /** Whether host {@code i} stores {@code key} durably (not only in its cache); bounded by the status timeout. */
    public CompletableFuture<Boolean> stores(int i, Id key) {
        return DHash.stores(transport, endpoint(i), key, STATUS_TIMEOUT);
    }

    /** How the live hosts' rings stand against the oracle of {@code live}; see {@link RingState}. */
    public RingState ring(Collection<Integer> live) throws InterruptedException {
        List<NodeRef> members = new ArrayList<>();
        for (int i : live) {
            for (int v = 0; v < settings.vnodes(); v++) {
                members.add(NodeRef.of(endpoint(i), v));
            }
        }
        RingOracle oracle = new RingOracle(members, 1);
        List<CompletableFuture<NodeStatus>> asked = new ArrayList<>();
        for (int i : live) {
            asked.add(DHash.status(transport, endpoint(i), STATUS_TIMEOUT));
        }
        int wrong = 0;
        int silent = 0;
        String example = null;
        int k = 0;
        for (int i : live) {
            NodeStatus status;
            try {
                status = asked.get(k++).get(STATUS_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                silent++;
                example = example != null ? example : "node " + i + " (" + endpoint(i) + ") gave no status: " + e;
                continue;
            }
            for (VnodeStatus v : status.vnodes()) {
                NodeRef expected = oracle.successor(v.self());
                NodeRef actual = v.successors().isEmpty() ? null : v.successors().get(0);
                if (!expected.equals(actual)) {
                    wrong++;
                    example = example != null ? example : v.self() + " has successor " + actual + ", the oracle " + expected;
                }
            }
        }
        return new RingState(members.size(), wrong, silent, example);
    }

    /**
     * Polls {@link #ring} of {@code live} until it is one ring, at most {@code bound}; the last
     * state either way.
     */
    public RingState awaitRing(Collection<Integer> live, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        RingState state = ring(live);
        while (!state.whole() && System.nanoTime() < deadline) {
            Thread.sleep(POLL.toMillis());
            state = ring(live);
        }
        return state;
    }

    /**
     * Live hosts' vnodes against the oracle: {@code wrong} vnodes with another successor,
     * {@code silent} hosts that gave no status, and an example of either.
     */
    public record RingState(int vnodes, int wrong, int silent, String example) {
        /** Every vnode's successor is the oracle's. */
        public boolean whole() {
            return wrong == 0 && silent == 0;
        }

        @Override
        public String toString() {
            return whole() ? "one ring of " + vnodes + " vnodes"
                    : wrong + " of " + vnodes + " vnodes with a wrong successor, " + silent + " hosts silent; e.g. " + example;
        }
    }

    /** Stops every node process, then removes the network and the client. */
    @Override
    public void close() throws InterruptedException {
        try {
            nodes.close();
        } finally {
            transport.close();
            scheduler.close();
            network.close();
        }
    }
}
