package org.cfs.fs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.cfs.chord.Id;

/**
 * An open file of a volume: reads at any offset from many threads at once, or a sequential stream
 * that keeps several chunks in flight. The chunk list is resolved as reads reach it, each list
 * block once per open; every chunk's length is checked against the list, and the list's lengths
 * against the file's size.
 */
public final class FileContent {
    private final BlockReader reader;
    private final String where;
    private final DirEntry entry;
    /** Chunks fetched ahead and held until a read takes them; at most {@link #MAX_PINNED}. */
    private static final int MAX_PINNED = 256;

    private final ConcurrentHashMap<Id, ListNode> lists = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Id, CompletableFuture<byte[]>> ahead = new ConcurrentHashMap<>();
    private final ListNode top;

    FileContent(BlockReader reader, String where, DirEntry entry) throws VolumeException {
        this.reader = reader;
        this.where = where;
        this.entry = entry;
        if (entry.kind() == EntryKind.LIST_FILE) {
            top = reader.list(entry.ref(), where);
            if (top.length() != entry.size()) {
                throw BlockReader.corrupt(entry.ref(), where, "chunk lengths add up to " + top.length()
                        + " bytes, the file's size is " + entry.size());
            }
            lists.put(entry.ref(), top);
        } else {
            top = null;
        }
    }

    public DirEntry entry() {
        return entry;
    }

    public long size() {
        return entry.size();
    }

    /**
     * Reads up to {@code len} bytes at {@code offset} into {@code dst}; returns how many, or -1 at
     * or past the end. Reads across chunks until {@code len} is met or the file ends. The chunks
     * are fetched at once, and the whole read waits at most the reader's timeout for them.
     */
    public int read(long offset, byte[] dst, int off, int len) throws VolumeException {
        if (offset < 0 || len < 0 || off < 0 || off + len > dst.length) {
            throw new IllegalArgumentException("bad read: offset " + offset + ", " + len + " bytes into " + off);
        }
        if (offset >= size()) {
            return -1;
        }
        long deadline = System.nanoTime() + reader.timeout().toNanos();
        prefetch(offset, offset + len);
        int total = 0;
        while (total < len && offset + total < size()) {
            long at = offset + total;
            Located chunk = locate(at, deadline);
            byte[] data = chunk.data();
            int from = (int) (at - chunk.start());
            int n = Math.min(len - total, data.length - from);
            System.arraycopy(data, from, dst, off + total, n);
            total += n;
        }
        return total;
    }

    /** A chunk's bytes and where in the file they start. */
    private record Located(long start, byte[] data) {
    }

    private Located locate(long offset, long deadline) throws VolumeException {
        switch (entry.kind()) {
            case INLINE_FILE:
                return new Located(0, entry.inline());
            case CHUNK_FILE:
                return new Located(0, chunk(new ChunkRef(entry.ref(), entry.size()), deadline));
            default:
                break;
        }
        ListNode node = top;
        long base = 0;
        while (true) {
            for (ChunkRef item : node.items()) {
                if (offset < base + item.length()) {
                    if (node.level() == 0) {
                        return new Located(base, chunk(item, deadline));
                    }
                    node = child(node, item);
                    break;
                }
                base += item.length();
            }
        }
    }

    private ListNode child(ListNode parent, ChunkRef item) throws VolumeException {
        ListNode child = lists.get(item.ref());
        if (child == null) {
            child = reader.list(item.ref(), where);
            if (child.level() != parent.level() - 1) {
                throw BlockReader.corrupt(item.ref(), where, "a level-" + child.level() + " chunk list under a level-"
                        + parent.level() + " one");
            }
            if (child.length() != item.length()) {
                throw BlockReader.corrupt(item.ref(), where, "chunk lengths add up to " + child.length()
                        + " bytes, its parent says " + item.length());
            }
            lists.put(item.ref(), child);
        }
        return child;
    }

    private byte[] chunk(ChunkRef ref, long deadline) throws VolumeException {
        CompletableFuture<byte[]> pinned = ahead.remove(ref.ref());
        if (pinned == null) {
            return checked(ref, reader.dataBy(ref.ref(), where, deadline));
        }
        return checked(ref, reader.awaitBy(pinned, ref.ref(), where, deadline));
    }

    /**
     * Starts fetching a chunk and holds on to it until a read takes it: the memory cache may turn a
     * newcomer away when it is full (Caffeine admits by frequency), and a chunk fetched ahead and
     * dropped before its read would be fetched twice.
     */
    private void pin(Id ref) {
        if (ahead.size() < MAX_PINNED) {
            ahead.computeIfAbsent(ref, reader::data);
        } else {
            reader.data(ref);
        }
    }

    private byte[] checked(ChunkRef ref, byte[] data) throws VolumeException {
        if (data.length != ref.length()) {
            throw BlockReader.corrupt(ref.ref(), where, "a chunk of " + data.length + " bytes where the list says "
                    + ref.length());
        }
        return data;
    }

    /** Every data chunk of the file in order (none for an inline file). */
    public List<ChunkRef> chunks() throws VolumeException {
        List<ChunkRef> out = new ArrayList<>();
        forEachChunk(out::add);
        return out;
    }

    /**
     * Starts fetching, without waiting for them, the chunks that hold bytes {@code from} to
     * {@code to} (exclusive), so that a sequential reader finds them fetched or on their way. Chunk
     * list blocks on the way are resolved now; a chunk that cannot be fetched fails the read that
     * needs it, not this call.
     */
    public void prefetch(long from, long to) throws VolumeException {
        long end = Math.min(to, size());
        if (from >= end) {
            return;
        }
        switch (entry.kind()) {
            case INLINE_FILE:
                return;
            case CHUNK_FILE:
                pin(entry.ref());
                return;
            default:
                prefetch(top, 0, from, end);
        }
    }

    private void prefetch(ListNode node, long base, long from, long to) throws VolumeException {
        long start = base;
        for (ChunkRef item : node.items()) {
            long stop = start + item.length();
            if (stop > from && start < to) {
                if (node.level() == 0) {
                    pin(item.ref());
                } else {
                    prefetch(child(node, item), start, from, to);
                }
            }
            if (stop >= to) {
                return;
            }
            start = stop;
        }
    }

    /** The list blocks of the file (the chunk-list tree), top first; none unless it is a list file. */
    public List<Id> listBlocks() throws VolumeException {
        List<Id> out = new ArrayList<>();
        if (top != null) {
            out.add(entry.ref());
            collectLists(top, out);
        }
        return out;
    }

    private void collectLists(ListNode node, List<Id> out) throws VolumeException {
        if (node.level() == 0) {
            return;
        }
        for (ChunkRef item : node.items()) {
            out.add(item.ref());
            collectLists(child(node, item), out);
        }
    }

    private void forEachChunk(Consumer<ChunkRef> visit) throws VolumeException {
        switch (entry.kind()) {
            case INLINE_FILE:
                return;
            case CHUNK_FILE:
                visit.accept(new ChunkRef(entry.ref(), entry.size()));
                return;
            default:
                visitChunks(top, visit);
        }
    }

    private void visitChunks(ListNode node, Consumer<ChunkRef> visit) throws VolumeException {
        for (ChunkRef item : node.items()) {
            if (node.level() == 0) {
                visit.accept(item);
            } else {
                visitChunks(child(node, item), visit);
            }
        }
    }

    /**
     * The file's bytes in order, with up to {@code ahead} chunks fetched ahead of the reader. A
     * failure surfaces as an IOException whose cause is the {@link VolumeException}.
     */
    public InputStream stream(int ahead) throws VolumeException {
        if (entry.kind() == EntryKind.INLINE_FILE) {
            return new java.io.ByteArrayInputStream(entry.inline());
        }
        return new AheadStream(chunks(), Math.max(1, ahead));
    }

    /** Streams chunks in order while the next ones are fetched. */
    private final class AheadStream extends InputStream {
        private final List<ChunkRef> chunks;
        private final int ahead;
        private final Deque<CompletableFuture<byte[]>> inFlight = new ArrayDeque<>();
        private int next;
        private int current = -1;
        private byte[] data = new byte[0];
        private int pos;

        AheadStream(List<ChunkRef> chunks, int ahead) {
            this.chunks = chunks;
            this.ahead = ahead;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (pos == data.length) {
                if (!advance()) {
                    return -1;
                }
            }
            int n = Math.min(len, data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }

        /** Hands each chunk over whole, without copying it into a caller's buffer first. */
        @Override
        public long transferTo(OutputStream out) throws IOException {
            long n = data.length - pos;
            if (n > 0) {
                out.write(data, pos, (int) n);
                pos = data.length;
            }
            while (advance()) {
                out.write(data);
                n += data.length;
                pos = data.length;
            }
            return n;
        }

        private boolean advance() throws IOException {
            while (next < chunks.size() && inFlight.size() < ahead) {
                inFlight.add(reader.data(chunks.get(next++).ref()));
            }
            CompletableFuture<byte[]> f = inFlight.poll();
            if (f == null) {
                return false;
            }
            current++;
            ChunkRef ref = chunks.get(current);
            try {
                data = checked(ref, Await.await(f, reader.timeout(), where, ref.ref()));
            } catch (VolumeException e) {
                throw new IOException(e.getMessage(), e);
            }
            pos = 0;
            return true;
        }

        /** Drops the fetches ahead; they are shared with other readers through the cache, so not cancelled. */
        @Override
        public void close() {
            inFlight.clear();
            next = chunks.size();
        }
    }
}
