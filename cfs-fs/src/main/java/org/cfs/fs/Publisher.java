package org.cfs.fs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.cfs.chord.Id;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.SignedBlock;
import org.cfs.dhash.SigningKey;

/**
 * Publishes a local directory as a new version of a signed volume: stores every block of the tree
 * that the ring lacks, then the commit, and signs and stores the volume's signed block last, only
 * once all of them are stored, so no reader can see a version with blocks missing.
 */
public final class Publisher {
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFLNK = 0120000;

    /**
     * How to publish.
     *
     * @param message the commit message
     * @param expires how long the signature stays valid
     * @param force make a new version even if the tree is unchanged
     * @param maxBlocksInFlight most blocks being stored at once
     * @param maxBytesInFlight most bytes of blocks being stored at once
     */
    public record Options(String message, Duration expires, boolean force, int maxBlocksInFlight,
                          long maxBytesInFlight) {
        public Options {
            Objects.requireNonNull(message, "message");
            if (expires.isNegative() || expires.isZero()) {
                throw new IllegalArgumentException("expiry " + expires + " must be positive");
            }
        }

        public static Options defaults() {
            return new Options("", Duration.ofDays(30), false, 64, 32L << 20);
        }

        public Options withMessage(String m) {
            return new Options(m, expires, force, maxBlocksInFlight, maxBytesInFlight);
        }

        public Options withExpires(Duration d) {
            return new Options(message, d, force, maxBlocksInFlight, maxBytesInFlight);
        }

        public Options withForce(boolean f) {
            return new Options(message, expires, f, maxBlocksInFlight, maxBytesInFlight);
        }

        public Options withInFlight(int blocks, long bytes) {
            return new Options(message, expires, force, blocks, bytes);
        }
    }

    /** Hears how a publish goes, from the publishing thread. */
    public interface Listener {
        /** The tree holds this many files and bytes (counted before anything is stored). */
        default void planned(long files, long bytes) {
        }

        /** Another file was stored; {@code bytes} of it were read. */
        default void stored(Path file, long bytes) {
        }

        /** Something left out or odd, for the user to see. */
        default void warning(String message) {
        }
    }

    private final Blocks blocks;
    /** Reads the current head and commit; a small cache, as a publish reads a handful of blocks. */
    private final BlockReader reader;
    private final SeenVersions seen;
    private final Clock clock;
    private final Duration timeout;
    private final FastCdc chunker;
    private final Listener listener;

    public Publisher(Blocks blocks, SeenVersions seen, Clock clock, Duration timeout, FastCdc chunker,
                     Listener listener) {
        this.blocks = blocks;
        this.reader = new BlockReader(blocks, timeout, 1 << 20);
        this.seen = seen;
        this.clock = clock;
        this.timeout = timeout;
        this.chunker = chunker;
        this.listener = listener;
    }

    /** The id of the volume {@code key} publishes under {@code label}. */
    public static Id volumeId(SigningKey key, byte[] label) {
        return key.keyFor(label);
    }

    /** Publishes {@code dir} as the next version of the volume (key, label). */
    public Publication publish(Path dir, SigningKey key, byte[] label, Options options) throws VolumeException {
        long start = System.nanoTime();
        Id volume = volumeId(key, label);
        String where = "volume " + volume;
        if (!Files.isDirectory(dir)) {
            throw new VolumeException(VolumeException.Kind.INVALID, dir + ": not a directory");
        }
        Tally plan = new Tally();
        survey(dir, plan);
        listener.planned(plan.files, plan.bytes);

        VolumeHead current = currentHead(volume);
        Commit previous = current == null ? null : reader.commit(current.commit(), where + " version " + current.version());
        BlockUploader uploader = new BlockUploader(blocks, timeout, options.maxBlocksInFlight(), options.maxBytesInFlight());
        Tally tally = new Tally();
        Stored root = storeDirectory(dir, uploader, tally);
        if (previous != null && !options.force() && previous.root().equals(root.ref) && previous.rootMode() == root.mode
                && previous.rootMtimeNanos() == root.mtimeNanos) {
            // Storing the tree again restarted its blocks' leases on the nodes; the commit's too.
            uploader.store(new ContentBlock(previous.encode()), where + " version " + current.version() + " commit");
            uploader.finish(where);
            return new Publication(volume, current.version(), true, current.commit(), current.expiresAtMillis(),
                    tally.files, tally.directories, tally.bytes, uploader.blocksSent(), uploader.bytesSent(),
                    uploader.blocksFound(), uploader.bytesFound(), tally.skipped, Duration.ofNanos(System.nanoTime() - start));
        }
        long version = current == null ? 1 : current.version() + 1;
        Commit commit = new Commit(version, clock.millis(), options.message(), root.ref, root.entries, root.mode,
                root.mtimeNanos, current == null ? null : current.commit(), tally.files, tally.directories, tally.bytes);
        ContentBlock commitBlock = new ContentBlock(commit.encode());
        uploader.store(commitBlock, where + " version " + version + " commit");
        uploader.finish(where);

        long seq = current == null ? 0 : current.seq() + 1;
        long expires = sign(volume, key, label, seq, new VolumeRoot(commitBlock.key(), version), options.expires());
        return new Publication(volume, version, false, commitBlock.key(), expires, tally.files, tally.directories,
                tally.bytes, uploader.blocksSent(), uploader.bytesSent(), uploader.blocksFound(), uploader.bytesFound(),
                tally.skipped, Duration.ofNanos(System.nanoTime() - start));
    }

    /** Re-signs the current version with a new expiry, expired or not; the version stays the same. */
    public Publication refresh(SigningKey key, byte[] label, Duration expiresIn) throws VolumeException {
        long start = System.nanoTime();
        Id volume = volumeId(key, label);
        VolumeHead current = currentHead(volume);
        if (current == null) {
            throw new VolumeException(VolumeException.Kind.UNKNOWN_VOLUME, "volume " + volume
                    + ": nothing to refresh, it has never been published");
        }
        Commit commit = reader.commit(current.commit(), "volume " + volume + " version " + current.version());
        long expires = sign(volume, key, label, current.seq() + 1, new VolumeRoot(current.commit(), current.version()),
                expiresIn);
        return new Publication(volume, current.version(), false, current.commit(), expires, commit.files(),
                commit.directories(), commit.bytes(), 0, 0, 0, 0, 0, Duration.ofNanos(System.nanoTime() - start));
    }

    /** The current signed block, expired or not, refusing one older than this client has seen. */
    private VolumeHead currentHead(Id volume) throws VolumeException {
        VolumeHead head = Volumes.fetchHead(reader, volume);
        SeenVersions.Seen before = seen.highest(volume);
        if ((head == null && before.seq() >= 0) || (head != null && head.seq() < before.seq())) {
            throw new VolumeException(VolumeException.Kind.ROLLBACK, "volume " + volume + ": the ring serves "
                    + (head == null ? "no version" : "version " + head.version() + " (signature " + head.seq() + ")")
                    + " but this client has seen version " + before.version() + " (signature " + before.seq()
                    + "); publishing now would fork the volume's history");
        }
        if (head != null) {
            record(volume, head.seq(), head.version());
        }
        return head;
    }

    private long sign(Id volume, SigningKey key, byte[] label, long seq, VolumeRoot root, Duration expiresIn)
            throws VolumeException {
        long expires = Math.addExact(clock.millis(), expiresIn.toMillis());
        SignedBlock signed = SignedBlock.sign(key, label, seq, expires, root.encode());
        Await.await(blocks.put(signed), timeout, () -> "volume " + volume + ": storing the signed block (version "
                + root.version() + ")");
        record(volume, seq, root.version());
        return expires;
    }

    private void record(Id volume, long seq, long version) throws VolumeException {
        try {
            seen.saw(volume, seq, version);
        } catch (IOException e) {
            throw new VolumeException(VolumeException.Kind.IO, "volume " + volume
                    + ": cannot record the version seen: " + e.getMessage(), e);
        }
    }

    /** Counts of a walk. */
    private static final class Tally {
        long files;
        long directories;
        long bytes;
        long skipped;
    }

    /** A stored directory: its top block, entry count and own attributes. */
    private record Stored(Id ref, long entries, int mode, long mtimeNanos) {
    }

    /**
     * Counts files and bytes, and checks that everything can be read, before anything is stored:
     * an unreadable file stops the publish here, with its path.
     */
    private void survey(Path dir, Tally tally) throws VolumeException {
        tally.directories++;
        for (Path child : children(dir)) {
            Map<String, Object> a = attributes(child);
            int type = (Integer) a.get("mode") & S_IFMT;
            if (type == S_IFDIR) {
                survey(child, tally);
            } else if (type == S_IFREG) {
                if (!Files.isReadable(child)) {
                    throw new VolumeException(VolumeException.Kind.IO, child + ": cannot read the file (permission denied)");
                }
                tally.files++;
                tally.bytes += (Long) a.get("size");
            } else if (type == S_IFLNK) {
                tally.files++;
            }
        }
    }

    private Stored storeDirectory(Path dir, BlockUploader uploader, Tally tally) throws VolumeException {
        tally.directories++;
        List<DirEntry> entries = new ArrayList<>();
        for (Path child : children(dir)) {
            Map<String, Object> a = attributes(child);
            int mode = (Integer) a.get("mode");
            long mtime = nanos((FileTime) a.get("lastModifiedTime"));
            byte[] name = NativeNames.name(child);
            switch (mode & S_IFMT) {
                case S_IFDIR -> {
                    Stored sub = storeDirectory(child, uploader, tally);
                    entries.add(new DirEntry(name, EntryKind.DIRECTORY, mode & Format.MODE_BITS, sub.entries, mtime,
                            sub.ref, null));
                }
                case S_IFREG -> {
                    DirEntry e = storeFile(child, name, mode & Format.MODE_BITS, mtime, uploader);
                    tally.files++;
                    tally.bytes += e.size();
                    entries.add(e);
                    listener.stored(child, e.size());
                }
                case S_IFLNK -> {
                    entries.add(symlink(child, name, mode, mtime));
                    tally.files++;
                    listener.stored(child, 0);
                }
                default -> {
                    tally.skipped++;
                    listener.warning("skipping " + child + ": " + kindOf(mode) + ", not a file, directory or symlink");
                }
            }
        }
        String where = dir.toString();
        Id ref;
        try {
            ref = TreeWriter.writeDirectory(entries, block -> store(uploader, block, where));
        } catch (UploadFailed e) {
            throw e.failure;
        }
        Map<String, Object> own = attributes(dir);
        return new Stored(ref, entries.size(), (Integer) own.get("mode") & Format.MODE_BITS,
                nanos((FileTime) own.get("lastModifiedTime")));
    }

    private static void store(BlockUploader uploader, ContentBlock block, String where) {
        try {
            uploader.store(block, where);
        } catch (VolumeException e) {
            throw new UploadFailed(e);
        }
    }

    /** Carries a store failure out of the tree writer's callback. */
    private static final class UploadFailed extends RuntimeException {
        final VolumeException failure;

        UploadFailed(VolumeException failure) {
            super(failure.getMessage(), failure, false, false);
            this.failure = failure;
        }
    }

    private DirEntry storeFile(Path file, byte[] name, int mode, long mtime, BlockUploader uploader)
            throws VolumeException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] head = in.readNBytes(Format.INLINE_MAX + 1);
            if (head.length <= Format.INLINE_MAX) {
                return new DirEntry(name, EntryKind.INLINE_FILE, mode, head.length, mtime, null, head);
            }
            FastCdc.Chunks chunks = chunker.chunks(new SequenceInputStream(new ByteArrayInputStream(head), in));
            List<ChunkRef> refs = new ArrayList<>();
            long size = 0;
            String where = file.toString();
            for (byte[] data = chunks.next(); data != null; data = chunks.next()) {
                ContentBlock block = new ContentBlock(data);
                uploader.store(block, where);
                refs.add(new ChunkRef(block.key(), data.length));
                size += data.length;
            }
            if (refs.size() == 1) {
                return new DirEntry(name, EntryKind.CHUNK_FILE, mode, size, mtime, refs.get(0).ref(), null);
            }
            Id list;
            try {
                list = TreeWriter.writeChunkList(refs, block -> store(uploader, block, where));
            } catch (UploadFailed e) {
                throw e.failure;
            }
            return new DirEntry(name, EntryKind.LIST_FILE, mode, size, mtime, list, null);
        } catch (IOException e) {
            throw io(file, "read the file", e);
        }
    }

    private static DirEntry symlink(Path link, byte[] name, int mode, long mtime) throws VolumeException {
        byte[] target;
        try {
            target = NativeNames.bytes(Files.readSymbolicLink(link));
        } catch (IOException e) {
            throw io(link, "read the symlink", e);
        }
        if (target.length > Format.MAX_SYMLINK) {
            throw new VolumeException(VolumeException.Kind.INVALID, link + ": symlink target of " + target.length
                    + " bytes is longer than " + Format.MAX_SYMLINK);
        }
        return new DirEntry(name, EntryKind.SYMLINK, mode & Format.MODE_BITS, target.length, mtime, null, target);
    }

    /** A directory's children in name order, so a publish walks the same way every time. */
    private static List<Path> children(Path dir) throws VolumeException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(out::add);
        } catch (IOException e) {
            throw io(dir, "list the directory", e);
        }
        out.sort((x, y) -> Arrays.compareUnsigned(NativeNames.name(x), NativeNames.name(y)));
        return out;
    }

    private static Map<String, Object> attributes(Path p) throws VolumeException {
        try {
            return Files.readAttributes(p, "unix:mode,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw io(p, "read the attributes", e);
        }
    }

    private static long nanos(FileTime t) {
        Instant i = t.toInstant();
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
    }

    private static String kindOf(int mode) {
        return switch (mode & S_IFMT) {
            case 0010000 -> "a fifo";
            case 0140000 -> "a socket";
            case 0020000 -> "a character device";
            case 0060000 -> "a block device";
            default -> "of file type " + Integer.toOctalString(mode & S_IFMT);
        };
    }

    private static VolumeException io(Path p, String what, IOException e) {
        String why = e instanceof AccessDeniedException ? "permission denied"
                : e instanceof NoSuchFileException ? "it vanished during the publish" : e.getMessage();
        return new VolumeException(VolumeException.Kind.IO, p + ": cannot " + what + " (" + why + ")", e);
    }
}
