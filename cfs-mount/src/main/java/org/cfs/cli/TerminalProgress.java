package org.cfs.cli;

import java.io.PrintStream;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress as a bar redrawn in place (the progressbar library): bytes done of the total with rate
 * and time left, and files done after it. Steps are printed on their own line above the bar.
 */
final class TerminalProgress extends Progress {
    /** Asks the terminal for its width, as the library does when given no width. */
    static final int TERMINAL_WIDTH = -1;
    private static final int REFRESH_MILLIS = 250;
    private static final long MIB = 1L << 20;

    private final BarLine line;
    private final ProgressBar bar;

    TerminalProgress(String task, long totalFiles, long totalBytes, PrintStream out, int width) {
        super(task, totalFiles, totalBytes);
        this.line = new BarLine(out, width);
        // Below a few MiB a bar counted in MiB would sit at 0 most of the way.
        boolean small = totalBytes != UNKNOWN && totalBytes < 16 * MIB;
        this.bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(totalBytes)
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(small ? " KiB" : " MiB", small ? 1024 : MIB)
                .showSpeed(new DecimalFormat("0.0", DecimalFormatSymbols.getInstance(Locale.ROOT)))
                .setUpdateIntervalMillis(REFRESH_MILLIS)
                .setConsumer(line)
                .build();
        bar.setExtraMessage(" " + filesText());
    }

    @Override
    void step(String text) {
        line.above(text);
    }

    @Override
    void filesAdded() {
        // Under the lock, so a thread that counted fewer files cannot overwrite a later count.
        synchronized (bar) {
            bar.setExtraMessage(" " + filesText());
        }
    }

    @Override
    void bytesAdded(long n) {
        bar.stepBy(n);
    }

    /** Draws the bar a last time with the final counts and ends its line. */
    @Override
    void finish() {
        bar.close();
        // A bar closed before its first refresh is drawn once but never ends its line (progressbar
        // 0.10.2 closes its consumer only from a refresh after the first); end it here.
        line.close();
    }

    /**
     * Where the bar is drawn: the library's console output, made safe against steps printed from
     * other threads, and flushed, since a bar has no newline to flush a buffered stream.
     */
    private static final class BarLine extends ConsoleProgressBarConsumer {
        private static final String ERASE_LINE = "\r\u001b[2K";
        private final PrintStream out;
        private String last = "";
        private boolean ended;

        BarLine(PrintStream out, int width) {
            super(out, width);
            this.out = out;
        }

        @Override
        public synchronized void accept(String rendered) {
            last = rendered;
            if (!ended) {
                super.accept(rendered);
                out.flush();
            }
        }

        /** Replaces the bar with {@code text} and its newline, then draws the bar again below it. */
        synchronized void above(String text) {
            if (ended) {
                out.println(text);
            } else {
                out.print(ERASE_LINE + text + System.lineSeparator());
                super.accept(last);
            }
            out.flush();
        }

        /** Ends the bar's line once, however often it is called. */
        @Override
        public synchronized void close() {
            if (!ended) {
                ended = true;
                super.close();
            }
        }
    }
}
