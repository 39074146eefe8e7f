package org.cfs.chord.sim;

import java.time.Duration;
import java.util.Arrays;
import org.cfs.chord.Scheduler;

/**
 * Virtual time: a queue of events ordered by time, then by insertion, run one at a time on the
 * caller's thread. Nothing here touches the wall clock, so a run is a pure function of its seed.
 *
 * <p>The queue is a binary heap whose keys (time, insertion number) sit in primitive arrays
 * beside the events, so ordering a million pending events reads no event object. Most timers are
 * cancelled long before they fall due (every request's timeout, every lookup's 30 s watchdog): a
 * cancelled event lets go of its task at once, so nothing it captured (a whole finished lookup)
 * stays reachable, and once cancelled events are more than half the queue they are swept out in
 * one pass, so the queue holds about as many events as are live.
 */
public final class SimClock {
    /** Below this many cancelled events a sweep is not worth its pass over the queue. */
    private static final int MIN_SWEEP = 1024;
    private static final int INITIAL_CAPACITY = 1024;

    private long[] times = new long[INITIAL_CAPACITY];
    private long[] seqs = new long[INITIAL_CAPACITY];
    private Event[] events = new Event[INITIAL_CAPACITY];
    private int size;
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
        return size;
    }

    Event at(long time, Runnable task) {
        Event e = new Event(this, task);
        if (size == events.length) {
            int capacity = size * 2;
            times = Arrays.copyOf(times, capacity);
            seqs = Arrays.copyOf(seqs, capacity);
            events = Arrays.copyOf(events, capacity);
        }
        siftUp(size++, Math.max(time, now), sequence++, e);
        return e;
    }

    /** Schedules a task of the simulation itself (not of any node). */
    public Scheduler.Timer schedule(Duration delay, Runnable task) {
        return at(now + delay.toNanos(), task);
    }

    /** Runs events until virtual time reaches {@code deadline} (or the queue is empty). */
    public void runUntil(Duration deadline) {
        long until = deadline.toNanos();
        while (size > 0 && times[0] <= until) {
            now = times[0];
            Event e = removeFirst();
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

    private Event removeFirst() {
        Event first = events[0];
        size--;
        long t = times[size];
        long s = seqs[size];
        Event e = events[size];
        events[size] = null;
        if (size > 0) {
            siftDown(0, t, s, e);
        }
        return first;
    }

    private static boolean before(long t1, long s1, long t2, long s2) {
        return t1 < t2 || (t1 == t2 && s1 < s2);
    }

    private void siftUp(int index, long t, long s, Event e) {
        int i = index;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(t, s, times[parent], seqs[parent])) {
                break;
            }
            place(i, times[parent], seqs[parent], events[parent]);
            i = parent;
        }
        place(i, t, s, e);
    }

    private void siftDown(int index, long t, long s, Event e) {
        int i = index;
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && before(times[right], seqs[right], times[child], seqs[child])) {
                child = right;
            }
            if (!before(times[child], seqs[child], t, s)) {
                break;
            }
            place(i, times[child], seqs[child], events[child]);
            i = child;
        }
        place(i, t, s, e);
    }

    private void place(int i, long t, long s, Event e) {
        times[i] = t;
        seqs[i] = s;
        events[i] = e;
    }

    private void cancelledOne() {
        cancelled++;
        if (cancelled >= MIN_SWEEP && cancelled > size / 2) {
            sweep();
        }
    }

    /** Drops the cancelled events and restores the heap order over what is left. */
    private void sweep() {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (events[i].task != null) {
                place(kept++, times[i], seqs[i], events[i]);
            }
        }
        Arrays.fill(events, kept, size, null);
        size = kept;
        cancelled = 0;
        for (int i = (size >>> 1) - 1; i >= 0; i--) {
            siftDown(i, times[i], seqs[i], events[i]);
        }
    }

    /** A queued task; its task is null once it ran or was cancelled. */
    static final class Event implements Scheduler.Timer {
        private final SimClock clock;
        Runnable task;

        Event(SimClock clock, Runnable task) {
            this.clock = clock;
            this.task = task;
        }

        @Override
        public void cancel() {
            if (task != null) {
                task = null;
                clock.cancelledOne();
            }
        }
    }
}
