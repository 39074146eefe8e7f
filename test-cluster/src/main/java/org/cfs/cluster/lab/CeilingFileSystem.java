package org.cfs.cluster.lab;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import jnr.ffi.Pointer;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;

/**
 * The fastest jnr-fuse file system there can be on this machine, to measure a FUSE mount against:
 * one read-only file, {@code /file}, whose bytes are a 1 MiB buffer of seeded random bytes
 * repeated, copied straight from memory. Whatever a real mount does beyond that is its own cost.
 */
final class CeilingFileSystem extends FuseStubFS implements AutoCloseable, FileReads.Source {
    static final String FILE = "file";
    private static final int PATTERN_BYTES = 1 << 20;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int O_ACCMODE = 3;

    private final byte[] pattern = new byte[PATTERN_BYTES];
    private final long size;
    private final long uid;
    private final long gid;
    private final CountDownLatch initialised = new CountDownLatch(1);
    private final CountDownLatch ended = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private Thread loop;

    /** A file system (not yet mounted) whose one file has {@code size} bytes. */
    CeilingFileSystem(long size, long seed) {
        this.size = size;
        new SplittableRandom(seed).nextBytes(pattern);
        com.sun.security.auth.module.UnixSystem user = new com.sun.security.auth.module.UnixSystem();
        this.uid = user.getUid();
        this.gid = user.getGid();
    }

    /**
     * Mounts at {@code mnt} (an empty directory) with {@code options} on a thread of its own and
     * returns once the kernel has called {@code init}; fails if that takes over {@code timeout}.
     */
    void mount(Path mnt, String[] options, Duration timeout) throws InterruptedException {
        loop = new Thread(() -> {
            try {
                mount(mnt, true, false, options);
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                ended.countDown();
            }
        }, "ceiling-fuse-loop");
        loop.setDaemon(true);
        loop.start();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!initialised.await(50, TimeUnit.MILLISECONDS)) {
            if (ended.getCount() == 0 || System.nanoTime() > deadline) {
                close();
                Throwable t = failure.get();
                throw new IllegalStateException("the ceiling file system did not mount at " + mnt + " within "
                        + timeout.toSeconds() + " s" + (t != null ? ": " + t.getMessage() : ""));
            }
        }
    }

    /** Unmounts and waits (at most 30 s) for FUSE's loop to end; idempotent. */
    @Override
    public void close() {
        umount();
        try {
            if (loop != null && !ended.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the ceiling file system's FUSE loop did not end within 30 s of"
                        + " its unmount");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    long size() {
        return size;
    }

    /** The file's bytes from {@code position}, as many as fit in {@code dst}: what a read of the mount returns. */
    @Override
    public int read(ByteBuffer dst, long position) {
        int n = (int) Math.min(dst.remaining(), Math.max(0, size - position));
        for (int done = 0; done < n; ) {
            int at = (int) ((position + done) % PATTERN_BYTES);
            int len = Math.min(n - done, PATTERN_BYTES - at);
            dst.put(pattern, at, len);
            done += len;
        }
        return n == 0 && dst.hasRemaining() ? -1 : n;
    }

    @Override
    public Pointer init(Pointer conn) {
        initialised.countDown();
        return null;
    }

    @Override
    public int getattr(String path, FileStat stat) {
        stat.st_uid.set(uid);
        stat.st_gid.set(gid);
        if (path.equals("/")) {
            stat.st_mode.set(S_IFDIR | 0555);
            stat.st_nlink.set(2);
            return 0;
        }
        if (path.equals("/" + FILE)) {
            stat.st_mode.set(S_IFREG | 0444);
            stat.st_nlink.set(1);
            stat.st_size.set(size);
            return 0;
        }
        return -ErrorCodes.ENOENT();
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
        if (!path.equals("/")) {
            return -ErrorCodes.ENOTDIR();
        }
        filler.apply(buf, ".", null, 0);
        filler.apply(buf, "..", null, 0);
        filler.apply(buf, FILE, null, 0);
        return 0;
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        if (!path.equals("/" + FILE)) {
            return -ErrorCodes.ENOENT();
        }
        return (fi.flags.get() & O_ACCMODE) != 0 ? -ErrorCodes.EROFS() : 0;
    }

    @Override
    public int read(String path, Pointer buf, @size_t long count, @off_t long offset, FuseFileInfo fi) {
        int n = (int) Math.min(count, Math.max(0, size - offset));
        for (int done = 0; done < n; ) {
            int at = (int) ((offset + done) % PATTERN_BYTES);
            int len = Math.min(n - done, PATTERN_BYTES - at);
            buf.put(done, pattern, at, len);
            done += len;
        }
        return n;
    }
}
