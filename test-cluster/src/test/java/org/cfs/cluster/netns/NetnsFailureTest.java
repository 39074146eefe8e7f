package org.cfs.cluster.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Real node processes, each in a network namespace of its own, 10..80 ms apart: blocks stored
 * and read back (a short run of the lab's netns-bench), then, once every block is on its replica
 * hosts, half the processes killed by pid and every block that still has a live holder read
 * through the survivors within a minute.
 * Node logs go to {@code target/netns-failure/<run>/}.
 */
@ExtendWith(RequiresNetns.class)
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class NetnsFailureTest {
    static final int HOSTS = NetnsPartitionTest.HOSTS;
    private static final int BLOCKS = 40;
    private static final Duration WINDOW = Duration.ofSeconds(60);

    private NetnsCluster cluster;

    @AfterEach
    void tearDown() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyBlockWithALiveHolderIsReadAfterHalfTheProcessesDie() throws Exception {
        cluster = NetnsRings.startWhole("netns-failure", HOSTS);
        List<Integer> all = NetnsRings.all(HOSTS);

        NetnsScenarios scenarios = new NetnsScenarios(cluster, 1);
        NetnsScenarios.Latency latency = scenarios.putsAndGets(all, BLOCKS, 4096);
        assertEquals(0, latency.failures(), "puts and gets on the whole ring");
        assertEquals(BLOCKS, latency.puts().getTotalCount());
        System.out.printf("netns: %d hosts; put p50 %.1f ms p99 %.1f ms, get p50 %.1f ms p99 %.1f ms%n", HOSTS,
                latency.puts().getValueAtPercentile(50) / 1e3, latency.puts().getValueAtPercentile(99) / 1e3,
                latency.gets().getValueAtPercentile(50) / 1e3, latency.gets().getValueAtPercentile(99) / 1e3);

        NetnsScenarios.Placement placed = scenarios.settle(NetnsScenarios.SETTLE_BOUND);
        assertNotNull(placed.settled(), "every block on its replica hosts within the bound: " + placed);

        List<Integer> victims = scenarios.randomHosts(HOSTS / 2);
        NetnsScenarios.Reads reads = scenarios.killAndRead(victims, WINDOW);
        for (int v : victims) {
            assertTrue(!cluster.nodes().process(v).isAlive(), "process of host " + v + " is gone");
        }
        assertTrue(reads.expected() > 0, "some blocks keep a live holder");
        assertEquals(List.of(), reads.unread(), "blocks with a live holder not read within " + WINDOW.toSeconds()
                + " s of killing " + victims + ": " + reads.why());
        System.out.printf("netns: killed %s; %d of %d blocks with a live holder read (%d had none), p99 %.1f ms%n",
                victims, reads.read(), reads.expected(), reads.lost(), reads.micros().getValueAtPercentile(99) / 1e3);
    }
}
