package org.cfs.fs;

import java.util.Objects;
import org.cfs.chord.Id;

/**
 * A pointer in a file's chunk list: at level 0 a data chunk and its length, above that a child
 * list node and the bytes of the file under it.
 */
public record ChunkRef(Id ref, long length) {
    public ChunkRef {
        Objects.requireNonNull(ref, "ref");
    }
}
