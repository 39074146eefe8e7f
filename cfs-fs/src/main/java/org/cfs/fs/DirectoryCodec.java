package org.cfs.fs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cfs.chord.Id;

/**
 * The encoding of directory blocks. Integers are big-endian; names are raw bytes.
 *
 * <pre>
 * dirnode = 'D' version:u8=1 level:u8 count:u32 (entry*count if level = 0 | child*count if level &gt; 0)
 * entry   = nameLen:u8 name kind:u8 mode:u16 mtimeNanos:i64 body
 * body    = kind 0 inline file: len:u16 bytes:len          (len &lt;= 2048; size = len)
 *         | kind 1 chunk file:  size:u64 chunk:20          (2048 &lt; size &lt;= 1 MiB)
 *         | kind 2 list file:   size:u64 listRoot:20       (size &gt; 2048)
 *         | kind 3 directory:   entries:u64 dirRoot:20
 *         | kind 4 symlink:     len:u16 target:len         (1 &lt;= len &lt;= 4095, no NUL)
 * child   = nameLen:u8 firstName ref:20 entries:u64        (entries under the child, &gt;= 1)
 * </pre>
 *
 * A name is 1..255 bytes with no '/' or NUL and is not "." or ".."; names in a node are strictly
 * ascending as unsigned bytes; mode has no bits outside 07777; level is at most 7. Decoding
 * refuses anything else, checking each length before it allocates.
 */
final class DirectoryCodec {
    private static final int MIN_ENTRY = 1 + 1 + 1 + 2 + 8 + 2;
    private static final int MIN_CHILD = 1 + 1 + Id.BYTES + 8;

    private DirectoryCodec() {
    }

    static byte[] encode(DirNode node) {
        Encoder out = new Encoder(64 + 64 * (node.entries().size() + node.children().size()));
        out.u8(Format.DIRECTORY_MAGIC).u8(Format.VERSION).u8(node.level());
        if (node.level() == 0) {
            out.u32(node.entries().size());
            node.entries().forEach(e -> writeEntry(out, e));
        } else {
            out.u32(node.children().size());
            for (DirChild c : node.children()) {
                out.u8(c.firstName().length).bytes(c.firstName()).id(c.ref()).i64(c.entries());
            }
        }
        return out.toByteArray();
    }

    /** The bytes one entry takes in a leaf, for the encoder's node-size bound. */
    static int entryBytes(DirEntry e) {
        int body = switch (e.kind()) {
            case INLINE_FILE, SYMLINK -> 2 + e.inline().length;
            case CHUNK_FILE, LIST_FILE, DIRECTORY -> 8 + Id.BYTES;
        };
        return 1 + e.name().length + 1 + 2 + 8 + body;
    }

    static int childBytes(DirChild c) {
        return 1 + c.firstName().length + Id.BYTES + 8;
    }

    private static void writeEntry(Encoder out, DirEntry e) {
        out.u8(e.name().length).bytes(e.name()).u8(e.kind().code()).u16(e.mode()).i64(e.mtimeNanos());
        switch (e.kind()) {
            case INLINE_FILE, SYMLINK -> out.u16(e.inline().length).bytes(e.inline());
            case CHUNK_FILE, LIST_FILE, DIRECTORY -> out.i64(e.size()).id(e.ref());
        }
    }

    static DirNode decode(byte[] encoded) throws CorruptBlockException {
        Decoder in = new Decoder(encoded);
        in.header(Format.DIRECTORY_MAGIC, "directory block");
        int level = in.u8("level");
        if (level > Format.MAX_LEVEL) {
            throw new CorruptBlockException("directory block at level " + level + " is deeper than the limit of "
                    + Format.MAX_LEVEL);
        }
        DirNode node;
        if (level == 0) {
            int count = in.count(in.u32("entry count"), MIN_ENTRY, "directory entries");
            List<DirEntry> entries = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                DirEntry e = readEntry(in);
                if (i > 0) {
                    checkOrder(entries.get(i - 1).name(), e.name());
                }
                entries.add(e);
            }
            node = DirNode.leaf(entries);
        } else {
            int count = in.count(in.u32("child count"), MIN_CHILD, "directory children");
            if (count == 0) {
                throw new CorruptBlockException("a level-" + level + " directory block has no children");
            }
            List<DirChild> children = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] first = name(in);
                Id ref = in.id("child ref");
                long entries = in.u63("child entry count");
                if (entries == 0) {
                    throw new CorruptBlockException("child " + ref + " claims no entries");
                }
                if (i > 0) {
                    checkOrder(children.get(i - 1).firstName(), first);
                }
                children.add(new DirChild(first, ref, entries));
            }
            node = DirNode.branch(level, children);
        }
        in.end("directory block");
        return node;
    }

    private static DirEntry readEntry(Decoder in) throws CorruptBlockException {
        byte[] name = name(in);
        EntryKind kind = EntryKind.fromCode(in.u8("entry kind"));
        int mode = in.u16("mode");
        if ((mode & ~Format.MODE_BITS) != 0) {
            throw new CorruptBlockException(show(name) + ": mode " + Integer.toOctalString(mode)
                    + " has bits outside " + Integer.toOctalString(Format.MODE_BITS));
        }
        long mtime = in.i64("mtime");
        switch (kind) {
            case INLINE_FILE -> {
                int len = in.u16("inline length");
                if (len > Format.INLINE_MAX) {
                    throw new CorruptBlockException(show(name) + ": inline file of " + len
                            + " bytes exceeds the " + Format.INLINE_MAX + "-byte limit");
                }
                return new DirEntry(name, kind, mode, len, mtime, null, in.bytes(len, "inline bytes"));
            }
            case SYMLINK -> {
                int len = in.u16("symlink length");
                if (len < 1 || len > Format.MAX_SYMLINK) {
                    throw new CorruptBlockException(show(name) + ": symlink target of " + len
                            + " bytes is outside 1.." + Format.MAX_SYMLINK);
                }
                byte[] target = in.bytes(len, "symlink target");
                for (byte b : target) {
                    if (b == 0) {
                        throw new CorruptBlockException(show(name) + ": symlink target contains NUL");
                    }
                }
                return new DirEntry(name, kind, mode, len, mtime, null, target);
            }
            default -> {
                long size = in.u63("size");
                Id ref = in.id("ref");
                checkSize(name, kind, size);
                return new DirEntry(name, kind, mode, size, mtime, ref, null);
            }
        }
    }

    private static void checkSize(byte[] name, EntryKind kind, long size) throws CorruptBlockException {
        boolean ok = switch (kind) {
            case CHUNK_FILE -> size > Format.INLINE_MAX && size <= Format.MAX_CHUNK;
            case LIST_FILE -> size > Format.INLINE_MAX;
            case DIRECTORY -> true;
            case INLINE_FILE, SYMLINK -> false;
        };
        if (!ok) {
            throw new CorruptBlockException(show(name) + ": a " + kind + " entry cannot have size " + size);
        }
    }

    /** Reads a name and refuses what no directory on Linux can hold. */
    static byte[] name(Decoder in) throws CorruptBlockException {
        int len = in.u8("name length");
        byte[] name = in.bytes(len, "name");
        checkName(name);
        return name;
    }

    static void checkName(byte[] name) throws CorruptBlockException {
        if (name.length == 0) {
            throw new CorruptBlockException("empty name");
        }
        if (Arrays.equals(name, new byte[] {'.'}) || Arrays.equals(name, new byte[] {'.', '.'})) {
            throw new CorruptBlockException("the name " + show(name) + " is reserved");
        }
        for (byte b : name) {
            if (b == '/' || b == 0) {
                throw new CorruptBlockException("name " + show(name) + " contains " + (b == 0 ? "NUL" : "'/'"));
            }
        }
    }

    private static void checkOrder(byte[] previous, byte[] next) throws CorruptBlockException {
        int c = Arrays.compareUnsigned(previous, next);
        if (c >= 0) {
            throw new CorruptBlockException(c == 0 ? "duplicate name " + show(next)
                    : "names out of order: " + show(previous) + " before " + show(next));
        }
    }

    /** A name for an error message: printable ASCII as is, other bytes as \xNN. */
    static String show(byte[] name) {
        StringBuilder s = new StringBuilder("'");
        for (byte b : name) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
                s.append((char) c);
            } else {
                s.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
            }
        }
        return s.append('\'').toString();
    }
}
