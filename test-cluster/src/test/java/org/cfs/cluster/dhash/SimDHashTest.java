package org.cfs.cluster.dhash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.ByteSize;
import org.cfs.chord.ChordHost;
import org.cfs.chord.Id;
import org.cfs.cluster.sim.SimDHashRing;
import org.cfs.cluster.sim.SimRing;
import org.cfs.dhash.BlockStat;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHash;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.StoreLimits;
import org.junit.jupiter.api.Test;

/**
 * DHash on the simulator beyond {@link DHashScenarioTest}: joins hand blocks to their new owner,
 * and path caches shorten reads of a popular block.
 */
class SimDHashTest {
    private final DHashConfig config = DHashConfig.defaults().withMaintenanceInterval(Duration.ofSeconds(5));

    private static <T> T await(SimRing ring, CompletableFuture<T> f) {
        ring.awaitDone(f, Duration.ofMinutes(2));
        return f.join();
    }

    private static List<ContentBlock> blocks(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<ContentBlock> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] data = new byte[64 + random.nextInt(4096)];
            random.nextBytes(data);
            out.add(new ContentBlock(data));
        }
        return out;
    }

    private static long storedReplicas(SimDHashRing ring, DHash via, Id key) {
        BlockStat stat = await(ring.ring(), via.stat(key));
        return stat.storedReplicas();
    }

    @Test
    void aJoiningNodeReceivesTheBlocksItNowOwns() {
        try (SimDHashRing ring = new SimDHashRing(4, SimRing.simConfig(8), config, StoreLimits.defaults())) {
            ring.ring().growSequentially(8, 1);
            ring.ring().stabilize(Duration.ofMinutes(5), Duration.ofSeconds(1)).orElseThrow();
            List<ContentBlock> blocks = blocks(400, 2);
            DHash writer = ring.live().get(0);
            for (ContentBlock b : blocks) {
                await(ring.ring(), writer.put(b));
            }
            ChordHost joined = ring.ring().addHost(1);
            for (ContentBlock b : blocks) {
                await(ring.ring(), writer.get(b.key()));
            }
            ring.ring().stabilize(Duration.ofMinutes(5), Duration.ofSeconds(1)).orElseThrow();
            ring.ring().advance(Duration.ofSeconds(30));
            var node = joined.vnodes().get(0);
            Id pred = node.predecessor().orElseThrow().id();
            long owned = blocks.stream().filter(b -> b.key().inHalfOpen(pred, node.self().id())).count();
            assertTrue(owned > 0, "the new node owns none of the blocks; pick another seed");
            assertTrue(ring.on(joined).stats().blocks() >= owned,
                    () -> "new node holds " + ring.on(joined).stats().blocks() + " of the " + owned + " it owns");
            for (ContentBlock b : blocks) {
                assertEquals(3, storedReplicas(ring, writer, b.key()), () -> "block " + b.key());
                await(ring.ring(), ring.on(joined).get(b.key()));
            }
            long total = ring.live().stream().mapToLong(d -> d.stats().blocks()).sum();
            assertEquals(3L * blocks.size(), total, "every block on exactly 3 hosts once misplaced copies left");
        }
    }

    @Test
    void popularBlocksAreServedFromPathCachesInFewerHops() {
        int[] off = hotReads(ByteSize.of(0));
        int[] on = hotReads(ByteSize.ofMiB(16));
        assertEquals(0, off[1], "nothing is served from a cache with caching off");
        assertTrue(on[0] < off[0], () -> "hops of 300 reads with caching " + on[0] + ", without " + off[0]);
        assertTrue(on[1] > 150, () -> "reads served from path caches: " + on[1] + " of 300");
    }

    /** Total hops and reads served from caches, for 300 reads of one block from random nodes. */
    private int[] hotReads(ByteSize cacheSize) {
        DHashConfig caching = config.withCacheSize(cacheSize);
        try (SimDHashRing ring = new SimDHashRing(6, SimRing.simConfig(8), caching, StoreLimits.defaults())) {
            ring.ring().growInWaves(128, 16, Duration.ofSeconds(5));
            ring.ring().stabilize(Duration.ofMinutes(5), Duration.ofSeconds(1)).orElseThrow();
            ring.ring().advance(Duration.ofSeconds(30));
            ContentBlock hot = blocks(1, 9).get(0);
            List<DHash> live = ring.live();
            await(ring.ring(), live.get(0).put(hot));
            SplittableRandom random = new SplittableRandom(3);
            int hops = 0;
            int cached = 0;
            for (int i = 0; i < 300; i++) {
                var fetch = await(ring.ring(), live.get(random.nextInt(live.size())).fetch(hot.key()));
                assertArrayEquals(hot.data(), ((ContentBlock) fetch.block()).data());
                hops += fetch.hops();
                cached += fetch.fromCache() ? 1 : 0;
            }
            return new int[] {hops, cached};
        }
    }
}
