package org.cfs.mount;

import org.cfs.fs.FileContent;
import org.cfs.fs.VolumeException;

/**
 * A file opened through the mount: its content, pinned at the version it was opened at, and the
 * read-ahead of a sequential reader. Reads that continue where the last one ended keep the next
 * {@link #AHEAD_BYTES} fetched or on their way; a read elsewhere starts over.
 */
final class OpenFile {
    /** Bytes kept in flight ahead of a sequential reader: 128 average chunks. */
    static final long AHEAD_BYTES = 8L << 20;

    private final FileContent content;
    private long nextOffset;
    private long fetchedTo;

    OpenFile(FileContent content) {
        this.content = content;
    }

    FileContent content() {
        return content;
    }

    /**
     * Notes a read of {@code size} bytes at {@code offset}; if it follows on from the last, starts
     * fetching ahead once half the window has been read. The kernel may send the reads of one
     * sequential reader from several threads, slightly out of order, hence the tolerance.
     */
    synchronized void readingAt(long offset, long size) throws VolumeException {
        boolean sequential = offset == 0 || Math.abs(offset - nextOffset) <= AHEAD_BYTES / 4;
        nextOffset = offset + size;
        if (!sequential) {
            fetchedTo = nextOffset;
            return;
        }
        if (fetchedTo - nextOffset < AHEAD_BYTES / 2) {
            long from = Math.max(fetchedTo, nextOffset);
            fetchedTo = nextOffset + AHEAD_BYTES;
            content.prefetch(from, fetchedTo);
        }
    }
}
