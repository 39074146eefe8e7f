package org.cfs.mount;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import jnr.ffi.Pointer;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import org.cfs.fs.DirEntry;
import org.cfs.fs.EntryKind;
import org.cfs.fs.FileContent;
import org.cfs.fs.VolumeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * The FUSE operations of a mount, answered from a {@link MountTree}: read-only, so every change is
 * refused with EROFS. An open file keeps the version it was opened at until it is released.
 * Failures become one errno each (ENOENT for nothing there, EIO for data the ring cannot serve or
 * that fails verification, logged once per call with the volume, path and block); no call waits
 * longer than the reader's timeout.
 */
final class CfsFileSystem extends FuseStubFS {
    private static final Logger log = LoggerFactory.getLogger(CfsFileSystem.class);
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFLNK = 0120000;
    private static final int O_ACCMODE = 3;
    private static final int BLOCK_SIZE = 4096;

    private final MountTree tree;
    private final Attributes attributes;
    private final long uid;
    private final long gid;
    private final long mountedAtNanos;
    private final Map<Long, OpenFile> open = new ConcurrentHashMap<>();
    private final AtomicLong handles = new AtomicLong();
    private final CountDownLatch initialised = new CountDownLatch(1);
    private final FuseMeters meters;

    /** @param mountedAtNanos the time the top-level entries show, which have none of their own */
    CfsFileSystem(MountTree tree, long uid, long gid, long mountedAtNanos, java.time.Duration timeout,
                  FuseMeters meters) {
        this.tree = tree;
        this.meters = meters;
        this.attributes = new Attributes(tree.blocks(), timeout);
        this.uid = uid;
        this.gid = gid;
        this.mountedAtNanos = mountedAtNanos;
    }

    /** Counted down when the kernel has the file system: the mount is usable from then on. */
    CountDownLatch initialised() {
        return initialised;
    }

    @Override
    public Pointer init(Pointer conn) {
        initialised.countDown();
        return null;
    }

    @Override
    public int getattr(String path, FileStat stat) {
        return meters.record(FuseMeters.Op.GETATTR, System.nanoTime(), answerGetattr(path, stat));
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
        return meters.record(FuseMeters.Op.READDIR, System.nanoTime(), answerReaddir(path, buf, filler, offset, fi));
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        return meters.record(FuseMeters.Op.OPEN, System.nanoTime(), answerOpen(path, fi));
    }

    @Override
    public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return meters.record(FuseMeters.Op.READ, System.nanoTime(), answerRead(path, buf, size, offset, fi));
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        return meters.record(FuseMeters.Op.RELEASE, System.nanoTime(), answerRelease(path, fi));
    }

    @Override
    public int readlink(String path, Pointer buf, @size_t long size) {
        return meters.record(FuseMeters.Op.READLINK, System.nanoTime(), answerReadlink(path, buf, size));
    }

    @Override
    public int getxattr(String path, String name, Pointer value, @size_t long size) {
        return meters.record(FuseMeters.Op.GETXATTR, System.nanoTime(), answerGetxattr(path, name, value, size));
    }

    @Override
    public int listxattr(String path, Pointer list, @size_t long size) {
        return meters.record(FuseMeters.Op.LISTXATTR, System.nanoTime(), answerListxattr(path, list, size));
    }

    @Override
    public int statfs(String path, Statvfs stbuf) {
        return meters.record(FuseMeters.Op.STATFS, System.nanoTime(), answerStatfs(path, stbuf));
    }

    private int answerGetattr(String path, FileStat stat) {
        try {
            return tree.bounded(() -> {
                fill(tree.resolve(path), stat);
                return 0;
            });
        } catch (VolumeException e) {
            return errno(e, "getattr", path);
        } catch (RuntimeException e) {
            return unexpected(e, "getattr", path);
        }
    }

    private int answerReaddir(String path, Pointer buf, FuseFillDir filler, long offset, FuseFileInfo fi) {
        try {
            List<MountTree.Listed> children = tree.bounded(() -> tree.list(tree.resolve(path)));
            filler.apply(buf, ".", null, 0);
            filler.apply(buf, "..", null, 0);
            for (MountTree.Listed child : children) {
                FileStat stat = new FileStat(jnr.ffi.Runtime.getSystemRuntime());
                fill(child.node(), stat);
                if (filler.apply(buf, child.name(), stat, 0) != 0) {
                    break;
                }
            }
            return 0;
        } catch (VolumeException e) {
            return errno(e, "readdir", path);
        } catch (RuntimeException e) {
            return unexpected(e, "readdir", path);
        }
    }

    private int answerOpen(String path, FuseFileInfo fi) {
        if ((fi.flags.get() & O_ACCMODE) != 0) {
            return -ErrorCodes.EROFS();
        }
        try {
            FileContent content = tree.bounded(() -> tree.resolve(path) instanceof MountTree.InVolume v
                    && v.entry().kind().isFile() ? v.snapshot().open(v.path(), v.entry()) : null);
            if (content == null) {
                return -ErrorCodes.EISDIR();
            }
            long handle = handles.incrementAndGet();
            open.put(handle, new OpenFile(content));
            fi.fh.set(handle);
            return 0;
        } catch (VolumeException e) {
            return errno(e, "open", path);
        } catch (RuntimeException e) {
            return unexpected(e, "open", path);
        }
    }

    private int answerRead(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        OpenFile file = open.get(fi.fh.get());
        if (file == null) {
            return -ErrorCodes.EINVAL();
        }
        try {
            return tree.bounded(() -> {
                file.readingAt(offset, size);
                FileContent content = file.content();
                byte[] bytes = new byte[(int) Math.min(size, Math.max(0, content.size() - offset))];
                int n = bytes.length == 0 ? 0 : content.read(offset, bytes, 0, bytes.length);
                if (n > 0) {
                    buf.put(0, bytes, 0, n);
                    meters.read(n);
                }
                return Math.max(n, 0);
            });
        } catch (VolumeException e) {
            return errno(e, "read", path);
        } catch (RuntimeException e) {
            return unexpected(e, "read", path);
        }
    }

    private int answerRelease(String path, FuseFileInfo fi) {
        open.remove(fi.fh.get());
        return 0;
    }

    private int answerReadlink(String path, Pointer buf, long size) {
        try {
            MountTree.Node node = tree.bounded(() -> tree.resolve(path));
            byte[] target;
            if (node instanceof MountTree.Link link) {
                target = link.target().getBytes(StandardCharsets.UTF_8);
            } else if (node instanceof MountTree.InVolume v && v.entry().kind() == EntryKind.SYMLINK) {
                target = v.entry().inline();
            } else {
                return -ErrorCodes.EINVAL();
            }
            int n = (int) Math.min(target.length, size - 1);
            buf.put(0, target, 0, n);
            buf.putByte(n, (byte) 0);
            return 0;
        } catch (VolumeException e) {
            return errno(e, "readlink", path);
        } catch (RuntimeException e) {
            return unexpected(e, "readlink", path);
        }
    }

    private int answerGetxattr(String path, String name, Pointer value, long size) {
        if (!Attributes.NAMES.contains(name)) {
            // Before resolving the path: ls -l asks every entry for security.selinux and the like.
            return -ErrorCodes.ENODATA();
        }
        try {
            String text = tree.bounded(() -> tree.resolve(path) instanceof MountTree.InVolume v
                    ? attributes.value(v, name) : null);
            if (text == null) {
                return -ErrorCodes.ENODATA();
            }
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            if (size == 0) {
                return bytes.length;
            }
            if (size < bytes.length) {
                return -ErrorCodes.ERANGE();
            }
            value.put(0, bytes, 0, bytes.length);
            return bytes.length;
        } catch (VolumeException e) {
            return errno(e, "getxattr " + name, path);
        } catch (RuntimeException e) {
            return unexpected(e, "getxattr " + name, path);
        }
    }

    private int answerListxattr(String path, Pointer list, long size) {
        try {
            MountTree.Node node = tree.bounded(() -> tree.resolve(path));
            if (!(node instanceof MountTree.InVolume v)) {
                return 0;
            }
            StringBuilder names = new StringBuilder();
            for (String name : Attributes.names(v)) {
                names.append(name).append('\0');
            }
            byte[] bytes = names.toString().getBytes(StandardCharsets.US_ASCII);
            if (size == 0) {
                return bytes.length;
            }
            if (size < bytes.length) {
                return -ErrorCodes.ERANGE();
            }
            list.put(0, bytes, 0, bytes.length);
            return bytes.length;
        } catch (VolumeException e) {
            return errno(e, "listxattr", path);
        } catch (RuntimeException e) {
            return unexpected(e, "listxattr", path);
        }
    }

    private int answerStatfs(String path, Statvfs stbuf) {
        stbuf.f_bsize.set(BLOCK_SIZE);
        stbuf.f_frsize.set(BLOCK_SIZE);
        stbuf.f_namemax.set(255);
        stbuf.f_flag.set(Statvfs.ST_RDONLY | Statvfs.ST_NOSUID | Statvfs.ST_NODEV);
        return 0;
    }

    private void fill(MountTree.Node node, FileStat stat) {
        stat.st_uid.set(uid);
        stat.st_gid.set(gid);
        long mtime = node instanceof MountTree.InVolume v ? v.entry().mtimeNanos() : mountedAtNanos;
        setTime(stat.st_mtim, mtime);
        setTime(stat.st_ctim, mtime);
        setTime(stat.st_atim, mtime);
        if (node instanceof MountTree.Root) {
            stat.st_mode.set(S_IFDIR | 0555);
            stat.st_nlink.set(2);
        } else if (node instanceof MountTree.Link link) {
            stat.st_mode.set(S_IFLNK | 0777);
            stat.st_nlink.set(1);
            stat.st_size.set(link.target().getBytes(StandardCharsets.UTF_8).length);
        } else {
            DirEntry e = ((MountTree.InVolume) node).entry();
            long size = e.kind() == EntryKind.SYMLINK ? e.inline().length : e.size();
            int type = e.isDirectory() ? S_IFDIR : e.kind() == EntryKind.SYMLINK ? S_IFLNK : S_IFREG;
            stat.st_mode.set(type | (e.mode() & 07777));
            stat.st_nlink.set(e.isDirectory() ? 2 : 1);
            stat.st_size.set(e.isDirectory() ? 0 : size);
            stat.st_blocks.set((size + 511) / 512);
        }
        stat.st_blksize.set(BLOCK_SIZE);
    }

    private static void setTime(Timespec t, long nanos) {
        t.tv_sec.set(Math.floorDiv(nanos, 1_000_000_000L));
        t.tv_nsec.set(Math.floorMod(nanos, 1_000_000_000L));
    }

    /**
     * A bug, not an answer: said as EIO, never as success. jnr-fuse would otherwise return 0 with
     * whatever the reply holds, and the kernel would keep a zeroed size for the attribute timeout.
     */
    private static int unexpected(RuntimeException e, String op, String path) {
        log.error("{} {}: {}", op, path, e.toString(), e);
        return -ErrorCodes.EIO();
    }

    private static int errno(VolumeException e, String op, String path) {
        switch (e.kind()) {
            case UNKNOWN_VOLUME:
            case NO_SUCH_VERSION:
            case NO_SUCH_PATH:
                return -ErrorCodes.ENOENT();
            case NOT_A_DIRECTORY:
                return -ErrorCodes.ENOTDIR();
            case NOT_A_FILE:
                return -ErrorCodes.EISDIR();
            case INVALID:
                return -ErrorCodes.EINVAL();
            case MISSING_BLOCK:
            case CORRUPT:
            case EXPIRED:
            case ROLLBACK:
            case UNAVAILABLE:
            case IO:
                log.warn("{} {}: {}", op, path, e.getMessage());
                return -ErrorCodes.EIO();
        }
        throw new AssertionError(e.kind());
    }

    @Override
    public int mkdir(String path, @mode_t long mode) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int mknod(String path, @mode_t long mode, long rdev) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int unlink(String path) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int rmdir(String path) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int symlink(String oldpath, String newpath) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int rename(String oldpath, String newpath) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int link(String oldpath, String newpath) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int chmod(String path, @mode_t long mode) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int chown(String path, long uid, long gid) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int truncate(String path, @off_t long size) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int write(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int create(String path, @mode_t long mode, FuseFileInfo fi) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int utimens(String path, Timespec[] timespec) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int setxattr(String path, String name, Pointer value, @size_t long size, int flags) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int removexattr(String path, String name) {
        return -ErrorCodes.EROFS();
    }
}
