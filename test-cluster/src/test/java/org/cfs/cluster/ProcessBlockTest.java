package org.cfs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
    private static final int NODES = 3;
    private static final int VNODES = 2;
    private static final int BLOCKS = 400;
    private static final int KILL_AFTER = 150;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern HELD = Pattern.compile("blocks in \\S+ \\((\\d+) blocks?, ");

    private NodeProcesses nodes;
    private SystemScheduler scheduler;
    private NettyTransport transport;
    private DHash dhash;

    @BeforeEach
    void setUp() throws IOException {
        nodes = new NodeProcesses(Path.of("target", "process-blocks", "run-" + System.currentTimeMillis()), NODES, VNODES);
        scheduler = SystemScheduler.create("process-block-test");
        transport = NettyTransport.client(DHashMessages.registry(), NettyTransport.Options.defaults());
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        nodes.close();
        if (dhash != null) {
            dhash.close();
        }
        transport.close();
        scheduler.close();
    }

    @Test
    void aNodeKilledMidBurstReopensItsStoreAndAStoppedNodeHandsItsBlocksOver() throws Exception {
        for (int i = 0; i < NODES; i++) {
            nodes.start(i, i == 0 ? null : nodes.endpoint(0), "first");
        }
        for (int i = 1; i < NODES; i++) {
            nodes.awaitLog(i, "joined ring via", START_TIMEOUT);
        }
        ChordClient chord = new ChordClient(transport, scheduler, ChordConfig.defaults());
        awaitReplicaSets(chord);
        dhash = DHash.client(chord, nodes.endpoint(0), transport, scheduler, DHashConfig.defaults(), Clock.systemUTC());

        Endpoint victim = nodes.endpoint(2);
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
                nodes.process(2).destroyForcibly();
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
        assertTrue(nodes.process(2).waitFor(10, TimeUnit.SECONDS), "the killed node is gone");
        assertTrue(acknowledged.size() >= KILL_AFTER, "puts before the kill all succeeded: " + acknowledged.size());
        assertTrue(!heldByVictim.isEmpty(), "the victim acknowledged some blocks before it was killed");
        System.out.printf("process blocks: %d of %d puts acknowledged; SIGKILL of %s after it acknowledged %d%n",
                acknowledged.size(), BLOCKS, victim, heldByVictim.size());

        nodes.start(2, nodes.endpoint(0), "restarted");
        String line = nodes.awaitLog(2, "blocks in ", START_TIMEOUT);
        Matcher held = HELD.matcher(line);
        assertTrue(held.find(), line);
        assertTrue(Long.parseLong(held.group(1)) >= heldByVictim.size(),
                "reopened store holds " + held.group(1) + ", it acknowledged " + heldByVictim.size());
        nodes.awaitLog(2, "joined ring via", START_TIMEOUT);
        awaitStoredOn(victim, heldByVictim);
        for (ContentBlock b : acknowledged) {
            Block read = dhash.get(b.key()).get(30, TimeUnit.SECONDS);
            assertEquals(b, read, "block " + b.key());
        }

        Process leaver = nodes.process(1);
        leaver.destroy();
        assertTrue(leaver.waitFor(60, TimeUnit.SECONDS), "node 1 stops after SIGTERM");
        assertEquals(0, leaver.exitValue(), "a node stopped by SIGTERM exits 0; log: " + nodes.log(1));
        String log = nodes.log(1);
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
            ChordClient.RingWalk walk = chord.walk(nodes.endpoint(0), 100).get(20, TimeUnit.SECONDS);
            if (walk.closed() && walk.nodes().size() == NODES * VNODES) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the ring of " + NODES + " processes did not close");
    }

}
