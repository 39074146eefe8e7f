package org.cfs.fs;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.cfs.chord.Id;
import org.cfs.dhash.Block;
import org.cfs.dhash.ContentBlock;

/**
 * Fetches and checks every block of one version of a volume ({@code cfs verify}): the commit,
 * every directory block, every chunk-list block and every data chunk, each fetched anew from the
 * ring (not from a cache) with a bound on how many are in flight. It does not stop at a missing or
 * corrupt block but reports them all, with the path that references each; optionally it asks how
 * many replica hosts hold each block.
 */
public final class VolumeVerifier {
    /** Problems kept per list; the counts cover all of them. */
    public static final int KEPT = 100;

    /**
     * How to verify.
     *
     * @param replicas also count the replica hosts that hold each block
     * @param replicaTarget blocks held by fewer hosts than this are reported (DHash's k)
     * @param maxInFlight most block fetches and replica counts outstanding at once
     */
    public record Options(boolean replicas, int replicaTarget, int maxInFlight) {
        public Options {
            if (replicaTarget < 1 || maxInFlight < 1) {
                throw new IllegalArgumentException("replica target " + replicaTarget + " and blocks in flight "
                        + maxInFlight + " must both be at least 1");
            }
        }

        public static Options defaults() {
            return new Options(false, 3, 64);
        }

        /** Counts replicas too, reporting blocks held by fewer than {@code k} hosts. */
        public Options withReplicas(int k) {
            return new Options(true, k, maxInFlight);
        }

        public Options withMaxInFlight(int n) {
            return new Options(replicas, replicaTarget, n);
        }
    }

    /** Hears how a verify goes, from the verifying thread. */
    public interface Listener {
        /** Blocks fetched and checked so far, and their bytes. */
        default void checked(long blocks, long bytes) {
        }
    }

    /**
     * One block that is missing, corrupt or under-replicated.
     *
     * @param key the block's key
     * @param path the volume path that references it
     * @param reason what is wrong, and what could not be checked because of it
     */
    public record Problem(Id key, VolumePath path, String reason) {
        @Override
        public String toString() {
            return "block " + key + " (" + path + "): " + reason;
        }
    }

    /**
     * What a verify found. Counts are of distinct blocks; the lists keep the first {@link #KEPT}.
     *
     * @param blocks blocks fetched and found well-formed
     * @param bytes their data bytes
     * @param uncheckedSubtrees directories and chunk lists whose contents could not be checked, as
     *     their own block was missing or corrupt
     * @param holders when replicas were counted: how many blocks are held by each number of hosts
     * @param underReplicated blocks held by fewer hosts than the target, or whose count failed
     */
    public record Report(Id volume, long version, long blocks, long bytes, long missing, List<Problem> missingBlocks, long corrupt, List<Problem> corruptBlocks,
                         long uncheckedSubtrees, boolean replicasCounted, int replicaTarget,
                         SortedMap<Integer, Long> holders, long underReplicated, List<Problem> underReplicatedBlocks,
                         Duration took) {
        public Report {
            missingBlocks = List.copyOf(missingBlocks);
            corruptBlocks = List.copyOf(corruptBlocks);
            underReplicatedBlocks = List.copyOf(underReplicatedBlocks);
            holders = Collections.unmodifiableSortedMap(new TreeMap<>(holders));
        }

        /** Every block present and well-formed, and held by enough hosts if that was asked. */
        public boolean healthy() {
            return missing == 0 && corrupt == 0 && underReplicated == 0;
        }
    }

    /** What a block is in the tree, which decides how it is checked. */
    private enum Role {
        COMMIT, DIRECTORY, LIST, CHUNK
    }

    /**
     * One reference to a block and what its referrer expects of it.
     *
     * @param entry the directory or file entry the block belongs to
     * @param level the tree level expected, or -1 for a top block (any level)
     * @param expected entries under a directory block, bytes under a list block or in a chunk
     * @param first the first name a directory block must start with (null for a top block)
     * @param upper the name a directory block's names must stay below (null for none)
     * @param offset where in the file a list block or chunk starts
     */
    private record Task(Role role, Id key, VolumePath path, DirEntry entry, int level, long expected, byte[] first,
                        byte[] upper, long offset) {
    }

    /** A block's identity in the walk: the same bytes may be a chunk and, say, a directory. */
    private record Seen(Role role, Id key) {
    }

    /** What a fetched block turned out to be, to check later references to it against. */
    private record Summary(boolean ok, int level, long amount) {
    }

    /** A finished fetch or replica count. */
    private record Done(Task task, Block block, Integer holders, Throwable error, boolean count) {
    }

    private final Snapshot snapshot;
    private final Blocks blocks;
    private final Duration timeout;
    private final Options options;
    private final Listener listener;
    /** Blocks to fetch; taken last first, so the walk goes deep and the queue stays short. */
    private final Deque<Task> pending = new ArrayDeque<>();
    private final Deque<Task> toCount = new ArrayDeque<>();
    private final Map<Seen, Summary> summaries = new HashMap<>();
    private final Map<Seen, List<Task>> waiting = new HashMap<>();
    private final LinkedBlockingQueue<Done> finished = new LinkedBlockingQueue<>();
    private final List<Problem> missingBlocks = new ArrayList<>();
    private final List<Problem> corruptBlocks = new ArrayList<>();
    private final List<Problem> underBlocks = new ArrayList<>();
    private final SortedMap<Integer, Long> holders = new TreeMap<>();
    private final Set<Id> countedKeys = new HashSet<>();
    private int inFlight;
    private long blockCount;
    private long byteCount;
    private long missing;
    private long corrupt;
    private long unchecked;
    private long under;

    private VolumeVerifier(Snapshot snapshot, Options options, Listener listener) {
        this.snapshot = snapshot;
        this.blocks = snapshot.reader().blocks();
        this.timeout = snapshot.reader().timeout();
        this.options = options;
        this.listener = listener;
    }

    /** Verifies every block of {@code snapshot}'s version; fails only if the ring stops answering at all. */
    public static Report verify(Snapshot snapshot, Options options, Listener listener) throws VolumeException {
        return new VolumeVerifier(snapshot, options, listener).run();
    }

    private Report run() throws VolumeException {
        long start = System.nanoTime();
        pending.add(new Task(Role.COMMIT, snapshot.commitRef(), VolumePath.ROOT, null, -1, 0, null, null, 0));
        while (true) {
            while (inFlight < options.maxInFlight()) {
                Task c = toCount.poll();
                Task t = c == null ? pending.pollLast() : null;
                if (c != null) {
                    count(c);
                } else if (t != null) {
                    start(t);
                } else {
                    break;
                }
            }
            if (inFlight == 0) {
                // Nothing in flight, so the loop above found both queues empty: all is checked.
                break;
            }
            Done done;
            try {
                // Every fetch has its own deadline; this one only guards against a future never completed.
                done = finished.poll(timeout.toNanos() + TimeUnit.SECONDS.toNanos(5), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VolumeException(VolumeException.Kind.UNAVAILABLE, where() + ": verify interrupted", e);
            }
            if (done == null) {
                throw new VolumeException(VolumeException.Kind.UNAVAILABLE, where() + ": " + inFlight
                        + " block requests outstanding and none answered within " + timeout.toSeconds() + " s");
            }
            inFlight--;
            if (done.count()) {
                counted(done);
            } else {
                fetched(done);
                listener.checked(blockCount, byteCount);
            }
        }
        return new Report(snapshot.volume(), snapshot.version(), blockCount, byteCount, missing,
                missingBlocks, corrupt, corruptBlocks, unchecked, options.replicas(), options.replicaTarget(), holders,
                under, underBlocks, Duration.ofNanos(System.nanoTime() - start));
    }

    /** Fetches a block met for the first time; checks a repeated one against what it was the first time. */
    private void start(Task t) throws VolumeException {
        Seen seen = new Seen(t.role(), t.key());
        Summary s = summaries.get(seen);
        if (s != null) {
            recheck(t, s);
            return;
        }
        List<Task> others = waiting.get(seen);
        if (others != null) {
            others.add(t);
            return;
        }
        waiting.put(seen, new ArrayList<>());
        inFlight++;
        CompletableFuture<Block> f;
        try {
            f = blocks.get(t.key());
        } catch (RuntimeException e) {
            // A store that throws rather than failing its future must not lose the in-flight count.
            f = CompletableFuture.failedFuture(e);
        }
        f.copy().orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .whenComplete((b, e) -> finished.add(new Done(t, b, null, e, false)));
        if (options.replicas() && countedKeys.add(t.key())) {
            toCount.add(t);
        }
    }

    private void count(Task t) {
        inFlight++;
        CompletableFuture<Integer> f;
        try {
            f = blocks.holders(t.key());
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.copy().orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .whenComplete((n, e) -> finished.add(new Done(t, null, n, e, true)));
    }

    private void counted(Done d) throws VolumeException {
        Throwable e = unwrap(d.error());
        if (e instanceof UnsupportedOperationException) {
            throw new VolumeException(VolumeException.Kind.INVALID, where() + ": cannot count replicas: "
                    + e.getMessage(), e);
        }
        Task t = d.task();
        if (e != null) {
            under++;
            String why = e instanceof TimeoutException ? "no answer within " + timeout.toSeconds() + " s"
                    : e.getMessage() != null ? e.getMessage() : e.toString();
            keep(underBlocks, new Problem(t.key(), t.path(), "replica count unknown: " + why + what(t)));
            return;
        }
        int n = d.holders();
        holders.merge(n, 1L, Long::sum);
        if (n < options.replicaTarget()) {
            under++;
            keep(underBlocks, new Problem(t.key(), t.path(), "held by " + n + " of " + options.replicaTarget()
                    + " replica hosts" + what(t)));
        }
    }

    private void fetched(Done d) throws VolumeException {
        Task t = d.task();
        Seen seen = new Seen(t.role(), t.key());
        Summary s;
        if (d.error() != null) {
            VolumeException v = Await.failure(d.error(), where(t.path()), t.key());
            String why = unwrap(d.error()) instanceof TimeoutException
                    ? "no answer within " + timeout.toSeconds() + " s" + what(t) : reason(v, t);
            String lost = lost(t);
            if (v.kind() == VolumeException.Kind.CORRUPT) {
                corrupt(t.key(), t.path(), why + lost);
            } else {
                // Not found, or no answer in time: either way no reader can have it now.
                missing++;
                keep(missingBlocks, new Problem(t.key(), t.path(), why + lost));
            }
            s = new Summary(false, 0, 0);
        } else if (!(d.block() instanceof ContentBlock c)) {
            corrupt(t.key(), t.path(), "a signed block where a content block belongs" + what(t) + lost(t));
            s = new Summary(false, 0, 0);
        } else {
            blockCount++;
            byteCount += c.data().length;
            s = check(t, c.data());
        }
        summaries.put(seen, s);
        for (Task repeat : waiting.remove(seen)) {
            recheck(repeat, s);
        }
    }

    /** The message of a fetch failure without the "volume ...: path: block key: " the problem says already. */
    private String reason(VolumeException v, Task t) {
        String prefix = where(t.path()) + ": block " + t.key() + ": ";
        String m = v.getMessage();
        return (m.startsWith(prefix) ? m.substring(prefix.length()) : m) + what(t);
    }

    /** What could not be checked because {@code t}'s block is unusable. */
    private String lost(Task t) {
        return switch (t.role()) {
            case COMMIT -> {
                unchecked++;
                yield "; nothing of this version could be checked";
            }
            case DIRECTORY -> {
                unchecked++;
                yield "; the " + t.expected() + " entries under it could not be checked";
            }
            case LIST -> {
                unchecked++;
                yield "; the " + t.expected() + " bytes of the file under it could not be checked";
            }
            case CHUNK -> "";
        };
    }

    /** " (a chunk at byte N of the file)" and the like: what the block is to the path. */
    private static String what(Task t) {
        return switch (t.role()) {
            case COMMIT -> " (the commit)";
            case DIRECTORY -> " (a directory block)";
            case LIST -> " (a chunk list at byte " + t.offset() + " of the file)";
            case CHUNK -> " (a chunk at byte " + t.offset() + " of the file)";
        };
    }

    /** Decodes and checks a block against its reference, and queues the blocks it names. */
    private Summary check(Task t, byte[] data) {
        try {
            return switch (t.role()) {
                case COMMIT -> commit(t, data);
                case DIRECTORY -> directory(t, data);
                case LIST -> list(t, data);
                case CHUNK -> chunk(t, data);
            };
        } catch (CorruptBlockException | VolumeException e) {
            corrupt(t.key(), t.path(), message(e, t) + what(t) + lost(t));
            return new Summary(false, 0, 0);
        }
    }

    private String message(Exception e, Task t) {
        String prefix = where(t.path()) + ": corrupt block " + t.key() + ": ";
        String m = e.getMessage();
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }

    private Summary commit(Task t, byte[] data) throws CorruptBlockException {
        Commit c = Commit.decode(data);
        if (!c.equals(snapshot.commit())) {
            throw new CorruptBlockException("decodes to a commit other than the one this version was opened with");
        }
        pending.add(new Task(Role.DIRECTORY, c.root(), VolumePath.ROOT, c.rootEntry(), -1, c.rootEntries(), null, null,
                0));
        return new Summary(true, 0, data.length);
    }

    private Summary directory(Task t, byte[] data) throws CorruptBlockException, VolumeException {
        DirNode node = DirectoryCodec.decode(data);
        String where = where(t.path());
        if (t.level() < 0) {
            Snapshot.checkTop(node, t.entry(), where);
        } else {
            if (node.level() != t.level()) {
                throw new CorruptBlockException("a level-" + node.level() + " block where level " + t.level()
                        + " belongs");
            }
            if (node.entryCount() != t.expected()) {
                throw new CorruptBlockException("holds " + node.entryCount() + " entries, its parent says "
                        + t.expected());
            }
            Snapshot.checkBounds(node, t.key(), t.first(), t.upper(), where);
        }
        List<DirChild> children = node.children();
        for (int i = 0; i < children.size(); i++) {
            DirChild c = children.get(i);
            byte[] upper = i + 1 < children.size() ? children.get(i + 1).firstName() : t.upper();
            pending.add(new Task(Role.DIRECTORY, c.ref(), t.path(), t.entry(), node.level() - 1, c.entries(),
                    c.firstName(), upper, 0));
        }
        for (DirEntry e : node.entries()) {
            VolumePath path = t.path().child(e.name());
            switch (e.kind()) {
                case DIRECTORY -> pending.add(new Task(Role.DIRECTORY, e.ref(), path, e, -1, e.size(), null, null, 0));
                case CHUNK_FILE -> pending.add(new Task(Role.CHUNK, e.ref(), path, e, 0, e.size(), null, null, 0));
                case LIST_FILE -> pending.add(new Task(Role.LIST, e.ref(), path, e, -1, e.size(), null, null, 0));
                case INLINE_FILE, SYMLINK -> {
                    // Held inside the directory block just checked.
                }
            }
        }
        return new Summary(true, node.level(), node.entryCount());
    }

    private Summary list(Task t, byte[] data) throws CorruptBlockException {
        ListNode node = ChunkListCodec.decode(data);
        checkList(t, node.level(), node.length());
        long offset = t.offset();
        for (ChunkRef item : node.items()) {
            pending.add(new Task(node.level() == 0 ? Role.CHUNK : Role.LIST, item.ref(), t.path(), t.entry(),
                    node.level() - 1, item.length(), null, null, offset));
            offset += item.length();
        }
        return new Summary(true, node.level(), node.length());
    }

    private static void checkList(Task t, int level, long length) throws CorruptBlockException {
        if (t.level() >= 0 && level != t.level()) {
            throw new CorruptBlockException("a level-" + level + " chunk list where level " + t.level() + " belongs");
        }
        if (length != t.expected()) {
            throw new CorruptBlockException("chunk lengths add up to " + length + " bytes, "
                    + (t.level() < 0 ? "the file's size is " : "its parent says ") + t.expected());
        }
    }

    private static Summary chunk(Task t, byte[] data) throws CorruptBlockException {
        if (data.length != t.expected()) {
            throw new CorruptBlockException("a chunk of " + data.length + " bytes where " + t.expected() + " belong");
        }
        return new Summary(true, 0, data.length);
    }

    /** Checks another reference to a block already fetched: the block is the same, the expectation may not be. */
    private void recheck(Task t, Summary s) {
        if (!s.ok()) {
            return;
        }
        try {
            switch (t.role()) {
                case COMMIT -> {
                }
                case DIRECTORY -> {
                    if ((t.level() >= 0 && s.level() != t.level()) || s.amount() != t.expected()) {
                        throw new CorruptBlockException("a level-" + s.level() + " block of " + s.amount()
                                + " entries, where its referrer expects " + t.expected());
                    }
                }
                case LIST -> checkList(t, s.level(), s.amount());
                case CHUNK -> {
                    if (s.amount() != t.expected()) {
                        throw new CorruptBlockException("a chunk of " + s.amount() + " bytes where " + t.expected()
                                + " belong");
                    }
                }
            }
        } catch (CorruptBlockException e) {
            corrupt(t.key(), t.path(), e.getMessage() + what(t));
        }
    }

    private void corrupt(Id key, VolumePath path, String reason) {
        corrupt++;
        keep(corruptBlocks, new Problem(key, path, reason));
    }

    private static void keep(List<Problem> list, Problem p) {
        if (list.size() < KEPT) {
            list.add(p);
        }
    }

    private static Throwable unwrap(Throwable e) {
        while (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private String where() {
        return "volume " + snapshot.volume() + "@" + snapshot.version();
    }

    private String where(VolumePath path) {
        return snapshot.where(path);
    }
}
