package org.cfs.fs;

import java.util.Arrays;
import java.util.Objects;
import org.cfs.chord.Id;

/** A branch's pointer to a child node: the first name under it, its key and its entry count. */
record DirChild(byte[] firstName, Id ref, long entries) {
    DirChild {
        Objects.requireNonNull(firstName, "firstName");
        Objects.requireNonNull(ref, "ref");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DirChild c && entries == c.entries && ref.equals(c.ref) && Arrays.equals(firstName, c.firstName);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(firstName), ref, entries);
    }
}
