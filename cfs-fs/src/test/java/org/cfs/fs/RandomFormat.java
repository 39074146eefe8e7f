package org.cfs.fs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.cfs.chord.Id;

/**
 * Valid format objects drawn from a seeded random source, for round-trip tests and as the seeds
 * the fuzzer mutates. Values are pushed to the edges of each limit now and then, since that is
 * where codecs go wrong.
 */
final class RandomFormat {
    private final SplittableRandom r;
    /** One name in this many is 253 to 255 bytes long, and one commit message in this many up to 4096. */
    private final int longOdds;

    RandomFormat(long seed) {
        this(seed, 20);
    }

    RandomFormat(long seed, int longOdds) {
        this.r = new SplittableRandom(seed);
        this.longOdds = longOdds;
    }

    Id id() {
        byte[] b = new byte[Id.BYTES];
        r.nextBytes(b);
        return Id.fromBytes(b, 0);
    }

    byte[] bytes(int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** A valid name: 1 to 255 bytes of anything but '/' and NUL, not "." or "..". */
    byte[] name() {
        int len = r.nextInt(longOdds) == 0 ? 255 - r.nextInt(3) : 1 + r.nextInt(12);
        byte[] n = new byte[len];
        for (int i = 0; i < len; i++) {
            int c;
            do {
                c = r.nextInt(8) == 0 ? 0x80 + r.nextInt(0x80) : 0x20 + r.nextInt(0x5f);
            } while (c == '/' || c == 0);
            n[i] = (byte) c;
        }
        if (Arrays.equals(n, new byte[] {'.'}) || Arrays.equals(n, new byte[] {'.', '.'})) {
            n[0] = 'x';
        }
        return n;
    }

    /** {@code n} distinct valid names in unsigned byte order. */
    List<byte[]> sortedNames(int n) {
        TreeSet<byte[]> names = new TreeSet<>(Arrays::compareUnsigned);
        for (int attempts = 0; names.size() < n && attempts < 10 * n + 10; attempts++) {
            names.add(name());
        }
        return new ArrayList<>(names);
    }

    private int mode() {
        return r.nextInt(4) == 0 ? Format.MODE_BITS : r.nextInt(Format.MODE_BITS + 1);
    }

    private long nonNegative() {
        return switch (r.nextInt(4)) {
            case 0 -> 0;
            case 1 -> Long.MAX_VALUE;
            default -> r.nextLong(Long.MAX_VALUE);
        };
    }

    DirEntry entry(byte[] name) {
        long mtime = r.nextLong();
        int mode = mode();
        EntryKind kind = EntryKind.values()[r.nextInt(EntryKind.values().length)];
        return switch (kind) {
            case INLINE_FILE -> {
                int len = r.nextInt(3) == 0 ? Format.INLINE_MAX - r.nextInt(2) : r.nextInt(40);
                yield new DirEntry(name, kind, mode, len, mtime, null, bytes(len));
            }
            case SYMLINK -> {
                int len = r.nextInt(10) == 0 ? Format.MAX_SYMLINK : 1 + r.nextInt(40);
                byte[] target = bytes(len);
                for (int i = 0; i < len; i++) {
                    target[i] = target[i] == 0 ? (byte) '/' : target[i];
                }
                yield new DirEntry(name, kind, mode, len, mtime, null, target);
            }
            case CHUNK_FILE -> new DirEntry(name, kind, mode, r.nextBoolean() ? Format.INLINE_MAX + 1 : Format.MAX_CHUNK
                    - r.nextInt(Format.MAX_CHUNK - Format.INLINE_MAX), mtime, id(), null);
            case LIST_FILE -> new DirEntry(name, kind, mode, r.nextBoolean() ? Format.INLINE_MAX + 1
                    : Format.INLINE_MAX + 1 + r.nextLong(Long.MAX_VALUE - Format.INLINE_MAX), mtime, id(), null);
            case DIRECTORY -> new DirEntry(name, kind, mode, nonNegative(), mtime, id(), null);
        };
    }

    DirNode leaf(int maxEntries) {
        List<DirEntry> entries = new ArrayList<>();
        for (byte[] name : sortedNames(r.nextInt(maxEntries + 1))) {
            entries.add(entry(name));
        }
        return DirNode.leaf(entries);
    }

    DirNode branch(int maxChildren) {
        List<DirChild> children = new ArrayList<>();
        for (byte[] name : sortedNames(1 + r.nextInt(maxChildren))) {
            children.add(new DirChild(name, id(), 1 + r.nextLong(Long.MAX_VALUE - 1)));
        }
        return DirNode.branch(1 + r.nextInt(Format.MAX_LEVEL), children);
    }

    DirNode dirNode(int maxItems) {
        return r.nextBoolean() ? leaf(maxItems) : branch(maxItems);
    }

    ListNode listNode(int maxItems) {
        int level = r.nextInt(3) == 0 ? r.nextInt(Format.MAX_LEVEL + 1) : 0;
        int n = 1 + r.nextInt(maxItems);
        List<ChunkRef> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long length = level == 0 ? (r.nextInt(4) == 0 ? Format.MAX_CHUNK : 1 + r.nextInt(Format.MAX_CHUNK))
                    : 1 + r.nextLong(1L << 40);
            items.add(new ChunkRef(id(), length));
        }
        return new ListNode(level, items);
    }

    /** A message of random code points (any plane, no surrogates) that fits 4096 bytes of UTF-8. */
    String message() {
        if (r.nextInt(4) == 0) {
            return "";
        }
        StringBuilder s = new StringBuilder();
        int budget = r.nextInt(longOdds / 2) == 0 ? Format.MAX_MESSAGE : 1 + r.nextInt(60);
        int used = 0;
        for (int i = 0; i < budget; i++) {
            int cp = switch (r.nextInt(4)) {
                case 0 -> 0x20 + r.nextInt(0x5f);
                case 1 -> 0x80 + r.nextInt(0x780);
                case 2 -> 0xe000 + r.nextInt(0x2000);
                default -> 0x10000 + r.nextInt(0x100000 - 0x10000);
            };
            int bytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (used + bytes > budget) {
                break;
            }
            used += bytes;
            s.appendCodePoint(cp);
        }
        return s.toString();
    }

    Commit commit() {
        long version = r.nextInt(3) == 0 ? 1 : 2 + r.nextLong(Long.MAX_VALUE - 2);
        return new Commit(version, r.nextLong(), message(), id(), nonNegative(), mode(), r.nextLong(),
                version == 1 ? null : id(), nonNegative(), nonNegative(), nonNegative());
    }

    VolumeRoot volumeRoot() {
        return new VolumeRoot(id(), 1 + r.nextLong(Long.MAX_VALUE - 1));
    }
}
