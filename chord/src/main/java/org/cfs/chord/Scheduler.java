package org.cfs.chord;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Time and timers for protocol code, which never reads the wall clock or sleeps. Production uses
 * one event-loop thread per host on the system clock; the simulator uses a virtual clock. Every
 * task of one host runs on {@link #execute}'s single logical thread, so protocol state needs no
 * locks.
 */
public interface Scheduler extends Executor {

    /** Monotonic time in nanoseconds; only differences are meaningful. */
    long nanoTime();

    /** Runs {@code task} once after {@code delay}. */
    Timer schedule(Duration delay, Runnable task);

    /** A pending task that can be called off. */
    interface Timer {
        void cancel();
    }
}
