package org.cfs.cluster.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.ChordHost;
import org.cfs.chord.Id;
import org.cfs.dhash.BlockStore;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHash;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.DHashException;
import org.cfs.dhash.PutResult;
import org.cfs.dhash.StoreLimits;

/**
 * Replays a {@link FailureTrace} on a {@link SimDHashRing} running the real DHash: stores the
 * blocks, applies each event at its virtual time (a transient failure crashes the host and restarts
 * it later at its own address with its disk; a disk loss crashes it and a fresh host at a new
 * address takes the slot), probes which blocks have a copy on a running host, and at the end
 * counts the blocks with no copy on any surviving disk and what maintenance sent meanwhile.
 */
public final class TraceReplay {
    private TraceReplay() {
    }

    /**
     * How the ring is run. Months of virtual time need coarse timers, so stabilization and
     * maintenance run far less often than on a real node; the protocol is the same.
     *
     * @param blocks content blocks stored before the trace starts
     * @param blockBytes data bytes of each block
     * @param replicas k
     * @param successors each vnode's successor list: under Carbonite, the hosts whose copies count
     * @param stabilize Chord's stabilize period (fingers twice, predecessor check half as often)
     * @param maintenance DHash's mean maintenance period
     * @param probeEvery how often the availability of every block is probed
     */
    public record Setup(int blocks, int blockBytes, int replicas, int successors, Duration stabilize,
                        Duration maintenance, Duration probeEvery) {
        public Setup {
            if (blocks < 1 || blockBytes < 1) {
                throw new IllegalArgumentException(blocks + " blocks of " + blockBytes + " bytes: both must be positive");
            }
            if (successors < replicas) {
                throw new IllegalArgumentException("successor lists of " + successors + " cannot hold " + replicas
                        + " replicas");
            }
            if (probeEvery == null || probeEvery.isNegative() || probeEvery.isZero()) {
                throw new IllegalArgumentException("probeEvery must be a positive duration, got " + probeEvery);
            }
        }
    }

    /**
     * What one replay measured, from the start of the trace to its end.
     *
     * @param blocks blocks stored
     * @param lost blocks with no copy on any disk that survived (running or down)
     * @param probes block probes made: blocks times probe times
     * @param unavailable probes that found no copy on a running host
     * @param maintenanceBytes bytes every node's maintenance sent and received, lookups and digests included
     * @param copies blocks maintenance stored elsewhere: pulled, pushed, and handed off times k
     * @param handedOff blocks handed over to the k replica hosts and deleted (each counted k times in copies)
     * @param copiesPerBlock mean copies of a block on surviving disks at the end
     * @param fewestCopies fewest copies of any block on surviving disks at the end
     * @param mostCopies most copies of any block on surviving disks at the end
     * @param transientFailures DOWN events replayed
     * @param diskLosses DISK_LOST events replayed
     * @param restartsRefused hosts that could not join when they came back, for want of a running host
     */
    public record Outcome(int blocks, int lost, long probes, long unavailable, long maintenanceBytes, long copies,
                          long handedOff, double copiesPerBlock, int fewestCopies, int mostCopies, long transientFailures,
                          long diskLosses, long restartsRefused) {
    }

    /** Replays {@code trace} on a ring whose maintenance repairs by {@code repair}. */
    public static Outcome run(FailureTrace trace, DHashConfig.Repair repair, Setup setup) throws DHashException {
        // Secure routing's cross-checks cost more CPU than everything else here and are not what
        // is measured: lookups route the plain way.
        ChordConfig chord = SimRing.simConfig(setup.successors()).withStabilizeInterval(setup.stabilize())
                .withSecureRouting(false);
        DHashConfig config = DHashConfig.defaults().withReplicas(setup.replicas())
                .withMaintenanceInterval(setup.maintenance()).withRequestTimeout(Duration.ofSeconds(2))
                .withRepair(repair);
        try (SimDHashRing ring = new SimDHashRing(trace.seed(), chord, config, StoreLimits.defaults())) {
            SimRing sim = ring.ring();
            sim.growInWaves(trace.params().hosts(), Math.max(1, trace.params().hosts() / 16), setup.stabilize());
            sim.stabilize(Duration.ofDays(1), setup.stabilize()).orElseThrow(() -> new IllegalStateException(
                    "ring did not stabilize within a day: " + sim.mismatches()));
            List<ContentBlock> blocks = store(ring, setup, trace.seed());
            sim.advance(setup.maintenance().multipliedBy(2));
            return replay(ring, trace, setup, blocks);
        }
    }

    private static List<ContentBlock> store(SimDHashRing ring, Setup setup, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<ContentBlock> blocks = new ArrayList<>(setup.blocks());
        List<DHash> live = ring.live();
        for (int first = 0; first < setup.blocks(); first += 500) {
            List<CompletableFuture<PutResult>> puts = new ArrayList<>();
            for (int i = first; i < Math.min(setup.blocks(), first + 500); i++) {
                byte[] data = new byte[setup.blockBytes()];
                random.nextBytes(data);
                ContentBlock b = new ContentBlock(data);
                blocks.add(b);
                puts.add(live.get(random.nextInt(live.size())).put(b));
            }
            ring.awaitDone(CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)), Duration.ofHours(1));
        }
        return blocks;
    }

    private static Outcome replay(SimDHashRing ring, FailureTrace trace, Setup setup, List<ContentBlock> blocks)
            throws DHashException {
        SimRing sim = ring.ring();
        int n = trace.params().hosts();
        ChordHost[] slot = sim.hosts().toArray(ChordHost[]::new);
        boolean[] up = new boolean[n];
        boolean[] disk = new boolean[n];
        java.util.Arrays.fill(up, true);
        java.util.Arrays.fill(disk, true);
        long bytesBefore = maintenanceBytes(ring);
        long copiesBefore = copies(ring, setup.replicas());
        long handedOffBefore = handedOff(ring);
        Duration start = sim.now();
        long probes = 0;
        long unavailable = 0;
        long transients = 0;
        long losses = 0;
        long refused = 0;
        Duration nextProbe = Duration.ZERO;
        List<FailureTrace.Event> events = new ArrayList<>(trace.events());
        events.add(new FailureTrace.Event(trace.params().length(), -1, FailureTrace.Kind.UP));
        for (FailureTrace.Event e : events) {
            while (nextProbe.compareTo(e.at()) <= 0) {
                advanceTo(sim, start.plus(nextProbe));
                unavailable += blocks.size() - present(ring, slot, up, blocks);
                probes += blocks.size();
                nextProbe = nextProbe.plus(setup.probeEvery());
            }
            advanceTo(sim, start.plus(e.at()));
            if (e.slot() < 0) {
                break;
            }
            int s = e.slot();
            switch (e.kind()) {
                case DOWN -> {
                    sim.crash(slot[s]);
                    up[s] = false;
                    transients++;
                }
                case DISK_LOST -> {
                    if (up[s]) {
                        sim.crash(slot[s]);
                    }
                    up[s] = false;
                    disk[s] = false;
                    losses++;
                }
                case UP -> {
                    if (sim.hosts().isEmpty()) {
                        refused++;
                        continue;
                    }
                    slot[s] = disk[s] ? ring.restart(slot[s], true) : sim.joinAsync();
                    up[s] = true;
                    disk[s] = true;
                }
            }
        }
        int[] held = copiesOnDisks(ring, slot, disk, blocks);
        int lost = 0;
        long total = 0;
        int fewest = Integer.MAX_VALUE;
        int most = 0;
        for (int h : held) {
            lost += h == 0 ? 1 : 0;
            total += h;
            fewest = Math.min(fewest, h);
            most = Math.max(most, h);
        }
        return new Outcome(blocks.size(), lost, probes, unavailable, maintenanceBytes(ring) - bytesBefore,
                copies(ring, setup.replicas()) - copiesBefore, handedOff(ring) - handedOffBefore,
                (double) total / blocks.size(), fewest, most,
                transients, losses, refused);
    }

    private static void advanceTo(SimRing sim, Duration at) {
        Duration span = at.minus(sim.now());
        if (!span.isNegative() && !span.isZero()) {
            sim.advance(span);
        }
    }

    /** How many of {@code blocks} have a copy on a running host. */
    private static int present(SimDHashRing ring, ChordHost[] slot, boolean[] up, List<ContentBlock> blocks)
            throws DHashException {
        Set<Id> reachable = new HashSet<>();
        for (int s = 0; s < slot.length; s++) {
            if (up[s]) {
                ring.on(slot[s]).stores().get(0).forEachKey(Id.ZERO, Id.ZERO, reachable::add);
            }
        }
        int present = 0;
        for (ContentBlock b : blocks) {
            present += reachable.contains(b.key()) ? 1 : 0;
        }
        return present;
    }

    /** Copies of each block on the disks that survive, running or down. */
    private static int[] copiesOnDisks(SimDHashRing ring, ChordHost[] slot, boolean[] disk, List<ContentBlock> blocks)
            throws DHashException {
        int[] held = new int[blocks.size()];
        for (int s = 0; s < slot.length; s++) {
            if (disk[s]) {
                BlockStore store = ring.on(slot[s]).stores().get(0);
                for (int i = 0; i < blocks.size(); i++) {
                    held[i] += store.contains(blocks.get(i).key()) ? 1 : 0;
                }
            }
        }
        return held;
    }

    private static long maintenanceBytes(SimDHashRing ring) {
        return ring.everyNode().stream().mapToLong(d -> d.stats().maintenanceBytes()).sum();
    }

    private static long handedOff(SimDHashRing ring) {
        return ring.everyNode().stream().mapToLong(d -> d.stats().handedOff()).sum();
    }

    private static long copies(SimDHashRing ring, int replicas) {
        return ring.everyNode().stream()
                .mapToLong(d -> d.stats().pulled() + d.stats().pushed() + replicas * d.stats().handedOff()).sum();
    }
}
