package org.cfs.mount;

import java.nio.charset.Charset;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.cfs.chord.Id;
import org.cfs.fs.DirEntry;
import org.cfs.fs.Snapshot;
import org.cfs.fs.VolumeException;
import org.cfs.fs.VolumePath;
import org.cfs.fs.VolumeSnapshots;
import org.cfs.fs.Volumes;

/**
 * What a path under the mount point names, independent of FUSE. Two layouts:
 * <pre>
 * all volumes (the default)          one volume (--volume VOL)
 *   /                   aliases        /        the volume's newest root
 *   /ALIAS   -> ID      symlink        /PATH    in it
 *   /ID      -> ID@N    symlink to the newest version
 *   /ID@N/PATH          version N
 * </pre>
 * Ids are 40 hex digits and are resolved on first access, not listed. The newest version of a
 * volume is looked up again once its {@code refresh} interval has passed; until then, and if the
 * ring cannot be reached then, the version already known is served.
 *
 * <p>In the all-volumes layout every file is reached under a version number, so what a path names
 * never changes: the kernel may keep its pages and attributes as long as it likes, and a file
 * opened before a new version appeared goes on reading its own version, never a mix. In the
 * one-volume layout a path's content changes with the version, so the kernel is told less.
 */
final class MountTree {
    /**
     * How names travel between bytes and the Strings jnr-fuse deals in: jnr decodes paths and
     * encodes listed names with the JVM's default charset, so the same charset turns them back
     * into a volume's bytes. Under ISO-8859-1, as {@code cfs mount} runs its mount process, every
     * byte passes unchanged, whatever the names' encoding; under UTF-8, UTF-8 names do.
     */
    static final Charset NAMES = Charset.defaultCharset();
    /** Seconds the alias map is used before the settings are read again. */
    private static final int ALIASES_SECONDS = 1;

    private final Volumes volumes;
    private final Supplier<Map<String, Id>> aliases;
    private final Optional<Id> only;
    private final Clock clock;
    private final VolumeSnapshots snapshots;
    private volatile KnownAliases aliasesRead;

    /**
     * @param aliases the alias names to list at the root; asked again at most once a second
     * @param only the volume whose tree is the whole mount, or empty for the all-volumes layout
     */
    MountTree(Volumes volumes, Supplier<Map<String, Id>> aliases, Optional<Id> only, Clock clock, Duration refresh) {
        this.volumes = Objects.requireNonNull(volumes, "volumes");
        this.aliases = Objects.requireNonNull(aliases, "aliases");
        this.only = Objects.requireNonNull(only, "only");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.snapshots = new VolumeSnapshots(volumes, clock, refresh);
    }

    /** What one path names. */
    sealed interface Node permits Root, Link, InVolume {
    }

    /** The top of the all-volumes layout: lists the aliases. */
    record Root() implements Node {
    }

    /** A symlink at the top: an alias to its volume's id, or a volume's id to its newest version. */
    record Link(String name, String target) implements Node {
    }

    /** A file, directory or symlink inside a version of a volume; the volume's root has the root path. */
    record InVolume(Snapshot snapshot, VolumePath path, DirEntry entry) implements Node {
    }

    /** The node at {@code path} ("/", "/a/b"), or a VolumeException (NO_SUCH_PATH when nothing is there). */
    Node resolve(String path) throws VolumeException {
        List<String> names = split(path);
        if (only.isPresent()) {
            return inside(newest(only.get()), names, 0);
        }
        if (names.isEmpty()) {
            return new Root();
        }
        String top = names.get(0);
        int at = top.indexOf('@');
        String hex = at < 0 ? top : top.substring(0, at);
        if (!Id.isHex(hex)) {
            // Not a volume id, so an alias or nothing: alias names are never 40 hex digits.
            Id alias = aliases().get(top);
            if (alias == null) {
                throw noSuchPath(path);
            }
            return link(new Link(top, alias.toHex()), names, path);
        }
        Id volume = Id.fromHex(hex);
        if (at < 0) {
            return link(new Link(top, top + "@" + newest(volume).version()), names, path);
        }
        return inside(version(volume, top.substring(at + 1), path), names, 1);
    }

    /** The kernel follows a symlink itself, so nothing is ever asked for below one. */
    private static Node link(Link link, List<String> names, String path) throws VolumeException {
        if (names.size() > 1) {
            throw notADirectory(path);
        }
        return link;
    }

    /** Runs one file-system operation: all its block reads together wait at most the timeout. */
    <T> T bounded(Volumes.Call<T> operation) throws VolumeException {
        return volumes.withinTimeout(operation);
    }

    /** Where the mount's blocks come from, for questions about them (which hosts hold one). */
    org.cfs.fs.Blocks blocks() {
        return volumes.blocks();
    }

    /** True when the content at every path is fixed for good (the all-volumes layout). */
    boolean immutablePaths() {
        return only.isEmpty();
    }

    /** The entries of a directory node, with their names as FUSE lists them. */
    List<Listed> list(Node dir) throws VolumeException {
        List<Listed> out = new ArrayList<>();
        if (dir instanceof Root) {
            aliases().forEach((name, id) -> out.add(new Listed(name, new Link(name, id.toHex()))));
        } else if (dir instanceof InVolume v) {
            for (DirEntry e : v.snapshot().list(v.path())) {
                out.add(new Listed(new String(e.name(), NAMES), new InVolume(v.snapshot(), v.path().child(e.name()), e)));
            }
        } else {
            throw new VolumeException(VolumeException.Kind.NOT_A_DIRECTORY, ((Link) dir).name() + ": a symlink");
        }
        return out;
    }

    /** One entry of a listing. */
    record Listed(String name, Node node) {
    }

    private Snapshot version(Id volume, String number, String path) throws VolumeException {
        long version;
        try {
            version = Long.parseLong(number);
        } catch (NumberFormatException e) {
            throw noSuchPath(path);
        }
        if (version < 1) {
            throw noSuchPath(path);
        }
        return snapshots.version(volume, version);
    }

    private Snapshot newest(Id volume) throws VolumeException {
        return snapshots.newest(volume);
    }

    private static Node inside(Snapshot s, List<String> names, int from) throws VolumeException {
        VolumePath p = VolumePath.ROOT;
        for (String name : names.subList(from, names.size())) {
            p = p.child(name.getBytes(NAMES));
        }
        return new InVolume(s, p, s.stat(p));
    }

    /**
     * The aliases, read again at most every {@link #ALIASES_SECONDS} s: every lookup of a top-level
     * name that is not a volume id asks for them, and reading the settings file each time would put
     * a file read in front of every such lookup. A new alias shows within that time.
     */
    private Map<String, Id> aliases() {
        KnownAliases known = aliasesRead;
        long now = clock.millis();
        if (known == null || now - known.readAtMillis() >= ALIASES_SECONDS * 1000L) {
            known = new KnownAliases(Collections.unmodifiableMap(new TreeMap<>(aliases.get())), now);
            aliasesRead = known;
        }
        return known.byName();
    }

    /** The aliases as last read, and when. */
    private record KnownAliases(Map<String, Id> byName, long readAtMillis) {
    }

    private static List<String> split(String path) throws VolumeException {
        if (!path.startsWith("/")) {
            throw new VolumeException(VolumeException.Kind.INVALID, path + ": not an absolute path");
        }
        List<String> names = new ArrayList<>();
        for (String name : path.split("/")) {
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return names;
    }

    private static VolumeException noSuchPath(String path) {
        return new VolumeException(VolumeException.Kind.NO_SUCH_PATH, path + ": no such file or directory");
    }

    private static VolumeException notADirectory(String path) {
        return new VolumeException(VolumeException.Kind.NOT_A_DIRECTORY, path + ": not a directory");
    }
}
