package org.cfs.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Progress as whole lines, for output that is not a terminal: each step as it comes and at most
 * one status line per interval, never a carriage return, so a log or CI output stays readable.
 * Status lines are printed by whichever thread adds progress after the interval, so nothing runs
 * in the background.
 */
final class PlainProgress extends Progress {
    private final PrintStream out;
    private final LongSupplier nanoTime;
    private final long intervalNanos;
    private final long startNanos;
    /** When the next status line is due; the thread that moves it on prints that line. */
    private final AtomicLong nextStatusNanos;

    PlainProgress(String task, long totalFiles, long totalBytes, PrintStream out, LongSupplier nanoTime,
                  Duration interval) {
        super(task, totalFiles, totalBytes);
        this.out = out;
        this.nanoTime = nanoTime;
        this.intervalNanos = interval.toNanos();
        this.startNanos = nanoTime.getAsLong();
        this.nextStatusNanos = new AtomicLong(startNanos + intervalNanos);
    }

    @Override
    void step(String line) {
        println(line);
    }

    @Override
    void filesAdded() {
        statusIfDue();
    }

    @Override
    void bytesAdded(long n) {
        statusIfDue();
    }

    @Override
    void finish() {
        long now = nanoTime.getAsLong();
        double seconds = (now - startNanos) / 1e9;
        println(task + ": " + filesText() + ", " + bytesText(seconds) + " in " + seconds(seconds));
    }

    private void statusIfDue() {
        long now = nanoTime.getAsLong();
        long due = nextStatusNanos.get();
        if (now - due >= 0 && !isClosed() && nextStatusNanos.compareAndSet(due, now + intervalNanos)) {
            println(task + ": " + filesText() + ", " + bytesText((now - startNanos) / 1e9));
        }
    }

    /** One line at a time, whole, whatever threads print. */
    private void println(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
