package org.cfs.cluster.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Optional;
import org.cfs.chord.ChordConfig;
import org.junit.jupiter.api.Test;

/** Two rings made by a partition become one again after it heals, and the merge checks leave a healthy ring alone. */
class RingPartitionTest {

    private static SimRing stableRing(long seed, int hosts, ChordConfig config, SimpleMeterRegistry registry) {
        SimRing ring = new SimRing(seed, config);
        ring.meterRegistry(registry);
        ring.growInWaves(hosts, Math.max(1, hosts / 16), Duration.ofSeconds(5));
        assertTrue(ring.stabilize(Duration.ofMinutes(10), Duration.ofSeconds(1)).isPresent(),
                () -> "ring did not converge: " + ring.mismatches());
        ring.advance(Duration.ofMinutes(2));
        return ring;
    }

    @Test
    void halvesThatBecameTwoRingsAreOneRingAgainSoonAfterTheHeal() {
        ChordConfig config = SimRing.simConfig(16);
        SimRing ring = stableRing(11, 200, config, new SimpleMeterRegistry());
        RingPartition partition = RingPartition.random(ring, 0.5, 11);
        partition.cut();
        Optional<Duration> split = partition.awaitSplit(Duration.ofMinutes(10), Duration.ofSeconds(1));
        assertTrue(split.isPresent(), () -> partition.splitMismatches() + " vnodes differ from their side's oracle");
        assertTrue(ring.mismatches().count() > 0, "two rings should not match the whole ring's oracle");
        ring.advance(Duration.ofMinutes(5));
        partition.heal();
        Optional<Duration> merged = ring.stabilize(Duration.ofMinutes(10), Duration.ofSeconds(1));
        assertTrue(merged.isPresent(), () -> "not one ring 10 minutes after the heal: " + ring.mismatches());
        System.out.println("split " + split.get() + " merged " + merged.get());
    }
}
