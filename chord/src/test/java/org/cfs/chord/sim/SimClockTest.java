package org.cfs.chord.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.cfs.chord.Scheduler;
import org.junit.jupiter.api.Test;

/** Virtual time: order of events, cancellation, and what cancelled timers keep. */
class SimClockTest {
    private final SimClock clock = new SimClock();

    @Test
    void runsEventsByTimeThenByInsertion() {
        List<String> ran = new ArrayList<>();
        clock.schedule(Duration.ofMillis(20), () -> ran.add("b"));
        clock.schedule(Duration.ofMillis(10), () -> ran.add("a"));
        clock.schedule(Duration.ofMillis(20), () -> ran.add("c"));
        clock.schedule(Duration.ofMillis(30), () -> ran.add("late"));
        clock.runUntil(Duration.ofMillis(25));
        assertEquals(List.of("a", "b", "c"), ran);
        assertEquals(Duration.ofMillis(25), clock.now());
        assertEquals(3, clock.executed());
    }

    @Test
    void cancelledEventsDoNotRunAndCancellingTwiceOrAfterRunningIsHarmless() {
        List<String> ran = new ArrayList<>();
        Scheduler.Timer first = clock.schedule(Duration.ofMillis(1), () -> ran.add("first"));
        Scheduler.Timer second = clock.schedule(Duration.ofMillis(2), () -> ran.add("second"));
        clock.schedule(Duration.ofMillis(3), () -> ran.add("third"));
        second.cancel();
        second.cancel();
        clock.runFor(Duration.ofMillis(1));
        first.cancel();
        clock.runFor(Duration.ofSeconds(1));
        assertEquals(List.of("first", "third"), ran);
        assertEquals(2, clock.executed());
        assertEquals(0, clock.queued());
    }

    @Test
    void cancelledTimersAreSweptOutOfTheQueue() {
        int timers = 100_000;
        List<Scheduler.Timer> all = new ArrayList<>(timers);
        for (int i = 0; i < timers; i++) {
            all.add(clock.schedule(Duration.ofSeconds(30), () -> { }));
        }
        for (int i = 0; i < timers - 10; i++) {
            all.get(i).cancel();
        }
        assertTrue(clock.queued() < timers / 2, clock.queued() + " events still queued");
        clock.runFor(Duration.ofMinutes(1));
        assertEquals(10, clock.executed());
        assertEquals(0, clock.queued());
    }

    @Test
    void manyEventsWithTiesAndCancellationsRunInTimeThenInsertionOrder() {
        SplittableRandom random = new SplittableRandom(3);
        int count = 50_000;
        long[] due = new long[count];
        List<Scheduler.Timer> timers = new ArrayList<>(count);
        List<Integer> ran = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = i;
            due[i] = random.nextInt(1000);
            timers.add(clock.schedule(Duration.ofMillis(due[i]), () -> ran.add(n)));
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (random.nextInt(10) < 7) {
                timers.get(i).cancel();
            } else {
                expected.add(i);
            }
        }
        expected.sort(Comparator.comparingLong((Integer i) -> due[i]).thenComparingInt(i -> i));
        clock.runFor(Duration.ofSeconds(1));
        assertEquals(expected, ran);
    }

    @Test
    void aCancelledTimerLetsGoOfItsTask() {
        Scheduler.Timer timer = clock.schedule(Duration.ofSeconds(30), () -> { });
        timer.cancel();
        assertNull(((SimClock.Event) timer).task, "the cancelled event still holds its task");
        assertEquals(1, clock.queued());
    }
}
