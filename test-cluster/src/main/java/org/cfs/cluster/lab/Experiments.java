package org.cfs.cluster.lab;

import java.time.Duration;
import org.cfs.chord.ChordConfig;
import org.cfs.cluster.Cluster;
import org.cfs.cluster.sim.SimRing;
import picocli.CommandLine.Option;

/** Options and steps the experiments share. */
final class Experiments {
    private Experiments() {
    }

    /** The options every simulated experiment takes. */
    static final class Common {
        @Option(names = "--seed", defaultValue = "1", description = "Simulation seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--lookups", defaultValue = "10000", description = "Lookups per batch (default ${DEFAULT-VALUE}).")
        int lookups;

        @Option(names = "--json", description = "End with one JSON object.")
        boolean json;
    }

    /**
     * A simulated ring of {@code nodes} hosts grown in waves and run until every pointer matches
     * the oracle; {@code fingerTime} more virtual time then lets the fingers settle.
     */
    static SimRing stableRing(int nodes, long seed, ChordConfig config, Duration fingerTime) {
        SimRing ring = new SimRing(seed, config);
        ring.growInWaves(nodes, Math.max(1, nodes / 16), Duration.ofSeconds(5));
        requireStable(ring);
        ring.advance(fingerTime);
        return ring;
    }

    /** Runs the ring until it matches the oracle (bounded: 30 minutes of its time), or fails loudly. */
    static Duration requireStable(Cluster ring) {
        return ring.stabilize(Duration.ofMinutes(30), Duration.ofMillis(500)).orElseThrow(() ->
                new IllegalStateException("ring did not stabilize within 30 minutes: " + ring.mismatches()));
    }
}
