package org.cfs.chord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.sim.SimNetwork;
import org.cfs.chord.wire.ChordMessages.FindStep;
import org.cfs.chord.wire.ChordMessages.StepReply;
import org.cfs.chord.wire.Message;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The protocol on the in-memory network: KBR upcalls, graceful leave, ring walks, message loss. */
class SimChordTest {
    private SimNetwork net;
    private final List<ChordHost> hosts = new ArrayList<>();
    private final ChordConfig config = ChordConfig.defaults().withSuccessors(4);

    @BeforeEach
    void setUp() {
        net = new SimNetwork(42, Duration.ofMillis(2), Duration.ofMillis(20));
    }

    private ChordHost host(int index, int vnodes) {
        return host(index, vnodes, config);
    }

    private ChordHost host(int index, int vnodes, ChordConfig settings) {
        Endpoint e = new Endpoint("h" + index, 4000);
        return ChordHost.builder().config(settings).vnodes(vnodes)
                .scheduler(net.scheduler(e)).random(net.split())
                .transport(handler -> net.attach(e, handler)).build();
    }

    private <T> T await(CompletableFuture<T> f) {
        for (int i = 0; i < 10_000 && !f.isDone(); i++) {
            net.clock().runFor(Duration.ofMillis(10));
        }
        assertTrue(f.isDone(), "future not done after 100 virtual seconds");
        return f.join();
    }

    private void ring(int count, int vnodes) {
        ring(count, vnodes, config);
    }

    private void ring(int count, int vnodes, ChordConfig settings) {
        for (int i = 0; i < count; i++) {
            ChordHost h = host(i, vnodes, settings);
            await(h.start(hosts.isEmpty() ? null : hosts.get(0).endpoint()));
            hosts.add(h);
        }
        net.clock().runFor(Duration.ofSeconds(60));
    }

    private List<ChordNode> nodes() {
        List<ChordNode> all = new ArrayList<>();
        hosts.forEach(h -> all.addAll(h.vnodes()));
        all.sort(Comparator.comparing(n -> n.self().id()));
        return all;
    }

    private ChordNode owner(Id key) {
        List<ChordNode> sorted = nodes();
        return sorted.stream().filter(n -> n.self().id().compareTo(key) >= 0).findFirst().orElse(sorted.get(0));
    }

    @Test
    void routeDeliversAtTheOwnerAndForwardSeesEveryHop() {
        ring(12, 2);
        List<String> delivered = new ArrayList<>();
        int[] forwards = new int[1];
        for (ChordNode n : nodes()) {
            n.setApplication(new KbrApplication() {
                @Override
                public void deliver(Id key, byte[] message) {
                    delivered.add(n.self() + " " + new String(message, StandardCharsets.UTF_8));
                }

                @Override
                public NodeRef forward(Id key, byte[] message, NodeRef nextHop) {
                    forwards[0]++;
                    return nextHop;
                }
            });
        }
        for (int i = 0; i < 50; i++) {
            Id key = Id.hash("key" + i);
            ChordNode from = nodes().get(i % nodes().size());
            await(from.route(key, ("m" + i).getBytes(StandardCharsets.UTF_8), null));
            net.clock().runFor(Duration.ofSeconds(2));
            assertEquals(owner(key).self() + " m" + i, delivered.get(delivered.size() - 1));
        }
        assertEquals(50, delivered.size());
        assertTrue(forwards[0] >= 50, "forward upcalls: " + forwards[0]);
    }

    @Test
    void localQueriesAgreeWithTheSortedRing() {
        ring(10, 1);
        List<ChordNode> sorted = nodes();
        int n = sorted.size();
        for (int i = 0; i < n; i++) {
            ChordNode node = sorted.get(i);
            ChordNode succ = sorted.get((i + 1) % n);
            ChordNode pred = sorted.get((i - 1 + n) % n);
            assertEquals(List.of(node.self(), succ.self()), node.replicaSet(node.self().id(), 2));
            assertEquals(List.of(succ.self()), node.localLookup(succ.self().id(), 3, false));
            Optional<KeyRange> own = node.range(node.self(), 0);
            assertEquals(Optional.of(new KeyRange(pred.self().id(), node.self().id())), own);
            assertEquals(Optional.of(new KeyRange(pred.self().id(), node.self().id())), node.range(succ.self(), 1));
            assertEquals(5, node.neighborSet(5).size());
            assertTrue(node.neighborSet(10).contains(pred.self()));
        }
    }

    @Test
    void gracefulLeaveRepairsNeighboursAtOnceAndTellsTheApplications() {
        ring(8, 1);
        List<ChordNode> sorted = nodes();
        ChordNode leaving = sorted.get(3);
        ChordNode pred = sorted.get(2);
        ChordNode succ = sorted.get(4);
        List<String> updates = new ArrayList<>();
        leaving.setApplication(new KbrApplication() {
            @Override
            public void update(NodeRef node, boolean joined) {
                updates.add("self " + node + " " + joined);
            }
        });
        pred.setApplication(new KbrApplication() {
            @Override
            public void update(NodeRef node, boolean joined) {
                updates.add("pred " + node + " " + joined);
            }
        });
        ChordHost host = hosts.stream().filter(h -> h.vnodes().contains(leaving)).findFirst().orElseThrow();
        CompletableFuture<Void> left = host.leave();
        // Well under one stabilization round: the Leave messages alone must do the repair.
        for (int i = 0; i < 20 && !left.isDone(); i++) {
            net.clock().runFor(Duration.ofMillis(10));
        }
        assertTrue(left.isDone());
        net.clock().runFor(Duration.ofMillis(100));
        assertEquals(succ.self(), pred.successors().get(0));
        assertFalse(pred.successors().contains(leaving.self()));
        assertEquals(Optional.of(pred.self()), succ.predecessor());
        assertEquals("self " + leaving.self() + " false", updates.get(0));
        assertTrue(updates.contains("pred " + leaving.self() + " false"), updates.toString());
        assertEquals(ChordHost.State.CLOSED, host.state());
    }

    @Test
    void clientWalksTheWholeRingAndLooksUpTheOwner() {
        ring(6, 3);
        Endpoint clientAddress = new Endpoint("client", 1);
        ChordClient client = new ChordClient(net.attach(clientAddress, (from, m) -> CompletableFuture.failedFuture(
                new RemoteException(RemoteException.UNSUPPORTED, "client"))), net.scheduler(clientAddress), config);
        ChordClient.RingWalk walk = await(client.walk(hosts.get(2).endpoint(), 100));
        assertTrue(walk.closed(), walk.problem());
        assertEquals(18, walk.nodes().size());
        Id key = Id.hash("x");
        LookupResult r = await(client.lookup(key, hosts.get(4).endpoint()));
        assertEquals(owner(key).self(), r.owner());
        assertEquals(config.successors() + 1, r.replicaSet().size());

        ChordClient.RingWalk cut = await(client.walk(hosts.get(2).endpoint(), 5));
        assertFalse(cut.closed());
    }

    @Test
    void aLookupWalksBackOverLiveNodesThatAnAnswerSkipped() {
        ChordConfig wide = config.withSuccessors(16);
        ring(40, 1, wide);
        List<ChordNode> ring = nodes();
        ChordNode liar = ring.get(10);
        Id key = liar.self().id().plus(Id.powerOfTwo(0));
        // The key's predecessor names the node six past the true owner, with that node's real
        // successors: a list as dense as an honest one, so the density test passes it.
        List<NodeRef> skipping = ring.subList(17, 33).stream().map(ChordNode::self).toList();
        net.interpose(liar.self().endpoint(), handler -> (from, m) -> m instanceof FindStep s && s.key().equals(key)
                ? CompletableFuture.completedFuture(new StepReply(true, List.of(), skipping, false))
                : handler.handle(from, m));
        Endpoint clientAddress = new Endpoint("client", 1);
        ChordClient client = new ChordClient(net.attach(clientAddress, (from, m) -> CompletableFuture.failedFuture(
                new RemoteException(RemoteException.UNSUPPORTED, "client"))), net.scheduler(clientAddress), wide);
        LookupResult r = await(client.lookup(key, liar.self().endpoint()));
        assertEquals(ring.get(11).self(), r.owner(), "the owner's predecessors lead back to the true owner");
        assertEquals(ring.get(12).self(), r.replicaSet().get(1));
    }

    @Test
    void clientLookupAsksItsOnlySeedAgainAfterATimeout() {
        ring(6, 2);
        Endpoint clientAddress = new Endpoint("client", 1);
        Transport network = net.attach(clientAddress, (from, m) -> CompletableFuture.failedFuture(
                new RemoteException(RemoteException.UNSUPPORTED, "client")));
        // The first request times out, as one can while its connection is still being set up.
        Transport slowStart = new Transport() {
            private boolean first = true;

            @Override
            public Endpoint local() {
                return network.local();
            }

            @Override
            public CompletableFuture<Message> request(Endpoint to, Message request, Duration timeout) {
                if (first) {
                    first = false;
                    return CompletableFuture.failedFuture(new TransportException(TransportException.Reason.TIMEOUT,
                            "no reply from " + to + " within " + timeout.toMillis() + " ms"));
                }
                return network.request(to, request, timeout);
            }

            @Override
            public void close() {
                network.close();
            }
        };
        ChordClient client = new ChordClient(slowStart, net.scheduler(clientAddress), config);
        Id key = Id.hash("seed");
        LookupResult r = await(client.lookup(key, hosts.get(3).endpoint()));
        assertEquals(owner(key).self(), r.owner());
        assertEquals(1, r.timeouts());
    }

    @Test
    void lookupsTerminateAndStayCorrectUnderMessageLoss() {
        ring(30, 1);
        net.setLoss(0.02);
        int correct = 0;
        for (int i = 0; i < 300; i++) {
            Id key = Id.hash("lossy" + i);
            LookupResult r = await(nodes().get(i % 30).lookup(key));
            if (r.owner().equals(owner(key).self())) {
                correct++;
            }
        }
        // A lost reply can make a live owner look dead twice in a row (about 0.2% of lookups at 2% loss).
        assertTrue(correct >= 297, correct + " of 300 correct");
        net.setLoss(0);
        net.clock().runFor(Duration.ofSeconds(60));
        for (int i = 0; i < 100; i++) {
            Id key = Id.hash("after" + i);
            assertEquals(owner(key).self(), await(nodes().get(i % 30).lookup(key)).owner());
        }
    }

    @Test
    void theSuccessorOfANodeThatJustJoinedFindsItAsTheOwnerOfItsKeys() {
        // Stabilize rarely: the newcomer's predecessor has not heard of it while the lookup runs.
        ChordConfig slow = config.withStabilizeInterval(Duration.ofMinutes(10));
        for (int i = 0; i < 8; i++) {
            ChordHost h = host(i, 1, slow);
            await(h.start(hosts.isEmpty() ? null : hosts.get(0).endpoint()));
            hosts.add(h);
            net.clock().runFor(Duration.ofMinutes(40));
        }
        List<ChordNode> before = nodes();
        for (int i = 0; i < before.size(); i++) {
            assertEquals(before.get((i + 1) % before.size()).self(), before.get(i).successors().get(0));
        }
        ChordHost newcomer = host(8, 1, slow);
        await(newcomer.start(hosts.get(0).endpoint()));
        hosts.add(newcomer);
        net.clock().runFor(Duration.ofSeconds(1));
        List<ChordNode> sorted = nodes();
        int at = sorted.indexOf(newcomer.vnodes().get(0));
        ChordNode pred = sorted.get((at - 1 + sorted.size()) % sorted.size());
        ChordNode succ = sorted.get((at + 1) % sorted.size());
        NodeRef joined = newcomer.vnodes().get(0).self();
        // The newcomer told its successor; its predecessor still points past it.
        assertEquals(Optional.of(joined), succ.predecessor());
        assertEquals(succ.self(), pred.successors().get(0));

        LookupResult found = await(succ.lookup(joined.id()));
        assertEquals(joined, found.owner(), "the successor knew its new predecessor owns the key");
    }

    @Test
    void aHostWithTooManyVnodesIsRefused() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> host(0, 17));
        assertTrue(e.getMessage().contains("17"), e.getMessage());
    }
}
