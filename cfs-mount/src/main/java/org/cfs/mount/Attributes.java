package org.cfs.mount;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.cfs.fs.Blocks;
import org.cfs.fs.ChunkRef;
import org.cfs.fs.DirEntry;
import org.cfs.fs.VolumeException;

/**
 * The extended attributes of entries in a volume, after CernVM-FS's {@code user.*} ones: what a
 * user asks with {@code getfattr -d}. All are read-only text.
 * <pre>
 * user.cfs.volume     the volume id (40 hex)
 * user.cfs.version    the version this path is in
 * user.cfs.ref        the block key of the file or directory (none for a file kept inside its directory)
 * user.cfs.chunks     a file's number of data chunks
 * user.cfs.expires    when the version's signature expires (ISO-8601, UTC)
 * user.cfs.replicas   the replica hosts that hold the file's first chunk, asked now (host:port, comma-separated)
 * </pre>
 */
final class Attributes {
    static final String VOLUME = "user.cfs.volume";
    static final String VERSION = "user.cfs.version";
    static final String REF = "user.cfs.ref";
    static final String CHUNKS = "user.cfs.chunks";
    static final String EXPIRES = "user.cfs.expires";
    static final String REPLICAS = "user.cfs.replicas";
    static final Set<String> NAMES = Set.of(VOLUME, VERSION, REF, CHUNKS, EXPIRES, REPLICAS);

    private final Blocks blocks;
    private final Duration timeout;

    Attributes(Blocks blocks, Duration timeout) {
        this.blocks = blocks;
        this.timeout = timeout;
    }

    /** The attributes an entry has, in the order listed above. */
    static List<String> names(MountTree.InVolume node) {
        List<String> names = new ArrayList<>(List.of(VOLUME, VERSION));
        DirEntry e = node.entry();
        if (e.ref() != null) {
            names.add(REF);
        }
        if (e.kind().isFile()) {
            names.add(CHUNKS);
        }
        names.add(EXPIRES);
        if (e.kind().isFile() && e.ref() != null) {
            names.add(REPLICAS);
        }
        return names;
    }

    /** The value of {@code name}, or null if the entry does not have it. */
    String value(MountTree.InVolume node, String name) throws VolumeException {
        if (!names(node).contains(name)) {
            return null;
        }
        return switch (name) {
            case VOLUME -> node.snapshot().volume().toHex();
            case VERSION -> Long.toString(node.snapshot().version());
            case REF -> node.entry().ref().toHex();
            case CHUNKS -> Integer.toString(node.snapshot().open(node.path(), node.entry()).chunks().size());
            case EXPIRES -> Instant.ofEpochMilli(node.snapshot().head().expiresAtMillis()).toString();
            case REPLICAS -> replicas(node);
            default -> null;
        };
    }

    private String replicas(MountTree.InVolume node) throws VolumeException {
        List<ChunkRef> chunks = node.snapshot().open(node.path(), node.entry()).chunks();
        String where = node.snapshot().where(node.path());
        if (chunks.isEmpty()) {
            return "";
        }
        try {
            return String.join(",", blocks.replicaHosts(chunks.get(0).ref())
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            throw new VolumeException(VolumeException.Kind.UNAVAILABLE, where + ": the ring did not say who holds "
                    + chunks.get(0).ref() + " within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw new VolumeException(VolumeException.Kind.UNAVAILABLE, where + ": cannot ask who holds "
                    + chunks.get(0).ref() + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VolumeException(VolumeException.Kind.UNAVAILABLE, where + ": interrupted");
        }
    }
}
