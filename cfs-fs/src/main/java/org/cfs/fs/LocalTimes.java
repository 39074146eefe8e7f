package org.cfs.fs;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.SaveError;

/**
 * Sets a local file's modification time to the nanosecond without following a symlink. Java's
 * own call does that for files and directories, but on a symlink it uses {@code lutimes}, which
 * keeps microseconds only; so this calls {@code utimensat(AT_FDCWD, path, times,
 * AT_SYMLINK_NOFOLLOW)} on the path's raw bytes through jnr-ffi, and falls back to Java's call
 * where that is not possible (not 64-bit Linux, or libc not loadable).
 */
final class LocalTimes {
    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int EPERM = 1;
    private static final int ENOENT = 2;
    private static final int EACCES = 13;
    /** Leaves the access time as it is. */
    private static final long UTIME_OMIT = (1L << 30) - 2;

    /** The part of libc used here. */
    public interface LibC {
        /** {@code times} is two struct timespec {tv_sec, tv_nsec} of 64-bit longs: atime, mtime. */
        @SaveError
        int utimensat(int dirfd, @In byte[] path, @In long[] times, int flags);

        String strerror(int errno);
    }

    private static final LibC LIBC;
    private static final Runtime RUNTIME;
    private static final String UNAVAILABLE;

    static {
        LibC libc = null;
        Runtime runtime = null;
        String why = null;
        try {
            Platform p = Platform.getNativePlatform();
            // The long[] layout of struct timespec and the AT_ constants hold on 64-bit Linux only.
            if (p.getOS() != Platform.OS.LINUX || !p.is64Bit()) {
                why = "not 64-bit Linux (" + p.getOSName() + ")";
            } else {
                libc = LibraryLoader.create(LibC.class).failImmediately().load("c");
                runtime = Runtime.getRuntime(libc);
            }
        } catch (LinkageError | RuntimeException e) {
            libc = null;
            why = "libc could not be loaded through jnr-ffi: " + e;
        }
        LIBC = libc;
        RUNTIME = runtime;
        UNAVAILABLE = why;
    }

    private LocalTimes() {
    }

    /** True when symlink times are set to the nanosecond; false when they keep microseconds only. */
    static boolean exact() {
        return LIBC != null;
    }

    /** Why {@link #exact} is false, or null. */
    static String whyInexact() {
        return UNAVAILABLE;
    }

    /** Sets the mtime of {@code path} itself (a symlink's own, never its target's); atime stays. */
    static void setMtime(Path path, long mtimeNanos) throws IOException {
        long seconds = Math.floorDiv(mtimeNanos, 1_000_000_000L);
        long nanos = Math.floorMod(mtimeNanos, 1_000_000_000L);
        if (LIBC != null) {
            byte[] raw = NativeNames.bytes(path);
            byte[] cPath = new byte[raw.length + 1];
            System.arraycopy(raw, 0, cPath, 0, raw.length);
            if (LIBC.utimensat(AT_FDCWD, cPath, new long[] {0, UTIME_OMIT, seconds, nanos}, AT_SYMLINK_NOFOLLOW) != 0) {
                throw failure(path, RUNTIME.getLastError());
            }
            return;
        }
        setMtimeJava(path, mtimeNanos);
    }

    /** The exception Java's own calls throw for the same errno, so callers classify it alike. */
    private static IOException failure(Path path, int errno) {
        String why = LIBC.strerror(errno);
        return switch (errno) {
            case ENOENT -> new NoSuchFileException(path.toString(), null, why);
            case EPERM, EACCES -> new AccessDeniedException(path.toString(), null, why);
            default -> new FileSystemException(path.toString(), null, why);
        };
    }

    /** Java's own call: exact for files and directories, microseconds for a symlink (lutimes). */
    static void setMtimeJava(Path path, long mtimeNanos) throws IOException {
        Instant at = Instant.ofEpochSecond(Math.floorDiv(mtimeNanos, 1_000_000_000L),
                Math.floorMod(mtimeNanos, 1_000_000_000L));
        Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(FileTime.from(at), null, null);
    }
}
