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
 * Real node processes, each in a network namespace of its own, 10..80 ms apart: half the hosts
 * cut off from the others for a minute, once every block is stored on its replica hosts. Each side
 * settles into a ring of its own and serves every block its hosts store; after the cut heals,
 * every host's successor must be the oracle's for the whole live set again within
 * {@link #HEAL_BOUND}: the two rings have merged into one. Node logs go to
 * {@code target/netns-partition/<run>/}.
 */
@ExtendWith(RequiresNetns.class)
@Timeout(value = 480, unit = TimeUnit.SECONDS)
class NetnsPartitionTest {
    static final int HOSTS = 10;
    private static final int BLOCKS = 30;
    private static final Duration CUT = Duration.ofSeconds(60);
    /** Bound on one ring after healing. */
    static final Duration HEAL_BOUND = Duration.ofSeconds(120);

    private NetnsCluster cluster;

    @AfterEach
    void tearDown() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void bothSidesServeDuringTheCutAndAreOneRingAfterIt() throws Exception {
        cluster = NetnsRings.startWhole("netns-partition", HOSTS);
        List<Integer> all = NetnsRings.all(HOSTS);
        NetnsScenarios scenarios = new NetnsScenarios(cluster, 2);
        assertEquals(0, scenarios.putsAndGets(all, BLOCKS, 4096).failures(), "puts and gets on the whole ring");
        NetnsScenarios.Placement placed = scenarios.settle(NetnsScenarios.SETTLE_BOUND);
        assertNotNull(placed.settled(), "every block on its replica hosts within the bound: " + placed);

        List<Integer> sideA = scenarios.randomHosts(HOSTS / 2);
        NetnsScenarios.Partition p = scenarios.partition(sideA, CUT, HEAL_BOUND);
        System.out.printf("netns: blocks on their replica hosts in %s; cut %s off for %d s: side A %s, side B %s; "
                        + "reads %d/%d and %d/%d; after healing %s in %s%n", placed.settled(), sideA, CUT.toSeconds(),
                p.sideA(), p.sideB(), p.readsA().read(), p.readsA().expected(), p.readsB().read(), p.readsB().expected(),
                p.after(), p.healed());
        assertTrue(p.sideA().whole(), "side " + sideA + " is a ring of its own during the cut: " + p.sideA());
        assertTrue(p.sideB().whole(), "the other side is a ring of its own during the cut: " + p.sideB());
        assertEquals(List.of(), p.readsA().unread(), "side " + sideA + " serves the blocks it holds: " + p.readsA().why());
        assertEquals(List.of(), p.readsB().unread(), "the other side serves the blocks it holds: " + p.readsB().why());
        assertNotNull(p.healed(), "one ring within " + HEAL_BOUND.toSeconds() + " s of healing the cut: "
                + p.after());
    }
}
