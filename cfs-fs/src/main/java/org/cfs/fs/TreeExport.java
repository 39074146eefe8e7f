package org.cfs.fs;

import java.io.IOException;
import java.io.InputStream;
import java.io.FilterOutputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file or a whole subtree of a {@link Snapshot} to the local file system ({@code cfs get}),
 * with permission bits (setuid, setgid and sticky too) and nanosecond mtimes, symlinks' included.
 *
 * <p>Names come from blocks that are verified but written by someone we need not trust, so no
 * path is ever followed through a symlink below the destination: directories are made with
 * mkdir (which never follows), an existing one is used only if it is a real directory, files and
 * symlinks are made under a fresh temporary name and renamed into place (rename replaces a
 * symlink, never writes through it), and every path is checked to be a direct child of the
 * directory it is written into. A file appears under its real name only once it is complete.
 * A local process racing to swap a directory for a symlink while the export runs is not guarded
 * against: that would need openat/mkdirat, which Java does not offer.
 */
public final class TreeExport {

    /**
     * How to export.
     *
     * @param overwrite replace existing files and symlinks (never a directory) instead of refusing
     * @param chunksAhead data chunks fetched ahead of the writer, per file
     */
    public record Options(boolean overwrite, int chunksAhead) {
        public Options {
            if (chunksAhead < 1) {
                throw new IllegalArgumentException("chunks ahead is " + chunksAhead + ", it must be at least 1");
            }
        }

        public static Options defaults() {
            return new Options(false, 16);
        }

        public Options withOverwrite(boolean o) {
            return new Options(o, chunksAhead);
        }

        public Options withChunksAhead(int n) {
            return new Options(overwrite, n);
        }
    }

    /** Hears how an export goes, from the exporting thread. */
    public interface Listener {
        /** What the export will write, if known: -1 for a subtree, whose size no block records. */
        default void planned(long files, long bytes) {
        }

        /** Files (symlinks included) completed and bytes of file content written so far. */
        default void progress(long files, long bytes) {
        }

        /** Something the user should know, said once. */
        default void warning(String message) {
        }
    }

    /**
     * What an export wrote.
     *
     * @param written the local path of the exported file or directory
     * @param files regular files and symlinks, as a commit counts them
     * @param symlinks the symlinks among them
     * @param directories directories, the top one included
     * @param bytes bytes of file content
     */
    public record Result(Path written, long files, long symlinks, long directories, long bytes) {
    }

    private final Snapshot snapshot;
    private final Options options;
    private final Listener listener;
    private Path top;
    private long files;
    private long symlinks;
    private long directories;
    private long bytes;
    private boolean warnedInexact;

    TreeExport(Snapshot snapshot, Options options, Listener listener) {
        this.snapshot = snapshot;
        this.options = options;
        this.listener = listener;
    }

    /**
     * Exports what {@code path} names in {@code snapshot} to {@code dest}, as {@code cp -r} does: into
     * {@code dest/<name>} if {@code dest} is an existing directory, else as {@code dest}. The volume's
     * root has no name, so it is written as {@code dest} itself, which may be an existing directory
     * (its entries are added to it, and it takes the root's mode and mtime).
     */
    public static Result export(Snapshot snapshot, VolumePath path, Path dest, Options options, Listener listener)
            throws VolumeException {
        return new TreeExport(snapshot, options, listener).run(path, dest);
    }

    /** True when symlink mtimes are restored to the nanosecond (see {@link LocalTimes}). */
    public static boolean exactSymlinkTimes() {
        return LocalTimes.exact();
    }

    private Result run(VolumePath path, Path dest) throws VolumeException {
        DirEntry entry = snapshot.stat(path);
        Path target = dest.toAbsolutePath().normalize();
        if (Files.isDirectory(target)) {
            // DEST is the user's choice: follow it if it is a symlink, as cp does, but nothing below it.
            try {
                target = target.toRealPath();
            } catch (IOException e) {
                throw io(path, target, "resolve", e);
            }
            if (!path.isRoot()) {
                target = child(target, entry.name(), path);
            }
        }
        Path parent = target.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new VolumeException(VolumeException.Kind.IO, snapshot.where(path) + " -> " + target
                    + ": the directory " + parent + " does not exist");
        }
        top = target;
        if (path.isRoot()) {
            listener.planned(snapshot.commit().files(), snapshot.commit().bytes());
        } else if (entry.kind().isFile() || entry.kind() == EntryKind.SYMLINK) {
            listener.planned(1, entry.kind().isFile() ? entry.size() : 0);
        } else {
            listener.planned(-1, -1);
        }
        write(path, entry, target);
        return new Result(target, files, symlinks, directories, bytes);
    }

    private void write(VolumePath path, DirEntry entry, Path local) throws VolumeException {
        switch (entry.kind()) {
            case DIRECTORY -> tree(path, entry, local);
            case INLINE_FILE, CHUNK_FILE, LIST_FILE -> file(path, entry, local);
            case SYMLINK -> symlink(path, entry, local);
        }
    }

    /**
     * A directory still to write, or (when {@code finish}) one whose contents are all written and
     * that now takes its own mtime and mode.
     */
    private record Pending(VolumePath path, DirEntry entry, Path local, boolean finish) {
    }

    /**
     * Writes a directory tree with a stack of its own rather than recursion, so no depth of tree
     * can exhaust the thread's stack. Each directory's files and symlinks are written as its
     * blocks stream in; its subdirectories wait on the stack (their entries, not their contents),
     * in name order.
     */
    private void tree(VolumePath path, DirEntry entry, Path local) throws VolumeException {
        Deque<Pending> work = new ArrayDeque<>();
        work.push(new Pending(path, entry, local, false));
        while (!work.isEmpty()) {
            Pending d = work.pop();
            if (d.finish()) {
                // Last, as writing the children changed the directory's mtime.
                setMtime(d.path(), d.local(), d.entry().mtimeNanos(), false);
                setMode(d.path(), d.local(), d.entry().mode());
                directories++;
                continue;
            }
            makeDirectory(d.path(), d.local());
            work.push(new Pending(d.path(), d.entry(), d.local(), true));
            List<Pending> subdirectories = new ArrayList<>();
            try {
                snapshot.forEach(d.path(), d.entry(), e -> {
                    Pending c = new Pending(d.path().child(e.name()), e, child(d.local(), e.name(), d.path()), false);
                    if (e.isDirectory()) {
                        subdirectories.add(c);
                        return;
                    }
                    try {
                        write(c.path(), e, c.local());
                    } catch (VolumeException inner) {
                        throw new ChildFailed(inner);
                    }
                });
            } catch (ChildFailed e) {
                throw e.failure;
            } catch (VolumeException e) {
                throw writing(e, d.local());
            }
            for (int i = subdirectories.size() - 1; i >= 0; i--) {
                work.push(subdirectories.get(i));
            }
        }
    }

    /** Makes the directory, or uses the one there if it is a real directory (never a symlink to one). */
    private void makeDirectory(VolumePath path, Path local) throws VolumeException {
        BasicFileAttributes there = attributes(path, local);
        if (there == null) {
            try {
                // Owner-only until the children are in: the entry's own mode may forbid writing.
                Files.createDirectory(local, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (IOException e) {
                throw io(path, local, "create the directory", e);
            }
        } else if (there.isSymbolicLink()) {
            throw new VolumeException(VolumeException.Kind.IO, snapshot.where(path) + " -> " + local
                    + ": a symbolic link is where a directory is to be written; refusing to follow it");
        } else if (!there.isDirectory()) {
            throw new VolumeException(VolumeException.Kind.IO, snapshot.where(path) + " -> " + local
                    + ": exists and is not a directory");
        }
    }

    private void file(VolumePath path, DirEntry entry, Path local) throws VolumeException {
        makeRoom(path, local);
        Path temp = temporary(local);
        long written = 0;
        try {
            FileContent content;
            try {
                content = snapshot.open(path, entry);
            } catch (VolumeException e) {
                throw writing(e, local);
            }
            try (InputStream in = content.stream(options.chunksAhead());
                 OutputStream file = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                         LinkOption.NOFOLLOW_LINKS)) {
                // Whole chunks go straight from the stream to the file, with no buffer between.
                written = in.transferTo(new FilterOutputStream(file) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                        bytes += len;
                        listener.progress(files, bytes);
                    }
                });
            } catch (IOException e) {
                if (e.getCause() instanceof VolumeException v) {
                    throw writing(v, local);
                }
                throw io(path, local, "write the file", e);
            }
            if (written != entry.size()) {
                throw new VolumeException(VolumeException.Kind.CORRUPT, snapshot.where(path) + " -> " + local
                        + ": read " + written + " bytes of a file whose size is " + entry.size());
            }
            // Times, then mode (a write would clear setuid; a mode of 0000 would bar the fallback's open).
            setMtime(path, temp, entry.mtimeNanos(), false);
            setMode(path, temp, entry.mode());
            rename(path, temp, local);
            temp = null;
        } finally {
            discard(temp);
        }
        files++;
        listener.progress(files, bytes);
    }

    private void symlink(VolumePath path, DirEntry entry, Path local) throws VolumeException {
        makeRoom(path, local);
        Path temp = temporary(local);
        try {
            try {
                Files.createSymbolicLink(temp, NativeNames.path(local.getFileSystem(), entry.inline()));
            } catch (IOException e) {
                throw io(path, local, "create the symbolic link", e);
            } catch (IllegalArgumentException e) {
                throw new VolumeException(VolumeException.Kind.INVALID, snapshot.where(path) + " -> " + local + ": "
                        + e.getMessage(), e);
            }
            // Linux gives every symlink mode 0777 and cannot change it, so only the time is set.
            setMtime(path, temp, entry.mtimeNanos(), true);
            rename(path, temp, local);
            temp = null;
        } finally {
            discard(temp);
        }
        symlinks++;
        files++;
        listener.progress(files, bytes);
    }

    /** Refuses to replace what is at {@code local} unless asked to, and never replaces a directory. */
    private void makeRoom(VolumePath path, Path local) throws VolumeException {
        BasicFileAttributes there = attributes(path, local);
        if (there == null) {
            return;
        }
        if (there.isDirectory()) {
            throw new VolumeException(VolumeException.Kind.IO, snapshot.where(path) + " -> " + local
                    + ": a directory is in the way");
        }
        if (!options.overwrite()) {
            throw new VolumeException(VolumeException.Kind.IO, snapshot.where(path) + " -> " + local
                    + ": already exists (overwrite it with --force)");
        }
    }

    private void rename(VolumePath path, Path temp, Path local) throws VolumeException {
        try {
            if (options.overwrite()) {
                // rename(2): replaces a file or symlink at the name, never writes through it.
                Files.move(temp, local, StandardCopyOption.ATOMIC_MOVE);
            } else {
                Files.move(temp, local);
            }
        } catch (FileAlreadyExistsException e) {
            throw new VolumeException(VolumeException.Kind.IO, snapshot.where(path) + " -> " + local
                    + ": appeared while it was being written; not replaced");
        } catch (IOException e) {
            throw io(path, local, "rename " + temp.getFileName() + " to this name", e);
        }
    }

    /** A fresh name beside {@code local}; not derived from its name, which may be 255 bytes already. */
    private static Path temporary(Path local) {
        byte[] r = new byte[8];
        ThreadLocalRandom.current().nextBytes(r);
        return local.resolveSibling(".cfs-get-" + HexFormat.of().formatHex(r));
    }

    private static void discard(Path temp) {
        if (temp == null) {
            return;
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            // The failure that brought us here is the one to report; the temporary name says what it is.
        }
    }

    /** {@code dir}'s child {@code name}, which must be one plain name that stays inside the export. */
    Path child(Path dir, byte[] name, VolumePath where) throws VolumeException {
        try {
            DirectoryCodec.checkName(name);
        } catch (CorruptBlockException e) {
            throw new VolumeException(VolumeException.Kind.CORRUPT, snapshot.where(where) + ": " + e.getMessage()
                    + "; refusing to write it under " + dir, e);
        }
        Path child;
        try {
            child = NativeNames.resolve(dir, name);
        } catch (IllegalArgumentException e) {
            throw new VolumeException(VolumeException.Kind.INVALID, snapshot.where(where.child(name)) + ": "
                    + e.getMessage(), e);
        }
        if (!dir.equals(child.getParent()) || (top != null && !child.startsWith(top))) {
            throw new VolumeException(VolumeException.Kind.CORRUPT, snapshot.where(where.child(name)) + ": the name "
                    + DirectoryCodec.show(name) + " would be written at " + child + ", outside " + dir);
        }
        return child;
    }

    /** What is at {@code local}, not following a symlink; null if nothing is. */
    private BasicFileAttributes attributes(VolumePath path, Path local) throws VolumeException {
        try {
            return Files.readAttributes(local, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw io(path, local, "read the attributes", e);
        }
    }

    private void setMtime(VolumePath path, Path local, long mtimeNanos, boolean symlink) throws VolumeException {
        if (symlink && !LocalTimes.exact() && !warnedInexact) {
            warnedInexact = true;
            listener.warning("symlink modification times are kept to the microsecond only: "
                    + LocalTimes.whyInexact());
        }
        try {
            LocalTimes.setMtime(local, mtimeNanos);
        } catch (IOException e) {
            throw io(path, local, "set the modification time", e);
        }
    }

    private void setMode(VolumePath path, Path local, int mode) throws VolumeException {
        try {
            // unix:mode is chmod with all of 07777, which PosixFilePermissions cannot express.
            Files.setAttribute(local, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            throw new VolumeException(VolumeException.Kind.IO, snapshot.where(path) + " -> " + local
                    + ": cannot set mode " + Integer.toOctalString(mode) + " (" + e.getMessage() + ")", e);
        }
    }

    /** A failure to read the volume, with where its bytes were going. */
    private static VolumeException writing(VolumeException e, Path local) {
        return new VolumeException(e.kind(), e.getMessage() + " (writing " + local + ")", e);
    }

    /**
     * Carries a file's failure through the directory walk unchanged: it names its own local path,
     * unlike a failure to read the directory itself.
     */
    private static final class ChildFailed extends RuntimeException {
        final VolumeException failure;

        ChildFailed(VolumeException failure) {
            super(failure.getMessage(), failure, false, false);
            this.failure = failure;
        }
    }

    private VolumeException io(VolumePath path, Path local, String what, IOException e) {
        String why = e instanceof AccessDeniedException ? "permission denied"
                : e instanceof NoSuchFileException ? "no such file or directory"
                : e instanceof FileAlreadyExistsException ? "it already exists" : e.getMessage();
        return new VolumeException(VolumeException.Kind.IO, snapshot.where(path) + " -> " + local + ": cannot "
                + what + " (" + why + ")", e);
    }
}
