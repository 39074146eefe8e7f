package org.cfs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
    private static final String HOST = "127.0.0.1";
    private static final int NODES = 5;
    private static final int VNODES = 2;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration HEAL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(250);

    private final List<Process> processes = new ArrayList<>();
    private final List<Endpoint> endpoints = new ArrayList<>();
    private Path runDir;
    private SystemScheduler scheduler;
    private Transport transport;
    private ChordClient client;

    @BeforeEach
    void setUp() throws IOException {
        runDir = Files.createDirectories(Path.of("target", "process-ring", "run-" + System.currentTimeMillis()));
        scheduler = SystemScheduler.create("process-ring-test");
        transport = NettyTransport.client(MessageRegistry.chord(), NettyTransport.Options.defaults());
        client = new ChordClient(transport, scheduler, ChordConfig.defaults());
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Process p : processes) {
            p.waitFor(10, TimeUnit.SECONDS);
        }
        transport.close();
        scheduler.close();
    }

    @Test
    void ringOfProcessesHealsAfterAKillAndAGracefulLeave() throws Exception {
        List<Integer> ports = freePorts(NODES);
        for (int port : ports) {
            endpoints.add(new Endpoint(HOST, port));
        }
        Endpoint first = endpoints.get(0);

        // All at once: the joiners wait for the first node to answer.
        long t0 = System.nanoTime();
        processes.add(startNode(0, null));
        for (int i = 1; i < NODES; i++) {
            processes.add(startNode(i, first));
        }
        awaitLogLine(0, "started a new ring at " + first, START_TIMEOUT);
        RingWalk full = awaitWalk(first, w -> w.closed() && w.nodes().size() == NODES * VNODES, START_TIMEOUT,
                "a closed ring of all " + NODES * VNODES + " vnodes");
        assertEquals(Set.copyOf(endpoints), hostsOf(full), "every process is in the ring");
        for (int i = 1; i < NODES; i++) {
            awaitLogLine(i, "joined ring via " + first + " as " + VNODES + " vnodes at " + endpoints.get(i),
                    Duration.ofSeconds(5));
        }
        System.out.printf("process ring: %d vnodes on %d processes closed %.1f s after the first started%n",
                full.nodes().size(), NODES, seconds(t0));

        Process victim = processes.get(2);
        Endpoint victimAt = endpoints.get(2);
        long t1 = System.nanoTime();
        victim.destroyForcibly();
        assertTrue(victim.waitFor(10, TimeUnit.SECONDS), "killed process " + victim.pid() + " is gone");
        RingWalk healed = awaitWalk(first, w -> w.closed() && w.nodes().size() == (NODES - 1) * VNODES,
                HEAL_TIMEOUT, "a closed ring of " + (NODES - 1) * VNODES + " vnodes after SIGKILL of " + victimAt);
        assertFalse(hostsOf(healed).contains(victimAt), "the killed node is out of the ring");
        System.out.printf("process ring: SIGKILL of pid %d (%s); ring closed with %d vnodes after %.1f s%n",
                victim.pid(), victimAt, healed.nodes().size(), seconds(t1));

        Process leaver = processes.get(4);
        Endpoint leaverAt = endpoints.get(4);
        long t2 = System.nanoTime();
        leaver.destroy();
        assertTrue(leaver.waitFor(20, TimeUnit.SECONDS), "process " + leaver.pid() + " stops after SIGTERM");
        assertEquals(0, leaver.exitValue(), "a node stopped by SIGTERM exits 0; log: " + log(4));
        assertTrue(log(4).contains("left the ring"), "the node left gracefully; log: " + log(4));
        RingWalk afterLeave = awaitWalk(first, w -> w.closed() && w.nodes().size() == (NODES - 2) * VNODES,
                HEAL_TIMEOUT, "a closed ring of " + (NODES - 2) * VNODES + " vnodes after SIGTERM of " + leaverAt);
        assertFalse(hostsOf(afterLeave).contains(leaverAt), "the node that left is out of the ring");
        System.out.printf("process ring: SIGTERM of pid %d (%s) exited 0; ring closed with %d vnodes after %.1f s%n",
                leaver.pid(), leaverAt, afterLeave.nodes().size(), seconds(t2));
    }

    private Process startNode(int index, Endpoint join) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"),
                "org.cfs.cli.Main", "node",
                "--listen", endpoints.get(index).toString(),
                "--vnodes", String.valueOf(VNODES),
                "--data", runDir.resolve("data-" + index).toString()));
        if (join != null) {
            command.add("--join");
            command.add(join.toString());
        }
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(runDir.resolve("node-" + index + ".log").toFile())
                .start();
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
                + "\n" + allLogs());
    }

    private void awaitLogLine(int index, String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (log(index).contains(text)) {
                return;
            }
            if (!processes.get(index).isAlive()) {
                throw new AssertionError("node " + index + " exited with " + processes.get(index).exitValue()
                        + " before logging '" + text + "':\n" + log(index));
            }
            Thread.sleep(POLL.toMillis());
        }
        throw new AssertionError("node " + index + " did not log '" + text + "' within " + timeout.toSeconds()
                + " s:\n" + log(index));
    }

    private String log(int index) throws IOException {
        Path file = runDir.resolve("node-" + index + ".log");
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    private String allLogs() throws IOException {
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < processes.size(); i++) {
            all.append("--- node ").append(i).append(" (").append(endpoints.get(i)).append(")\n").append(log(i));
        }
        return all.toString();
    }

    private static Set<Endpoint> hostsOf(RingWalk walk) {
        return walk.nodes().stream().map(NodeRef::endpoint).collect(Collectors.toSet());
    }

    /** Distinct free loopback ports: all held open at once so none is handed out twice. */
    private static List<Integer> freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getByName(HOST)));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
