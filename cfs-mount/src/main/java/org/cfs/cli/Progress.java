package org.cfs.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.cfs.chord.ByteSize;

/**
 * The one progress reporter of long commands such as publish and get: any number of threads add
 * files and bytes done and say steps, and a person sees a bar on a terminal or, when output goes
 * to a file or a pipe, plain lines that a log keeps readable. Every method is thread-safe.
 */
abstract sealed class Progress implements AutoCloseable permits TerminalProgress, PlainProgress {
    /** Totals not known in advance. */
    static final long UNKNOWN = -1;
    /** The most often plain output prints a status line. */
    static final Duration STATUS_INTERVAL = Duration.ofSeconds(5);

    final String task;
    final long totalFiles;
    final long totalBytes;
    private final LongAdder files = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final AtomicBoolean closed = new AtomicBoolean();

    Progress(String task, long totalFiles, long totalBytes) {
        if (totalFiles < UNKNOWN || totalBytes < UNKNOWN) {
            throw new IllegalArgumentException("totals of " + task + " are " + totalFiles + " files and "
                    + totalBytes + " bytes; give -1 for a total not known");
        }
        this.task = task;
        this.totalFiles = totalFiles;
        this.totalBytes = totalBytes;
    }

    /**
     * Starts reporting {@code task} to {@code out}: as a bar when {@code terminal} (see
     * {@link #onTerminal()}), else as plain lines. Either total may be {@link #UNKNOWN}.
     */
    static Progress start(String task, long totalFiles, long totalBytes, PrintStream out, boolean terminal) {
        return terminal ? new TerminalProgress(task, totalFiles, totalBytes, out, TerminalProgress.TERMINAL_WIDTH)
                : new PlainProgress(task, totalFiles, totalBytes, out, System::nanoTime, STATUS_INTERVAL);
    }

    /** Whether this process talks to a person at a terminal, rather than to a file or a pipe. */
    static boolean onTerminal() {
        return System.console() != null;
    }

    void addFiles(long n) {
        files.add(nonNegative(n, "files"));
        filesAdded();
    }

    void addBytes(long n) {
        bytes.add(nonNegative(n, "bytes"));
        bytesAdded(n);
    }

    /** A message a person should see, such as a file that was skipped, on a line of its own. */
    abstract void step(String line);

    /** Ends the bar or prints the final line; later calls do nothing. */
    @Override
    public final void close() {
        if (closed.compareAndSet(false, true)) {
            finish();
        }
    }

    abstract void filesAdded();

    abstract void bytesAdded(long n);

    abstract void finish();

    final boolean isClosed() {
        return closed.get();
    }

    final long files() {
        return files.sum();
    }

    final long bytes() {
        return bytes.sum();
    }

    /** "12/340 files", or "12 files" ("1 file") when the total is not known. */
    final String filesText() {
        long done = files();
        if (totalFiles == UNKNOWN) {
            return done + (done == 1 ? " file" : " files");
        }
        return done + "/" + totalFiles + " files";
    }

    /** "45 MiB of 1.2 GiB", "45 MiB" when the total is not known, and the rate over {@code seconds}. */
    final String bytesText(double seconds) {
        long done = bytes();
        String text = ByteSize.of(done) + (totalBytes == UNKNOWN ? "" : " of " + ByteSize.of(totalBytes));
        return seconds <= 0 ? text : text + ", " + ByteSize.of((long) (done / seconds)) + "/s";
    }

    static String seconds(double seconds) {
        return String.format(Locale.ROOT, "%.1f s", seconds);
    }

    private long nonNegative(long n, String what) {
        if (n < 0) {
            throw new IllegalArgumentException(task + ": cannot add " + n + " " + what + "; progress only grows");
        }
        return n;
    }
}
