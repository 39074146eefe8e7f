package org.cfs.chord;

/** The keys in the half-open ring interval (from, to]. */
public record KeyRange(Id from, Id to) {
    public boolean contains(Id key) {
        return key.inHalfOpen(from, to);
    }
}
