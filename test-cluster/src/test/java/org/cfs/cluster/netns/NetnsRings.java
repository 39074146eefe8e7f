package org.cfs.cluster.netns;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

/** The start every namespace test shares: its hosts up and one whole ring, or a failed test with the logs. */
final class NetnsRings {
    private static final Duration START_BOUND = Duration.ofSeconds(180);
    private static final Duration STABLE_BOUND = Duration.ofSeconds(90);

    private NetnsRings() {
    }

    /** Hosts 0..hosts-1 as a list. */
    static List<Integer> all(int hosts) {
        return IntStream.range(0, hosts).boxed().toList();
    }

    /**
     * Starts {@code hosts} hosts with the default settings, node logs under
     * {@code target/<dir>/run-<millis>/}, and waits until they are one whole ring; on any failure
     * the cluster is closed (processes stopped, namespaces removed) before the error goes on.
     */
    static NetnsCluster startWhole(String dir, int hosts) throws Exception {
        NetnsCluster cluster = NetnsCluster.create(NetnsCluster.Settings.of(hosts),
                Path.of("target", dir, "run-" + System.currentTimeMillis()));
        try {
            cluster.start(START_BOUND);
            NetnsCluster.RingState ring = cluster.awaitRing(all(hosts), STABLE_BOUND);
            assertTrue(ring.whole(), "the started ring: " + ring + "\n" + cluster.nodes().allLogs());
            return cluster;
        } catch (Throwable t) {
            cluster.close();
            throw t;
        }
    }
}
