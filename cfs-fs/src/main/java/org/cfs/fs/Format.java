package org.cfs.fs;

import org.cfs.dhash.Block;

/**
 * The limits of format version 1, shared by encoders and decoders. docs/FORMAT.md says why each
 * value is what it is.
 */
final class Format {
    /** The format version every block carries after its type byte. */
    static final int VERSION = 1;
    /** Files up to this size live inside their directory entry: {@code ls -l} and {@code cat} read no more blocks. */
    static final int INLINE_MAX = 2048;
    /** Longest name in a directory, as Linux allows (NAME_MAX). */
    static final int MAX_NAME = 255;
    /** Longest symlink target, as Linux allows (PATH_MAX less the NUL). */
    static final int MAX_SYMLINK = 4095;
    /** Longest commit message, in bytes of UTF-8. */
    static final int MAX_MESSAGE = 4096;
    /** Largest data chunk: DHash's block data limit. */
    static final int MAX_CHUNK = Block.DEFAULT_MAX_DATA;
    /** Highest level of a directory or chunk-list tree (leaves are level 0): 8 levels in all. */
    static final int MAX_LEVEL = 7;
    /** Permission bits an entry may carry (rwx for all, setuid, setgid, sticky). */
    static final int MODE_BITS = 07777;
    /** An encoder ends a node before it grows past this many bytes. */
    static final int NODE_MAX_BYTES = 256 * 1024;
    /** On average one directory item in 2^DIR_SPLIT_BITS ends a node: nodes of ~256 entries. */
    static final int DIR_SPLIT_BITS = 8;
    /** On average one chunk-list item in 2^LIST_SPLIT_BITS ends a node: ~1024 chunks (28 KiB). */
    static final int LIST_SPLIT_BITS = 10;

    static final int DIRECTORY_MAGIC = 'D';
    static final int LIST_MAGIC = 'L';
    static final int COMMIT_MAGIC = 'C';
    static final int VOLUME_MAGIC = 'V';

    private Format() {
    }
}
