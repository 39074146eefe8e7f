package org.cfs.cli;

import java.nio.file.Path;
import org.cfs.fs.Publisher;
import org.cfs.fs.TreeExport;

/**
 * Shows a publish or a get as it goes, on stderr so stdout keeps the result: a bar with files,
 * bytes, rate and ETA on a terminal, a status line every few seconds otherwise; warnings as
 * lines of their own.
 */
final class CommandProgress implements Publisher.Listener, TreeExport.Listener, AutoCloseable {
    private final String task;
    private final boolean quiet;
    private Progress progress;
    private long files;
    private long bytes;

    /** {@code quiet} keeps the bar off (for --json runs, whose output a script reads). */
    CommandProgress(String task, boolean quiet) {
        this.task = task;
        this.quiet = quiet;
    }

    @Override
    public void planned(long totalFiles, long totalBytes) {
        if (!quiet) {
            progress = Progress.start(task, totalFiles, totalBytes, System.err, Progress.onTerminal());
        }
    }

    /** A publish stored one more file. */
    @Override
    public void stored(Path file, long fileBytes) {
        progress(files + 1, bytes + fileBytes);
    }

    /** A get has written this many files and bytes so far. */
    @Override
    public void progress(long filesDone, long bytesDone) {
        if (progress != null) {
            progress.addFiles(filesDone - files);
            progress.addBytes(bytesDone - bytes);
        }
        files = filesDone;
        bytes = bytesDone;
    }

    @Override
    public void warning(String message) {
        if (progress != null) {
            progress.step("warning: " + message);
        } else {
            System.err.println("cfs " + task + ": warning: " + message);
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
