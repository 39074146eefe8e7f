package org.cfs.chord;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Castro et al.'s routing failure test: the mean gap between consecutive ids of a list of nodes,
 * against the mean gap of this node's own successor list. Node ids are hashes, so they are spread
 * evenly and an honest list is about as dense as our own; a list made of colluders only (a fraction
 * F of the ring) is about 1/F times sparser, and one that skips the true owner sparser still.
 *
 * @param meanGap mean clockwise gap between consecutive ids of the reference list, as a fraction of the ring
 */
record IdDensity(double meanGap) {
    /**
     * How much sparser than the reference a list may be and still pass. Against a reference of 16
     * gaps (the ratio of two Gamma(16) variables, by simulation) an honest list fails with
     * probability about 2.5% and a list of colluders at F = 0.25 (4 times sparser) passes with
     * about 2.5%; against the host's {@link DensityReference}, about a thousand gaps, 0.07% and
     * 0.8%.
     */
    static final double TOLERANCE = 2.0;
    /** Fewer successors than this and the reference says too little: the ring is tiny, or just failed. */
    static final int MIN_REFERENCE = 4;

    /** The density of {@code from}'s successor list, or null when the list is too short to tell. */
    static IdDensity of(Id from, List<NodeRef> successors) {
        if (successors.size() < MIN_REFERENCE) {
            return null;
        }
        return new IdDensity(meanGap(from, successors));
    }

    /** True if {@code nodes}, walked clockwise from {@code from}, is not much sparser than the reference. */
    boolean admits(Id from, List<NodeRef> nodes) {
        return nodes.isEmpty() || admitsGap(meanGap(from, nodes));
    }

    /** True if a list whose mean gap is {@code gap} is not much sparser than the reference. */
    boolean admitsGap(double gap) {
        return gap <= TOLERANCE * meanGap;
    }

    /**
     * Mean of the clockwise gaps from {@code from} to the first node and between consecutive nodes.
     * A list out of ring order walks more than once round and comes out sparse, as it should.
     */
    static double meanGap(Id from, List<NodeRef> nodes) {
        double sum = 0;
        Id at = from;
        for (NodeRef n : nodes) {
            sum += at.distanceTo(n.id()).fraction();
            at = n.id();
        }
        return sum / nodes.size();
    }

    /**
     * The distinct nodes of {@code answers}, none of them in {@code dead}, in ring order from
     * {@code key} (the owner first), at most {@code limit}: what several answers together say the
     * replica set is. A liar can add real nodes to it but cannot hide one that an honest answer named.
     */
    static List<NodeRef> combine(Id key, Collection<? extends List<NodeRef>> answers, Set<Id> dead, int limit) {
        List<NodeRef> all = new ArrayList<>();
        for (List<NodeRef> answer : answers) {
            for (NodeRef n : answer) {
                if (!dead.contains(n.id()) && !all.contains(n)) {
                    all.add(n);
                }
            }
        }
        all.sort(Comparator.comparing(NodeRef::id, Id.nearestAfter(key)));
        return all.size() > limit ? List.copyOf(all.subList(0, limit)) : List.copyOf(all);
    }
}
