package org.cfs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.cfs.chord.ChordConfig;
import org.cfs.cluster.sim.SimRing;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One scenario, every transport: 16 hosts of 4 vnodes agree with the sorted-membership oracle;
 * 5 hosts close abruptly; after stabilization the ring and all lookups are right again.
 */
class RingScenarioTest {

    static Stream<Arguments> clusters() {
        ChordConfig fast = LoopbackRing.loopbackConfig();
        return Stream.of(
                Arguments.of("simulated", (ClusterFactory) () -> new SimRing(11, fast)),
                Arguments.of("netty-loopback", (ClusterFactory) () -> new LoopbackRing(fast)));
    }

    interface ClusterFactory {
        Cluster create();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clusters")
    void sixteenHostsOfFourVnodesSurviveFiveAbruptCloses(String name, ClusterFactory factory) {
        try (Cluster cluster = factory.create()) {
            cluster.growSequentially(16, 4);
            assertEquals(64, cluster.nodes().size());
            assertTrue(cluster.stabilize(Duration.ofSeconds(60), Duration.ofMillis(250)).isPresent(),
                    () -> name + ": ring did not converge: " + cluster.mismatches());
            LookupBatch before = cluster.lookups(2_000, new SplittableRandom(1));
            assertEquals(2_000, before.correct(), () -> name + ": " + before.firstFailure());

            SplittableRandom random = new SplittableRandom(2);
            for (int i = 0; i < 5; i++) {
                var hosts = cluster.hosts();
                cluster.crash(hosts.get(1 + random.nextInt(hosts.size() - 1)));
            }
            assertEquals(44, cluster.nodes().size());
            assertTrue(cluster.stabilize(Duration.ofSeconds(60), Duration.ofMillis(250)).isPresent(),
                    () -> name + ": ring did not reconverge: " + cluster.mismatches());
            LookupBatch after = cluster.lookups(2_000, new SplittableRandom(3));
            assertEquals(2_000, after.correct(), () -> name + ": " + after.firstFailure());
        }
    }
}
