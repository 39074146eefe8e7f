package org.cfs.chord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.cfs.chord.netty.NettyTransport;
import org.cfs.chord.wire.MessageRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real hosts on loopback: start, graceful leave, close, and what happens to work after close. */
class ChordHostLifecycleTest {
    private final List<ChordHost> hosts = new ArrayList<>();
    private final ChordConfig config = ChordConfig.defaults()
            .withStabilizeInterval(Duration.ofMillis(100)).withRequestTimeout(Duration.ofMillis(500));

    /** A host on a loopback address of its own, as separate machines would have. */
    private ChordHost start(ChordHost via) throws Exception {
        ChordHost host = build("127.0.0." + (2 + hosts.size()));
        host.start(via == null ? null : via.endpoint()).get(10, TimeUnit.SECONDS);
        assertEquals(ChordHost.State.RUNNING, host.state());
        return host;
    }

    private ChordHost build(String address) {
        Endpoint listen = new Endpoint(address, 0);
        ChordHost host = ChordHost.builder().config(config).vnodes(2)
                .transport(h -> NettyTransport.bind(listen, MessageRegistry.chord(), h,
                        NettyTransport.Options.defaults()))
                .build();
        hosts.add(host);
        return host;
    }

    @AfterEach
    void closeAll() {
        hosts.forEach(ChordHost::close);
    }

    private static Set<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .collect(Collectors.toSet());
    }

    @Test
    void gracefulLeaveClosesTheHostAndLeavesNoThreads() throws Exception {
        ChordHost a = start(null);
        ChordHost b = start(a);
        Set<String> before = threadNames();
        ChordHost c = start(a);
        Set<String> cThreads = threadNames();
        cThreads.removeAll(before);
        assertFalse(cThreads.isEmpty());

        c.leave().get(10, TimeUnit.SECONDS);
        assertEquals(ChordHost.State.CLOSED, c.state());
        for (int i = 0; i < 50 && threadNames().stream().anyMatch(cThreads::contains); i++) {
            Thread.sleep(100);
        }
        Set<String> left = threadNames();
        left.retainAll(cThreads);
        assertTrue(left.isEmpty(), "threads left behind: " + left);

        // The survivors still answer, with c gone from their tables once the Leave was handled.
        LookupResult r = a.vnodes().get(0).lookup(c.vnodes().get(0).self().id()).get(10, TimeUnit.SECONDS);
        assertFalse(r.owner().endpoint().equals(c.endpoint()));
        assertTrue(List.of(a.endpoint(), b.endpoint()).contains(r.owner().endpoint()));
    }

    @Test
    void workHandedToAClosedHostFailsAtOnce() throws Exception {
        ChordHost a = start(null);
        a.close();
        a.close();
        // Refused by the closed host itself: no hop taken and no timeout waited out, so it did not hang.
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> a.vnodes().get(0).lookup(Id.hash("k")).get(5, TimeUnit.SECONDS));
        LookupException refused = assertInstanceOf(LookupException.class, e.getCause());
        assertTrue(refused.getMessage().endsWith("refused: the host is closed"), refused.getMessage());
        assertEquals(0, refused.hops());
        assertEquals(0, refused.timeouts());
        ExecutionException r = assertThrows(ExecutionException.class,
                () -> a.vnodes().get(1).route(Id.hash("k"), new byte[1], null).get(5, TimeUnit.SECONDS));
        assertEquals("vnode " + a.vnodes().get(1).self() + " is closed", r.getCause().getMessage());
    }

    @Test
    void joiningThroughNobodyFailsWithinTheDeadline() throws Exception {
        ChordHost dead = start(null);
        Endpoint gone = dead.endpoint();
        dead.close();
        Endpoint listen = new Endpoint("127.0.0.9", 0);
        ChordHost lonely = ChordHost.builder().config(config.withLookupDeadline(Duration.ofSeconds(3)))
                .transport(h -> NettyTransport.bind(listen, MessageRegistry.chord(), h, NettyTransport.Options.defaults()))
                .build();
        hosts.add(lonely);
        ExecutionException e = assertThrows(ExecutionException.class, () -> lonely.start(gone).get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof LookupException, e.getCause().toString());
    }

    @Test
    void aSecondNodeOnTheSameAddressIsRefusedAtJoin() throws Exception {
        ChordHost first = start(null);
        ChordHost second = start(first);
        ChordHost twin = build(first.endpoint().host());
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> twin.start(second.endpoint()).get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof InvalidNodeException, e.getCause().toString());
        assertTrue(e.getCause().getMessage().contains("already holds")
                && e.getCause().getMessage().contains(first.endpoint().toString()), e.getCause().getMessage());
    }
}
