package org.cfs.fs;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.cfs.chord.Id;

/**
 * One name in a directory, with what {@code ls -l} shows and where the content is.
 *
 * @param name the name's bytes, as Linux has them (not necessarily UTF-8)
 * @param kind what the entry is and where its content lives
 * @param mode permission bits (07777)
 * @param size bytes of a file or symlink target; entries of a directory
 * @param mtimeNanos modification time, nanoseconds since the epoch
 * @param ref the block holding the content: the chunk, the chunk list's root or the directory's
 *     root; null for inline files and symlinks
 * @param inline an inline file's bytes or a symlink's target; null otherwise
 */
public record DirEntry(byte[] name, EntryKind kind, int mode, long size, long mtimeNanos, Id ref, byte[] inline) {
    public DirEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        boolean inlined = kind == EntryKind.INLINE_FILE || kind == EntryKind.SYMLINK;
        if (inlined != (inline != null) || inlined == (ref != null)) {
            throw new IllegalArgumentException(kind + " entry needs " + (inlined ? "inline bytes" : "a ref") + " only");
        }
    }

    /** The name for people: UTF-8 where it is, with invalid bytes replaced. */
    public String displayName() {
        return new String(name, StandardCharsets.UTF_8);
    }

    public boolean isDirectory() {
        return kind == EntryKind.DIRECTORY;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DirEntry e && kind == e.kind && mode == e.mode && size == e.size
                && mtimeNanos == e.mtimeNanos && Arrays.equals(name, e.name) && Objects.equals(ref, e.ref)
                && Arrays.equals(inline, e.inline);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(name), kind, mode, size, mtimeNanos, ref, Arrays.hashCode(inline));
    }

    @Override
    public String toString() {
        return "DirEntry[" + HexFormat.of().formatHex(name) + " " + kind + " " + Integer.toOctalString(mode) + " "
                + size + " bytes" + (ref != null ? " ref " + ref : "") + "]";
    }
}
