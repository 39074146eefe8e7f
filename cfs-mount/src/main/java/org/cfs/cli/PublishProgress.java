package org.cfs.cli;

import java.nio.file.Path;
import org.cfs.fs.Publisher;

/**
 * Shows a publish as it goes, on stderr so stdout keeps the result: a bar with files, bytes, rate
 * and ETA on a terminal, a status line every few seconds otherwise; warnings as their own lines.
 */
final class PublishProgress implements Publisher.Listener, AutoCloseable {
    private final boolean quiet;
    private Progress progress;

    /** {@code quiet} keeps the bar off (for --json runs, whose output a script reads). */
    PublishProgress(boolean quiet) {
        this.quiet = quiet;
    }

    @Override
    public void planned(long files, long bytes) {
        if (!quiet) {
            progress = Progress.start("publish", files, bytes, System.err, Progress.onTerminal());
        }
    }

    @Override
    public void stored(Path file, long bytes) {
        if (progress != null) {
            progress.addFiles(1);
            progress.addBytes(bytes);
        }
    }

    @Override
    public void warning(String message) {
        if (progress != null) {
            progress.step("warning: " + message);
        } else {
            System.err.println("cfs publish: warning: " + message);
        }
    }

    @Override
    public void close() {
        if (progress != null) {
            progress.close();
            progress = null;
        }
    }
}
