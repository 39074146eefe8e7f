package org.cfs.cluster.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A synthetic failure trace of a fixed number of host slots, made from a seed, in the manner of the
 * PlanetLab traces Carbonite was measured on: hosts fail transiently and come back with their disk,
 * and now and then a disk is lost for good and a fresh host takes the slot.
 *
 * <p>Every slot starts up with a new disk at time 0 and then, independently of the others:
 * <ul>
 *   <li>stays up for an exponential session of mean {@code meanSession}, then is down ({@link Kind#DOWN})
 *       for an exponential downtime of mean {@code meanDowntime}, and comes back ({@link Kind#UP})
 *       with the disk it had;</li>
 *   <li>loses its disk ({@link Kind#DISK_LOST}) an exponential lifetime of mean {@code meanDiskLife}
 *       after the disk was new. If the host was up it goes down then, for a downtime drawn as
 *       above; either way the next {@link Kind#UP} of the slot is a fresh host with an empty disk.</li>
 * </ul>
 * Events after {@code length} are dropped. Each slot's events alternate: DOWN or DISK_LOST while
 * up, then at most one DISK_LOST while down, then UP.
 *
 * @param params what the trace was made of
 * @param seed the seed it was made from
 * @param events every event, by time then slot
 */
public record FailureTrace(Params params, long seed, List<Event> events) {
    /** Most events one slot may have: bounds the generator whatever the parameters. */
    static final int MAX_EVENTS_PER_SLOT = 100_000;

    public FailureTrace {
        events = List.copyOf(events);
    }

    /** What happens to a slot. */
    public enum Kind {
        /** The host stops; its disk survives. */
        DOWN,
        /** The disk is gone; the host stops if it was running. */
        DISK_LOST,
        /** The slot runs again: the host it had with its disk, or a fresh one if the disk was lost. */
        UP
    }

    /** One event of slot {@code slot} at {@code at} after the trace started. */
    public record Event(Duration at, int slot, Kind kind) {
    }

    /**
     * The trace's shape.
     *
     * @param hosts slots, each always holding one host, running or not
     * @param length how long the trace lasts
     * @param meanSession mean time a host stays up
     * @param meanDowntime mean time a host stays down, after a transient failure or a disk loss
     * @param meanDiskLife mean time from a disk's first use to its loss
     */
    public record Params(int hosts, Duration length, Duration meanSession, Duration meanDowntime,
                         Duration meanDiskLife) {
        public Params {
            if (hosts < 1 || hosts > 100_000) {
                throw new IllegalArgumentException("hosts is " + hosts + ", must be in 1..100000");
            }
            positive("length", length);
            positive("meanSession", meanSession);
            positive("meanDowntime", meanDowntime);
            positive("meanDiskLife", meanDiskLife);
            if (length.dividedBy(meanSession) > MAX_EVENTS_PER_SLOT / 4
                    || length.dividedBy(meanDowntime) > MAX_EVENTS_PER_SLOT / 4) {
                throw new IllegalArgumentException("a trace of " + length + " with sessions of " + meanSession
                        + " and downtimes of " + meanDowntime + " has too many events per slot (most "
                        + MAX_EVENTS_PER_SLOT / 4 + " sessions)");
            }
        }

        private static void positive(String name, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
            }
        }
    }

    /** The trace of {@code params} made from {@code seed}. */
    public static FailureTrace generate(Params params, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Event> events = new ArrayList<>();
        long end = params.length().toMillis();
        for (int slot = 0; slot < params.hosts(); slot++) {
            slotEvents(params, slot, random.split(), end, events);
        }
        events.sort(Comparator.comparing(Event::at).thenComparingInt(Event::slot));
        return new FailureTrace(params, seed, events);
    }

    private static void slotEvents(Params p, int slot, SplittableRandom random, long end, List<Event> out) {
        long now = 0;
        long diskLost = draw(random, p.meanDiskLife());
        for (int n = 0; n < MAX_EVENTS_PER_SLOT && now < end; n += 3) {
            long sessionEnd = now + draw(random, p.meanSession());
            long down = Math.min(sessionEnd, diskLost);
            add(out, down, slot, down == diskLost ? Kind.DISK_LOST : Kind.DOWN, end);
            long up = down + draw(random, p.meanDowntime());
            if (down != diskLost && diskLost < up) {
                add(out, diskLost, slot, Kind.DISK_LOST, end);
            }
            add(out, up, slot, Kind.UP, end);
            if (diskLost < up) {
                diskLost = up + draw(random, p.meanDiskLife());
            }
            now = up;
        }
    }

    private static void add(List<Event> out, long atMillis, int slot, Kind kind, long end) {
        if (atMillis < end) {
            out.add(new Event(Duration.ofMillis(atMillis), slot, kind));
        }
    }

    /** An exponential time of the given mean, at least a millisecond so events of a slot stay ordered. */
    private static long draw(SplittableRandom random, Duration mean) {
        return Math.max(1, Math.round(-mean.toMillis() * Math.log(1 - random.nextDouble())));
    }

    /** How many events of {@code kind} the trace has. */
    public long count(Kind kind) {
        return events.stream().filter(e -> e.kind() == kind).count();
    }
}
