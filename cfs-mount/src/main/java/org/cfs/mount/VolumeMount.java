package org.cfs.mount;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.cfs.chord.Id;
import org.cfs.fs.Volumes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Volumes mounted read-only at a directory through FUSE (libfuse2). {@link #start} returns once
 * the kernel has the file system, that is once FUSE's {@code init} has been called, not after a
 * guess; {@link #close} unmounts and waits for FUSE's loop to end. A mount ended from outside
 * ({@code cfs unmount}, {@code umount}, a signal) ends {@link #awaitUnmounted}. Every refusal is a
 * {@link MountException} whose message says what to do.
 */
public final class VolumeMount implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VolumeMount.class);
    /** Memory for verified blocks in a mount, in front of its disk cache. */
    public static final long MEMORY_CACHE_BYTES = 128L << 20;
    /**
     * Disk-cache writes a mount lets wait for its writer thread (about 64 MiB of 64 KiB chunks);
     * more are dropped, and the block is only not cached. 256 dropped a few hundred blocks of a
     * cold 1 GiB read.
     */
    public static final int CACHE_WRITE_QUEUE = 1024;
    private static final Path DEV_FUSE = Path.of("/dev/fuse");
    /** Seconds the kernel may trust a name or attributes that can change: a new version, a new volume. */
    private static final int CHANGING_SECONDS = 1;
    /** Seconds it may trust those that cannot: everything under a version number. */
    private static final int IMMUTABLE_SECONDS = 3600;

    private final Path mountPoint;
    private final CfsFileSystem fs;
    private final Thread loop;
    private final CountDownLatch ended;
    private final AtomicReference<Throwable> failure;
    private boolean closed;

    private VolumeMount(Path mountPoint, CfsFileSystem fs, Thread loop, CountDownLatch ended,
                        AtomicReference<Throwable> failure) {
        this.mountPoint = mountPoint;
        this.fs = fs;
        this.loop = loop;
        this.ended = ended;
        this.failure = failure;
    }

    /**
     * How the mount reads and what it shows.
     *
     * @param only the one volume whose tree is the mount, or empty for all volumes
     * @param refresh how often a volume's newest version is looked up
     * @param timeout how long the kernel's first call may take to come, and a question to the ring
     *     (which hosts hold a block) may take to be answered
     */
    public record Settings(Optional<Id> only, Duration refresh, Duration timeout) {
        public Settings {
            Objects.requireNonNull(only, "only");
            Objects.requireNonNull(refresh, "refresh");
            Objects.requireNonNull(timeout, "timeout");
        }
    }

    /**
     * Mounts at {@code mountPoint}, an existing empty directory. A dead mount left there (its process
     * killed) is unmounted first.
     *
     * @param aliases the names listed at the root of the all-volumes layout, asked for on each listing
     */
    public static VolumeMount start(Path mountPoint, Volumes volumes, Supplier<Map<String, Id>> aliases,
                                    Settings settings) throws MountException {
        return start(mountPoint, volumes, aliases, settings, new CompositeMeterRegistry());
    }

    /**
     * Like {@link #start(Path, Volumes, Supplier, Settings)}, counting and timing every FUSE
     * operation in {@code registry} ({@code cfs.fuse.*}).
     */
    public static VolumeMount start(Path mountPoint, Volumes volumes, Supplier<Map<String, Id>> aliases,
                                    Settings settings, MeterRegistry registry) throws MountException {
        Path mnt = mountPoint.toAbsolutePath().normalize();
        checkFuse();
        prepare(mnt);
        MountTree tree = new MountTree(volumes, aliases, settings.only(), Clock.systemUTC(), settings.refresh());
        CfsFileSystem fs = newFileSystem(tree, settings.timeout(), new FuseMeters(registry));
        CountDownLatch ended = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        String[] options = options(tree.immutablePaths());
        Thread loop = new Thread(() -> {
            try {
                fs.mount(mnt, true, false, options);
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                ended.countDown();
            }
        }, "cfs-fuse-loop");
        loop.start();
        VolumeMount mount = new VolumeMount(mnt, fs, loop, ended, failure);
        mount.awaitInit(settings.timeout());
        log.info("mounted at {}", mnt);
        return mount;
    }

    private void awaitInit(Duration timeout) throws MountException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (fs.initialised().await(50, TimeUnit.MILLISECONDS)) {
                    return;
                }
                if (ended.getCount() == 0) {
                    Throwable t = failure.get();
                    throw new MountException("cannot mount at " + mountPoint + ": FUSE refused"
                            + (t != null ? " (" + t.getMessage() + ")" : "") + "; see the lines above from fuse");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new MountException("interrupted while mounting at " + mountPoint);
        }
        close();
        throw new MountException("cannot mount at " + mountPoint + ": the kernel did not take the file system within "
                + timeout.toSeconds() + " s");
    }

    /**
     * FUSE's options for a mount: read-only always; where what a path names never changes (the
     * all-volumes layout), the kernel may keep pages across opens and trust names for an hour.
     */
    public static String[] options(boolean immutablePaths) {
        return new String[] {"-o", "ro,fsname=cfs,subtype=cfs,default_permissions," + (immutablePaths
                ? "kernel_cache,entry_timeout=" + IMMUTABLE_SECONDS + ",attr_timeout=" + IMMUTABLE_SECONDS
                : "entry_timeout=" + CHANGING_SECONDS + ",attr_timeout=" + CHANGING_SECONDS)
                + ",negative_timeout=" + CHANGING_SECONDS};
    }

    public Path mountPoint() {
        return mountPoint;
    }

    /** Waits until the file system is unmounted, by {@link #close} or from outside; false if the wait timed out. */
    public boolean awaitUnmounted(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True once FUSE's loop has ended. */
    public boolean unmounted() {
        return ended.getCount() == 0;
    }

    /** Unmounts (if still mounted) and waits for FUSE's loop to end; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (ended.getCount() > 0) {
            unmount(mountPoint);
        }
        try {
            if (!ended.await(30, TimeUnit.SECONDS)) {
                log.warn("FUSE's loop for {} did not end within 30 s of the unmount", mountPoint);
            }
            loop.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("unmounted {}", mountPoint);
    }

    /**
     * Unmounts whatever FUSE file system is at {@code mnt}: fusermount for a user, umount for root.
     * A lazy unmount, so a process still inside the directory does not keep it mounted.
     */
    public static void unmount(Path mnt) {
        for (List<String> command : List.of(List.of("fusermount", "-u", "-z", mnt.toString()),
                List.of("fusermount3", "-u", "-z", mnt.toString()), List.of("umount", "-l", mnt.toString()))) {
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return;
                }
                p.destroyForcibly();
            } catch (IOException e) {
                // That program is not installed: try the next.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        log.warn("could not unmount {} with fusermount, fusermount3 or umount", mnt);
    }

    /** True if {@code mnt} is a mount point now, from /proc/self/mountinfo. */
    public static boolean isMounted(Path mnt) {
        String target = mnt.toAbsolutePath().normalize().toString();
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/mountinfo"))) {
            return lines.map(line -> line.split(" "))
                    .anyMatch(f -> f.length > 4 && unescape(f[4]).equals(target));
        } catch (IOException e) {
            return false;
        }
    }

    private static String unescape(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    private static void checkFuse() throws MountException {
        if (!Files.exists(DEV_FUSE)) {
            throw new MountException("no /dev/fuse: this machine has no FUSE (load it with modprobe fuse, or give a"
                    + " container --device /dev/fuse)");
        }
        if (!Files.isReadable(DEV_FUSE) || !Files.isWritable(DEV_FUSE)) {
            throw new MountException("/dev/fuse is not open to this user: ask the administrator for access");
        }
    }

    private static CfsFileSystem newFileSystem(MountTree tree, Duration timeout, FuseMeters meters)
            throws MountException {
        try {
            // Files belong to the user who mounted, as with any user's FUSE mount.
            com.sun.security.auth.module.UnixSystem user = new com.sun.security.auth.module.UnixSystem();
            return new CfsFileSystem(tree, user.getUid(), user.getGid(), System.currentTimeMillis() * 1_000_000L,
                    timeout, meters);
        } catch (LinkageError e) {
            throw new MountException("libfuse2 is not installed: install it (Debian, Ubuntu: sudo apt-get install"
                    + " libfuse2; Fedora: sudo dnf install fuse-libs)");
        }
    }

    /** Checks the mount point and clears a dead mount from an earlier process. */
    private static void prepare(Path mnt) throws MountException {
        if (isMounted(mnt)) {
            try (Stream<Path> s = Files.list(mnt)) {
                s.findAny();
                throw new MountException(mnt + " is already mounted; unmount it first (cfs unmount " + mnt + ")");
            } catch (IOException e) {
                // ENOTCONN: the process that served it is gone. Clear it and mount afresh.
                log.info("{}: clearing a mount whose process is gone ({})", mnt, e.getMessage());
                unmount(mnt);
            }
        }
        if (!Files.exists(mnt, LinkOption.NOFOLLOW_LINKS)) {
            throw new MountException(mnt + ": no such directory (create it first: mkdir -p " + mnt + ")");
        }
        if (!Files.isDirectory(mnt)) {
            throw new MountException(mnt + ": not a directory");
        }
        try (Stream<Path> s = Files.list(mnt)) {
            if (s.findAny().isPresent()) {
                throw new MountException(mnt + " is not empty: mount on an empty directory");
            }
        } catch (IOException e) {
            throw new MountException("cannot read " + mnt + ": " + e.getMessage());
        }
    }
}
