package org.cfs.chord.sim;

import java.time.Duration;
import java.util.PriorityQueue;
import org.cfs.chord.Scheduler;

/**
 * Virtual time: a queue of events ordered by time, then by insertion, run one at a time on the
 * caller's thread. Nothing here touches the wall clock, so a run is a pure function of its seed.
 *
 * <p>Most timers are cancelled long before they fall due (every request's timeout, every lookup's
 * 30 s watchdog). A cancelled event lets go of its task at once, so nothing it captured (a whole
 * finished lookup) stays reachable, and once cancelled events are more than half the queue they
 * are swept out in one pass, so the queue holds about as many events as are live.
 */
public final class SimClock {
    /** Below this many cancelled events a sweep is not worth its pass over the queue. */
    private static final int MIN_SWEEP = 1024;

    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private long now;
    private long sequence;
    private long executed;
    private int cancelled;

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

    /** Events waiting in the queue, cancelled ones not yet swept out included. */
    int queued() {
        return queue.size();
    }

    Event at(long time, Runnable task) {
        Event e = new Event(this, Math.max(time, now), sequence++, task);
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
            Runnable task = e.task;
            if (task == null) {
                cancelled--;
                continue;
            }
            e.task = null;
            executed++;
            task.run();
        }
        now = Math.max(now, until);
    }

    /** Runs events for {@code span} of virtual time. */
    public void runFor(Duration span) {
        runUntil(Duration.ofNanos(now).plus(span));
    }

    private void cancelledOne() {
        cancelled++;
        if (cancelled >= MIN_SWEEP && cancelled > queue.size() / 2) {
            queue.removeIf(e -> e.task == null);
            cancelled = 0;
        }
    }

    /** A queued task; its task is null once it ran or was cancelled. */
    static final class Event implements Comparable<Event>, Scheduler.Timer {
        private final SimClock clock;
        final long time;
        final long seq;
        Runnable task;

        Event(SimClock clock, long time, long seq, Runnable task) {
            this.clock = clock;
            this.time = time;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public void cancel() {
            if (task != null) {
                task = null;
                clock.cancelledOne();
            }
        }

        @Override
        public int compareTo(Event o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
