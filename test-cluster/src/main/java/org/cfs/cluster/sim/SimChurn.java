package org.cfs.cluster.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.cfs.chord.ChordHost;
import org.cfs.chord.ChordNode;
import org.cfs.chord.Id;
import org.cfs.chord.LookupResult;
import org.cfs.chord.NodeRef;
import org.cfs.chord.Scheduler;
import org.cfs.cluster.RingOracle;

/**
 * Lookups during stabilization (Chord SIGCOMM'01 section 6.5, ToN'03 section V): on a
 * {@link SimRing}, running hosts crash and fresh hosts join through random running hosts as two
 * Poisson processes of one rate, while lookups for random keys from random running hosts arrive as
 * a third. Deterministic for a seed.
 *
 * <p>A lookup is judged when it completes, on the simulator's clock: it is right if its owner is
 * the owner of the key among the hosts running at that instant (joined, not crashed), as the paper
 * counts a lookup that "reaches the current successor of the desired key". A host that is still
 * joining is not a member yet. A lookup whose asking host crashes before it completes has nobody
 * to answer and is counted apart; one with no answer once its deadline and a drain have passed
 * counts as failed.
 */
public final class SimChurn {
    private final SimRing ring;
    private final SplittableRandom random;
    private final PoissonProcess joins;
    private final PoissonProcess crashes;
    private final PoissonProcess lookups;
    private final ChurnRun.Tally tally = new ChurnRun.Tally();
    /** Lookups in flight, in the order they were issued. */
    private final Set<Pending> pending = new LinkedHashSet<>();
    private Scheduler.Timer nextJoin;
    private Scheduler.Timer nextCrash;
    private Scheduler.Timer nextLookup;
    private boolean churning;
    private boolean measuring;

    /**
     * @param churnPerSecond R: the rate of crashes, and also of joins
     * @param lookupsPerSecond the rate of lookups while measuring
     */
    public SimChurn(SimRing ring, double churnPerSecond, double lookupsPerSecond, long seed) {
        SplittableRandom root = new SplittableRandom(seed);
        this.ring = ring;
        this.joins = new PoissonProcess(churnPerSecond, root.split());
        this.crashes = new PoissonProcess(churnPerSecond, root.split());
        this.lookups = new PoissonProcess(lookupsPerSecond, root.split());
        this.random = root.split();
    }

    /**
     * Churns for {@code warmup} without lookups, then for {@code measured} with lookups, then on
     * until every lookup issued has had its deadline plus {@code drain}; returns the figures.
     * Runs once.
     */
    public ChurnRun run(Duration warmup, Duration measured, Duration drain) {
        if (churning || tally.joins + tally.crashes + tally.issued > 0) {
            throw new IllegalStateException("a churn run runs once");
        }
        if (warmup.isNegative() || measured.isNegative() || measured.isZero() || drain.isNegative()) {
            throw new IllegalArgumentException("warmup " + warmup + " and drain " + drain
                    + " must not be negative and the measured span " + measured + " must be positive");
        }
        int before = ring.runningHosts().size();
        churning = true;
        nextJoin = ring.clock().schedule(joins.nextGap(), this::join);
        nextCrash = ring.clock().schedule(crashes.nextGap(), this::crash);
        ring.advance(warmup);
        measuring = true;
        nextLookup = ring.clock().schedule(lookups.nextGap(), this::lookup);
        ring.advance(measured);
        measuring = false;
        nextLookup.cancel();
        Duration wait = ring.config().lookupDeadline().plus(drain);
        ring.advance(wait);
        churning = false;
        nextJoin.cancel();
        nextCrash.cancel();
        Set<ChordHost> live = new HashSet<>(ring.hosts());
        for (Pending p : pending) {
            if (live.contains(p.origin)) {
                tally.failed("lookup of " + p.key + " had no answer " + wait.toSeconds() + " s after it was issued");
            } else {
                tally.originCrashed++;
            }
        }
        pending.clear();
        return tally.toRun(before, ring.runningHosts().size(), measured);
    }

    private void join() {
        if (!churning) {
            return;
        }
        tally.joins++;
        ring.joinThroughRandomHost(1).whenComplete((ok, error) -> {
            if (error != null) {
                tally.failedJoins++;
            } else {
                tally.joined++;
            }
        });
        nextJoin = ring.clock().schedule(joins.nextGap(), this::join);
    }

    private void crash() {
        if (!churning) {
            return;
        }
        // Never the last running host: a ring of none cannot be joined again.
        if (ring.runningHosts().size() > 1 && ring.crashRandomRunningHost() != null) {
            tally.crashes++;
        }
        nextCrash = ring.clock().schedule(crashes.nextGap(), this::crash);
    }

    private void lookup() {
        if (!measuring) {
            return;
        }
        List<ChordHost> running = ring.runningHosts();
        ChordHost origin = running.get(random.nextInt(running.size()));
        List<ChordNode> vnodes = origin.vnodes();
        ChordNode from = vnodes.get(random.nextInt(vnodes.size()));
        byte[] k = new byte[Id.BYTES];
        random.nextBytes(k);
        Id key = Id.fromBytes(k, 0);
        Pending p = new Pending(key, origin, oracle().owner(key));
        pending.add(p);
        tally.issued++;
        from.lookup(key).whenComplete((result, error) -> {
            pending.remove(p);
            judge(p, result, error);
        });
        nextLookup = ring.clock().schedule(lookups.nextGap(), this::lookup);
    }

    /** Runs the moment the lookup completes, so the oracle is the ring of that instant. */
    private void judge(Pending p, LookupResult result, Throwable error) {
        if (error != null) {
            Throwable cause = error.getCause() != null ? error.getCause() : error;
            tally.failed(cause.getMessage());
            return;
        }
        NodeRef truth = oracle().owner(p.key);
        tally.answered(result, truth.equals(result.owner()), result.owner().equals(p.ownerAtIssue), () ->
                "lookup of " + p.key + " returned " + result.owner() + " after " + result.hops() + " hops and "
                        + result.timeouts() + " timeouts; the owner is " + truth + ", at issue it was "
                        + p.ownerAtIssue);
    }

    /** The ring of the running hosts now. */
    private RingOracle oracle() {
        List<NodeRef> members = new ArrayList<>();
        for (ChordHost h : ring.runningHosts()) {
            h.vnodes().forEach(v -> members.add(v.self()));
        }
        return new RingOracle(members, ring.successors());
    }

    /** A lookup in flight; equal only to itself. */
    private static final class Pending {
        final Id key;
        final ChordHost origin;
        final NodeRef ownerAtIssue;

        Pending(Id key, ChordHost origin, NodeRef ownerAtIssue) {
            this.key = key;
            this.origin = origin;
            this.ownerAtIssue = ownerAtIssue;
        }
    }
}
