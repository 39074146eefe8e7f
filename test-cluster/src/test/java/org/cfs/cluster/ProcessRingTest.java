package org.cfs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.cfs.chord.ChordClient;
import org.cfs.chord.ChordClient.RingWalk;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.Endpoint;
import org.cfs.chord.NodeRef;
import org.cfs.chord.SystemScheduler;
import org.cfs.chord.Transport;
import org.cfs.chord.netty.NettyTransport;
import org.cfs.chord.wire.MessageRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Acceptance with real processes: five {@code cfs node} JVMs on loopback, started together, form
 * one ring; the ring heals around one killed with SIGKILL, and one stopped with SIGTERM leaves
 * gracefully and exits 0.
 * Node output goes to {@code target/process-ring/<run>/node-N.log}.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ProcessRingTest {
    private static final int NODES = 5;
    private static final int VNODES = 2;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration HEAL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(250);

    private NodeProcesses nodes;
    private SystemScheduler scheduler;
    private Transport transport;
    private ChordClient client;

    @BeforeEach
    void setUp() throws IOException {
        nodes = new NodeProcesses(Path.of("target", "process-ring", "run-" + System.currentTimeMillis()), NODES, VNODES);
        scheduler = SystemScheduler.create("process-ring-test");
        transport = NettyTransport.client(MessageRegistry.chord(), NettyTransport.Options.defaults());
        client = new ChordClient(transport, scheduler, ChordConfig.defaults());
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        nodes.close();
        transport.close();
        scheduler.close();
    }

    @Test
    void ringOfProcessesHealsAfterAKillAndAGracefulLeave() throws Exception {
        Endpoint first = nodes.endpoint(0);

        // All at once: the joiners wait for the first node to answer.
        long t0 = System.nanoTime();
        nodes.start(0, null, "first");
        for (int i = 1; i < NODES; i++) {
            nodes.start(i, first, "first");
        }
        nodes.awaitLog(0, "started a new ring at " + first, START_TIMEOUT);
        RingWalk full = awaitWalk(first, w -> w.closed() && w.nodes().size() == NODES * VNODES, START_TIMEOUT,
                "a closed ring of all " + NODES * VNODES + " vnodes");
        assertEquals(Set.copyOf(nodes.endpoints()), hostsOf(full), "every process is in the ring");
        for (int i = 1; i < NODES; i++) {
            nodes.awaitLog(i, "joined ring via " + first + " as " + VNODES + " vnodes at " + nodes.endpoint(i),
                    Duration.ofSeconds(5));
        }
        System.out.printf("process ring: %d vnodes on %d processes closed %.1f s after the first started%n",
                full.nodes().size(), NODES, seconds(t0));

        Process victim = nodes.process(2);
        Endpoint victimAt = nodes.endpoint(2);
        long t1 = System.nanoTime();
        victim.destroyForcibly();
        assertTrue(victim.waitFor(10, TimeUnit.SECONDS), "killed process " + victim.pid() + " is gone");
        RingWalk healed = awaitWalk(first, w -> w.closed() && w.nodes().size() == (NODES - 1) * VNODES,
                HEAL_TIMEOUT, "a closed ring of " + (NODES - 1) * VNODES + " vnodes after SIGKILL of " + victimAt);
        assertFalse(hostsOf(healed).contains(victimAt), "the killed node is out of the ring");
        System.out.printf("process ring: SIGKILL of pid %d (%s); ring closed with %d vnodes after %.1f s%n",
                victim.pid(), victimAt, healed.nodes().size(), seconds(t1));

        Process leaver = nodes.process(4);
        Endpoint leaverAt = nodes.endpoint(4);
        long t2 = System.nanoTime();
        leaver.destroy();
        assertTrue(leaver.waitFor(20, TimeUnit.SECONDS), "process " + leaver.pid() + " stops after SIGTERM");
        assertEquals(0, leaver.exitValue(), "a node stopped by SIGTERM exits 0; log: " + nodes.log(4));
        assertTrue(nodes.log(4).contains("left the ring"), "the node left gracefully; log: " + nodes.log(4));
        RingWalk afterLeave = awaitWalk(first, w -> w.closed() && w.nodes().size() == (NODES - 2) * VNODES,
                HEAL_TIMEOUT, "a closed ring of " + (NODES - 2) * VNODES + " vnodes after SIGTERM of " + leaverAt);
        assertFalse(hostsOf(afterLeave).contains(leaverAt), "the node that left is out of the ring");
        System.out.printf("process ring: SIGTERM of pid %d (%s) exited 0; ring closed with %d vnodes after %.1f s%n",
                leaver.pid(), leaverAt, afterLeave.nodes().size(), seconds(t2));
    }

    /** Walks the ring via {@code via} until {@code done} holds; fails after {@code timeout}. */
    private RingWalk awaitWalk(Endpoint via, Predicate<RingWalk> done, Duration timeout, String what)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        RingWalk last = null;
        while (System.nanoTime() < deadline) {
            last = client.walk(via, 1000).get(20, TimeUnit.SECONDS);
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(POLL.toMillis());
        }
        String lastWalk = last == null ? "none"
                : "closed=" + last.closed() + ", " + last.nodes().size() + " vnodes, problem=" + last.problem();
        throw new AssertionError("no " + what + " within " + timeout.toSeconds() + " s; last walk: " + lastWalk
                + "\n" + nodes.allLogs());
    }

    private static Set<Endpoint> hostsOf(RingWalk walk) {
        return walk.nodes().stream().map(NodeRef::endpoint).collect(Collectors.toSet());
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
