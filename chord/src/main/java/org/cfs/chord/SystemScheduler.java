package org.cfs.chord;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production {@link Scheduler}: one daemon event-loop thread on the system's monotonic clock.
 * A task that throws is logged and does not stop the loop. After {@link #close()}, timers are
 * ignored and {@link #execute} throws {@link java.util.concurrent.RejectedExecutionException}, so
 * work handed to a closed host fails instead of waiting forever.
 */
public final class SystemScheduler implements Scheduler, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SystemScheduler.class);

    private final ScheduledThreadPoolExecutor executor;
    private final String threadName;

    private SystemScheduler(String threadName) {
        this.threadName = threadName;
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    public static SystemScheduler create(String threadName) {
        return new SystemScheduler(threadName);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Timer schedule(Duration delay, Runnable task) {
        if (executor.isShutdown()) {
            return () -> { };
        }
        ScheduledFuture<?> f = executor.schedule(guarded(task), delay.toNanos(), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void execute(Runnable task) {
        executor.execute(guarded(task));
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("scheduled task failed", e);
            }
        };
    }

    /** Stops the thread; pending tasks are dropped. Idempotent; from the loop's own thread it does not wait. */
    @Override
    public void close() {
        executor.shutdownNow();
        if (Thread.currentThread().getName().equals(threadName)) {
            return;
        }
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
