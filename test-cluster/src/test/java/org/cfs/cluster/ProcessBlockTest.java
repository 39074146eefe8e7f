package org.cfs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cfs.chord.ChordClient;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.SystemScheduler;
import org.cfs.chord.netty.NettyTransport;
import org.cfs.dhash.Block;
import org.cfs.dhash.BlockStat;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHash;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.DHashMessages;
import org.cfs.dhash.PutResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three real {@code cfs node --data} processes on loopback. One is killed with SIGKILL in the
 * middle of a burst of puts and restarted on its port and data directory: every block it had
 * acknowledged is still in its store, and every acknowledged put reads back. Another is stopped
 * with SIGTERM: it hands its blocks over, leaves and exits 0.
 * Node output goes to {@code target/process-blocks/<run>/node-N.log}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ProcessBlockTest {
    private static final String HOST = "127.0.0.1";
    private static final int NODES = 3;
    private static final int VNODES = 2;
    private static final int BLOCKS = 400;
    private static final int KILL_AFTER = 150;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern HELD = Pattern.compile("blocks in \\S+ \\((\\d+) blocks?, ");

    private final List<Process> processes = new ArrayList<>();
    private final List<Endpoint> endpoints = new ArrayList<>();
    private Path runDir;
    private SystemScheduler scheduler;
    private NettyTransport transport;
    private DHash dhash;

    @BeforeEach
    void setUp() throws IOException {
        runDir = Files.createDirectories(Path.of("target", "process-blocks", "run-" + System.currentTimeMillis()));
        scheduler = SystemScheduler.create("process-block-test");
        transport = NettyTransport.client(DHashMessages.registry(), NettyTransport.Options.defaults());
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Process p : processes) {
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (dhash != null) {
            dhash.close();
        }
        transport.close();
        scheduler.close();
    }

    @Test
    void aNodeKilledMidBurstReopensItsStoreAndAStoppedNodeHandsItsBlocksOver() throws Exception {
        for (int port : freePorts(NODES)) {
            endpoints.add(new Endpoint(HOST, port));
        }
        for (int i = 0; i < NODES; i++) {
            processes.add(startNode(i, i == 0 ? null : endpoints.get(0), "first"));
        }
        for (int i = 1; i < NODES; i++) {
            awaitLog(i, "first", "joined ring via", START_TIMEOUT);
        }
        ChordClient chord = new ChordClient(transport, scheduler, ChordConfig.defaults());
        awaitReplicaSets(chord);
        dhash = DHash.client(chord, endpoints.get(0), transport, scheduler, DHashConfig.defaults(), Clock.systemUTC());

        Endpoint victim = endpoints.get(2);
        List<ContentBlock> acknowledged = new ArrayList<>();
        List<Id> heldByVictim = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(11);
        List<ContentBlock> blocks = new ArrayList<>();
        for (int i = 0; i < BLOCKS; i++) {
            blocks.add(BlockLoad.block(1024 + random.nextInt(64 << 10), random));
        }
        AtomicInteger started = new AtomicInteger();
        List<CompletableFuture<PutResult>> puts = BlockLoad.inWindow(blocks, 8, b -> {
            if (started.getAndIncrement() == KILL_AFTER) {
                processes.get(2).destroyForcibly();
            }
            return dhash.put(b);
        });
        for (int i = 0; i < BLOCKS; i++) {
            if (BlockLoad.failure(puts.get(i)) == null) {
                acknowledged.add(blocks.get(i));
                if (puts.get(i).join().holders().stream().anyMatch(n -> n.endpoint().equals(victim))) {
                    heldByVictim.add(blocks.get(i).key());
                }
            }
        }
        assertTrue(processes.get(2).waitFor(10, TimeUnit.SECONDS), "the killed node is gone");
        assertTrue(acknowledged.size() >= KILL_AFTER, "puts before the kill all succeeded: " + acknowledged.size());
        assertTrue(!heldByVictim.isEmpty(), "the victim acknowledged some blocks before it was killed");
        System.out.printf("process blocks: %d of %d puts acknowledged; SIGKILL of %s after it acknowledged %d%n",
                acknowledged.size(), BLOCKS, victim, heldByVictim.size());

        processes.set(2, startNode(2, endpoints.get(0), "restarted"));
        String line = awaitLog(2, "restarted", "blocks in ", START_TIMEOUT);
        Matcher held = HELD.matcher(line);
        assertTrue(held.find(), line);
        assertTrue(Long.parseLong(held.group(1)) >= heldByVictim.size(),
                "reopened store holds " + held.group(1) + ", it acknowledged " + heldByVictim.size());
        awaitLog(2, "restarted", "joined ring via", START_TIMEOUT);
        awaitStoredOn(victim, heldByVictim);
        for (ContentBlock b : acknowledged) {
            Block read = dhash.get(b.key()).get(30, TimeUnit.SECONDS);
            assertEquals(b, read, "block " + b.key());
        }

        Process leaver = processes.get(1);
        leaver.destroy();
        assertTrue(leaver.waitFor(60, TimeUnit.SECONDS), "node 1 stops after SIGTERM");
        assertEquals(0, leaver.exitValue(), "a node stopped by SIGTERM exits 0; log: " + log(1, "first"));
        String log = log(1, "first");
        assertTrue(log.contains("handed ") && log.contains("left the ring"), "hand-over then leave: " + log);
    }

    /** Until stat reports every one of {@code keys} stored on {@code node}, as the ring takes it back in. */
    private void awaitStoredOn(Endpoint node, List<Id> keys) throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        for (Id key : keys) {
            BlockStat stat = dhash.stat(key).get(30, TimeUnit.SECONDS);
            while (stat.nodes().stream().noneMatch(h -> h.stored() && h.node().endpoint().equals(node))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("restarted " + node + " does not report acknowledged block " + key
                            + " as stored: " + stat);
                }
                Thread.sleep(250);
                stat = dhash.stat(key).get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Until a walk of the ring finds every vnode of every node. */
    private void awaitReplicaSets(ChordClient chord) throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            ChordClient.RingWalk walk = chord.walk(endpoints.get(0), 100).get(20, TimeUnit.SECONDS);
            if (walk.closed() && walk.nodes().size() == NODES * VNODES) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the ring of " + NODES + " processes did not close");
    }

    private Process startNode(int index, Endpoint join, String run) throws IOException {
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
                .redirectOutput(runDir.resolve("node-" + index + "-" + run + ".log").toFile())
                .start();
    }

    /** The first line of node {@code index}'s log containing {@code text}. */
    private String awaitLog(int index, String run, String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : log(index, run).lines().toList()) {
                if (line.contains(text)) {
                    return line;
                }
            }
            if (!processes.get(index).isAlive()) {
                throw new AssertionError("node " + index + " exited before logging '" + text + "':\n"
                        + log(index, run));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("node " + index + " did not log '" + text + "':\n" + log(index, run));
    }

    private String log(int index, String run) throws IOException {
        Path file = runDir.resolve("node-" + index + "-" + run + ".log");
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

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
}
