package org.cfs.cluster.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.cfs.chord.ChordHost;
import org.cfs.chord.ChordNode;
import org.cfs.chord.Endpoint;
import org.cfs.cluster.RingOracle;

/**
 * A network partition of a {@link SimRing} in two sides: cut it, wait until each side has become
 * a ring of its own (checked against an oracle of that side), heal it, and wait until the whole
 * ring matches its oracle again.
 */
public final class RingPartition {
    private final SimRing ring;
    private final List<ChordHost> side;
    private final List<ChordHost> rest;

    private RingPartition(SimRing ring, List<ChordHost> side, List<ChordHost> rest) {
        if (side.isEmpty() || rest.isEmpty()) {
            throw new IllegalArgumentException("a partition needs hosts on both sides, got "
                    + side.size() + " and " + rest.size());
        }
        this.ring = ring;
        this.side = List.copyOf(side);
        this.rest = List.copyOf(rest);
    }

    /** The live hosts split at random, {@code fraction} of them on one side (at least one on each). */
    public static RingPartition random(SimRing ring, double fraction, long seed) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("side fraction " + fraction + " is outside (0, 1)");
        }
        List<ChordHost> hosts = new ArrayList<>(ring.hosts());
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = hosts.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            ChordHost t = hosts.get(i);
            hosts.set(i, hosts.get(j));
            hosts.set(j, t);
        }
        int n = (int) Math.max(1, Math.min(hosts.size() - 1, Math.round(hosts.size() * fraction)));
        return new RingPartition(ring, hosts.subList(0, n), hosts.subList(n, hosts.size()));
    }

    public List<ChordHost> side() {
        return side;
    }

    public List<ChordHost> rest() {
        return rest;
    }

    /** Drops every message between the two sides from now on. */
    public void cut() {
        Set<Endpoint> endpoints = new HashSet<>();
        side.forEach(h -> endpoints.add(h.endpoint()));
        ring.network().partition(endpoints);
    }

    /** Lets messages cross again. */
    public void heal() {
        ring.network().heal();
    }

    /** Live vnodes of either side that disagree with the oracle of their own side's live vnodes. */
    public int splitMismatches() {
        Set<ChordHost> live = new HashSet<>(ring.hosts());
        return mismatches(side, live) + mismatches(rest, live);
    }

    private int mismatches(List<ChordHost> hosts, Set<ChordHost> live) {
        List<ChordNode> nodes = new ArrayList<>();
        hosts.stream().filter(live::contains).forEach(h -> nodes.addAll(h.vnodes()));
        return new RingOracle(nodes.stream().map(ChordNode::self).toList(), ring.successors())
                .mismatches(nodes).count();
    }

    /**
     * Lets time pass in steps until each side matches its own oracle; the time it took, or empty
     * if not within {@code bound}.
     */
    public Optional<Duration> awaitSplit(Duration bound, Duration step) {
        Duration start = ring.now();
        Duration deadline = start.plus(bound);
        while (splitMismatches() != 0) {
            if (ring.now().compareTo(deadline) >= 0) {
                return Optional.empty();
            }
            ring.advance(step);
        }
        return Optional.of(ring.now().minus(start));
    }
}
