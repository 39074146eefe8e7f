package org.cfs.cluster.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.cfs.chord.ByteSize;
import org.cfs.chord.ChordConfig;
import org.cfs.cluster.Cluster;
import org.cfs.cluster.LoopbackDHashRing;
import org.cfs.cluster.LoopbackRing;
import org.cfs.cluster.sim.SimRing;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.StoreLimits;
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

    /**
     * A stable ring of {@code nodes} real hosts (one vnode each) with RocksDB stores under
     * {@code dir}, as the volume and mount benchmarks use: one client sends every put, so the
     * per-source quota is lifted; fast maintenance so the ring forms quickly, but a real node's
     * request timeouts, since under a publish's load a lookup can queue behind megabytes of stores.
     */
    static LoopbackDHashRing volumeRing(Path dir, int nodes, int replicas) {
        StoreLimits limits = new StoreLimits(ByteSize.ofGiB(1024), 1.0);
        ChordConfig production = ChordConfig.defaults();
        ChordConfig chord = LoopbackRing.loopbackConfig().withRequestTimeout(production.requestTimeout())
                .withLookupDeadline(production.lookupDeadline());
        LoopbackDHashRing ring = new LoopbackDHashRing(chord, DHashConfig.defaults().withReplicas(replicas), limits, dir);
        try {
            ring.growSequentially(nodes, 1);
            requireStable(ring);
            return ring;
        } catch (RuntimeException e) {
            ring.close();
            throw e;
        }
    }

    /** Deletes {@code dir} and everything under it, if it exists. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Longest a program the lab runs (sync, drop_caches, curl, find) may take. */
    static final Duration STEP_BOUND = Duration.ofMinutes(30);

    /** Runs a program, its output to /dev/null, errors shown; fails on a non-zero exit or after {@link #STEP_BOUND}. */
    static void exec(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (!p.waitFor(STEP_BOUND.toMinutes(), TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " took over " + STEP_BOUND);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue());
        }
    }

    /** Whether a program, all its output discarded, exits 0 within {@link #STEP_BOUND}. */
    static boolean exitsZero(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(STEP_BOUND.toMinutes(), TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return false;
        }
        return p.exitValue() == 0;
    }
}
