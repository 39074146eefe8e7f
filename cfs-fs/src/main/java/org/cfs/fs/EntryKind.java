package org.cfs.fs;

/** What a directory entry holds, with the code it has in a directory block. */
public enum EntryKind {
    /** A regular file whose bytes are inside the entry. */
    INLINE_FILE(0),
    /** A regular file of one data chunk, named by the entry's ref. */
    CHUNK_FILE(1),
    /** A regular file whose chunk list is a tree, rooted at the entry's ref. */
    LIST_FILE(2),
    /** A directory whose tree of directory blocks is rooted at the entry's ref. */
    DIRECTORY(3),
    /** A symbolic link whose target is inside the entry. */
    SYMLINK(4);

    private final int code;

    EntryKind(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }

    static EntryKind fromCode(int code) throws CorruptBlockException {
        for (EntryKind k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        throw new CorruptBlockException("unknown entry kind " + code);
    }

    public boolean isFile() {
        return this == INLINE_FILE || this == CHUNK_FILE || this == LIST_FILE;
    }
}
