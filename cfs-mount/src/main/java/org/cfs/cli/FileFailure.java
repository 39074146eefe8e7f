package org.cfs.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Why reading or writing a file the user named failed, in words. NIO's exceptions often carry
 * nothing but the path, which the user already gave, so the reason is worked out here.
 */
final class FileFailure {
    private FileFailure() {
    }

    /** "cannot write x/y/f: no such directory x/y", and so on. */
    static CommandFailedException of(String verb, Path path, IOException e) {
        return new CommandFailedException("cannot " + verb + " " + path + ": " + reason(path, e), e);
    }

    static String reason(Path path, IOException e) {
        // A missing or non-directory parent fails as "no such file" or "not a directory" on the
        // file itself; the parent is what the user has to fix.
        String parentProblem = e instanceof FileSystemException ? parentProblem(path) : null;
        if (parentProblem != null) {
            return parentProblem;
        }
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason().toLowerCase(Locale.ROOT);
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /**
     * What is wrong with the directory {@code path} would live in ("no such directory x/y", "x is
     * not a directory"), or null when it is a directory.
     */
    static String parentProblem(Path path) {
        Path parent = path.toAbsolutePath().getParent();
        if (parent == null || Files.isDirectory(parent)) {
            return null;
        }
        // Name the directory as the user wrote it when they gave one.
        Path shown = path.getParent() != null ? path.getParent() : parent;
        return Files.exists(parent) ? shown + " is not a directory" : "no such directory " + shown;
    }
}
