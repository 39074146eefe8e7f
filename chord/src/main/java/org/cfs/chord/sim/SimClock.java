package org.cfs.chord.sim;

import java.time.Duration;
import java.util.PriorityQueue;
import org.cfs.chord.Scheduler;

/**
 * Virtual time: a queue of events ordered by time, then by insertion, run one at a time on the
 * caller's thread. Nothing here touches the wall clock, so a run is a pure function of its seed.
 */
public final class SimClock {
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private long now;
    private long sequence;
    private long executed;

    /** Current virtual time in nanoseconds since the simulation began. */
    public long nanoTime() {
        return now;
    }

    public Duration now() {
        return Duration.ofNanos(now);
    }

    /** Events run so far. */
    public long executed() {
        return executed;
    }

    Event at(long time, Runnable task) {
        Event e = new Event(Math.max(time, now), sequence++, task);
        queue.add(e);
        return e;
    }

    /** Schedules a task of the simulation itself (not of any node). */
    public Scheduler.Timer schedule(Duration delay, Runnable task) {
        return at(now + delay.toNanos(), task);
    }

    /** Runs events until virtual time reaches {@code deadline} (or the queue is empty). */
    public void runUntil(Duration deadline) {
        long until = deadline.toNanos();
        while (!queue.isEmpty() && queue.peek().time <= until) {
            Event e = queue.poll();
            now = e.time;
            if (!e.cancelled) {
                executed++;
                e.task.run();
            }
        }
        now = Math.max(now, until);
    }

    /** Runs events for {@code span} of virtual time. */
    public void runFor(Duration span) {
        runUntil(Duration.ofNanos(now).plus(span));
    }

    static final class Event implements Comparable<Event>, Scheduler.Timer {
        final long time;
        final long seq;
        final Runnable task;
        boolean cancelled;

        Event(long time, long seq, Runnable task) {
            this.time = time;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Event o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
