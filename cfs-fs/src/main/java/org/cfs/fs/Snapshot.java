package org.cfs.fs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cfs.chord.Id;

/**
 * One version of a volume, as it will always be: paths resolve through directory blocks, files
 * open for random or streaming reads. Safe for many threads; every wait has the reader's deadline.
 */
public final class Snapshot {
    /** Directory blocks fetched ahead while listing. */
    private static final int LIST_AHEAD = 32;

    private final BlockReader reader;
    private final VolumeHead head;
    private final Id commitRef;
    private final Commit commit;

    Snapshot(BlockReader reader, VolumeHead head, Id commitRef, Commit commit) {
        this.reader = reader;
        this.head = head;
        this.commitRef = commitRef;
        this.commit = commit;
    }

    public Id volume() {
        return head.volume();
    }

    public long version() {
        return commit.version();
    }

    /** The signed block this snapshot was reached from (the newest version's). */
    public VolumeHead head() {
        return head;
    }

    public Commit commit() {
        return commit;
    }

    /** Where this snapshot reads its blocks, for a {@link VolumeVerifier} that fetches them anew. */
    BlockReader reader() {
        return reader;
    }

    public Id commitRef() {
        return commitRef;
    }

    public DirEntry root() {
        return commit.rootEntry();
    }

    /** The version before this one. */
    public Snapshot previous() throws VolumeException {
        if (commit.previous() == null) {
            throw new VolumeException(VolumeException.Kind.NO_SUCH_VERSION, where() + ": version 1 has no predecessor");
        }
        Commit before = reader.commit(commit.previous(), where() + " version " + (version() - 1));
        if (before.version() != version() - 1) {
            throw BlockReader.corrupt(commit.previous(), where(), "version " + version()
                    + " names a previous commit of version " + before.version());
        }
        return new Snapshot(reader, head, commit.previous(), before);
    }

    /** This version and every earlier one, newest first. */
    public List<Snapshot> history() throws VolumeException {
        List<Snapshot> out = new ArrayList<>();
        Snapshot s = this;
        out.add(s);
        while (s.version() > 1) {
            s = s.previous();
            out.add(s);
        }
        return out;
    }

    /** The entry at {@code path}; the root's entry has an empty name. */
    public DirEntry stat(VolumePath path) throws VolumeException {
        DirEntry at = root();
        VolumePath walked = VolumePath.ROOT;
        for (byte[] name : path.names()) {
            if (!at.isDirectory()) {
                throw new VolumeException(VolumeException.Kind.NOT_A_DIRECTORY, where(walked) + ": not a directory");
            }
            walked = walked.child(name);
            at = find(at, name, walked);
            if (at == null) {
                throw new VolumeException(VolumeException.Kind.NO_SUCH_PATH, where(walked) + ": no such file or directory");
            }
        }
        return at;
    }

    /** The directory's entries in name order. */
    public List<DirEntry> list(VolumePath path) throws VolumeException {
        List<DirEntry> out = new ArrayList<>();
        forEach(path, stat(path), out::add);
        return out;
    }

    /** A visitor of directory entries that may fail. */
    @FunctionalInterface
    public interface EntryVisitor {
        void visit(DirEntry entry) throws VolumeException;
    }

    /**
     * Visits the entries of {@code dir} (the entry at {@code path}) in name order, fetching the
     * directory's blocks ahead of the visit, so a large directory streams without waiting on each.
     */
    public void forEach(VolumePath path, DirEntry dir, EntryVisitor visitor) throws VolumeException {
        if (!dir.isDirectory()) {
            throw new VolumeException(VolumeException.Kind.NOT_A_DIRECTORY, where(path) + ": not a directory");
        }
        String where = where(path);
        DirNode top = reader.dir(dir.ref(), where);
        checkTop(top, dir, where);
        walk(top, dir.ref(), null, null, where, visitor);
    }

    private void walk(DirNode node, Id ref, byte[] first, byte[] upper, String where, EntryVisitor visitor)
            throws VolumeException {
        if (node.level() == 0) {
            checkBounds(node, ref, first, upper, where);
            for (DirEntry e : node.entries()) {
                visitor.visit(e);
            }
            return;
        }
        checkBounds(node, ref, first, upper, where);
        List<DirChild> children = node.children();
        int started = 0;
        for (int i = 0; i < children.size(); i++) {
            // Start fetching the next blocks; the walk below finds them in the reader's cache.
            while (started < children.size() && started < i + LIST_AHEAD) {
                reader.data(children.get(started++).ref());
            }
            DirChild c = children.get(i);
            DirNode child = childOf(node, c, where);
            walk(child, c.ref(), c.firstName(), i + 1 < children.size() ? children.get(i + 1).firstName() : upper,
                    where, visitor);
        }
    }

    /** Finds {@code name} in the directory {@code dir}, descending one block per level. */
    private DirEntry find(DirEntry dir, byte[] name, VolumePath path) throws VolumeException {
        String where = where(path);
        DirNode node = reader.dir(dir.ref(), where);
        checkTop(node, dir, where);
        Id ref = dir.ref();
        byte[] first = null;
        byte[] upper = null;
        while (node.level() > 0) {
            checkBounds(node, ref, first, upper, where);
            List<DirChild> children = node.children();
            int i = floor(children, name);
            if (i < 0) {
                return null;
            }
            DirChild c = children.get(i);
            first = c.firstName();
            upper = i + 1 < children.size() ? children.get(i + 1).firstName() : upper;
            ref = c.ref();
            node = childOf(node, c, where);
        }
        checkBounds(node, ref, first, upper, where);
        List<DirEntry> entries = node.entries();
        int lo = 0;
        int hi = entries.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Arrays.compareUnsigned(entries.get(mid).name(), name);
            if (c == 0) {
                return entries.get(mid);
            }
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return null;
    }

    /** The last child whose first name is at most {@code name}, or -1. */
    private static int floor(List<DirChild> children, byte[] name) {
        int lo = 0;
        int hi = children.size() - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Arrays.compareUnsigned(children.get(mid).firstName(), name) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    private DirNode childOf(DirNode parent, DirChild c, String where) throws VolumeException {
        DirNode child = reader.dir(c.ref(), where);
        if (child.level() != parent.level() - 1) {
            throw BlockReader.corrupt(c.ref(), where, "a level-" + child.level() + " block under a level-"
                    + parent.level() + " block");
        }
        if (child.entryCount() != c.entries()) {
            throw BlockReader.corrupt(c.ref(), where, "holds " + child.entryCount() + " entries, its parent says "
                    + c.entries());
        }
        return child;
    }

    /** A directory's top block: its entry count matches the entry's, and a branch has two children or more. */
    static void checkTop(DirNode top, DirEntry dir, String where) throws VolumeException {
        if (top.entryCount() != dir.size()) {
            throw BlockReader.corrupt(dir.ref(), where, "holds " + top.entryCount() + " entries, the directory entry says "
                    + dir.size());
        }
        if (top.level() > 0 && top.children().size() < 2) {
            throw BlockReader.corrupt(dir.ref(), where, "a top directory block with a single child");
        }
    }

    /** A node's names lie in [first, upper) and it starts with {@code first}, as its parent claims. */
    static void checkBounds(DirNode node, Id ref, byte[] first, byte[] upper, String where)
            throws VolumeException {
        if (first == null) {
            return;
        }
        byte[] lowest = node.level() == 0 ? (node.entries().isEmpty() ? null : node.entries().get(0).name())
                : node.children().get(0).firstName();
        if (lowest == null) {
            throw BlockReader.corrupt(ref, where, "an empty directory block inside a larger directory");
        }
        if (!Arrays.equals(lowest, first)) {
            throw BlockReader.corrupt(ref, where, "starts at " + DirectoryCodec.show(lowest) + ", its parent says "
                    + DirectoryCodec.show(first));
        }
        if (upper != null) {
            byte[] highest = node.level() == 0 ? node.entries().get(node.entries().size() - 1).name()
                    : node.children().get(node.children().size() - 1).firstName();
            if (Arrays.compareUnsigned(highest, upper) >= 0) {
                throw BlockReader.corrupt(ref, where, "holds " + DirectoryCodec.show(highest)
                        + ", past its next sibling's first name " + DirectoryCodec.show(upper));
            }
        }
    }

    /** Opens the regular file at {@code path} for reading. */
    public FileContent open(VolumePath path) throws VolumeException {
        DirEntry e = stat(path);
        if (!e.kind().isFile()) {
            throw new VolumeException(VolumeException.Kind.NOT_A_FILE, where(path) + ": " + (e.isDirectory() ? "is a directory" : "is a symbolic link, not a file"));
        }
        return open(path, e);
    }

    /** Opens a file entry already looked up at {@code path}. */
    public FileContent open(VolumePath path, DirEntry file) throws VolumeException {
        return new FileContent(reader, where(path), file);
    }

    private String where() {
        return "volume " + head.volume();
    }

    /** "volume ID@N: /path": how every error names its place. */
    public String where(VolumePath path) {
        return "volume " + head.volume() + (version() == head.version() ? "" : "@" + version()) + ": " + path;
    }
}
