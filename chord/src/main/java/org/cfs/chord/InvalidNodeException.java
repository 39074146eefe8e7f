package org.cfs.chord;

/** A node entry from a peer whose id does not match its address, or whose vnode index is out of bounds. */
public final class InvalidNodeException extends IllegalArgumentException {
    public InvalidNodeException(String message) {
        super(message);
    }
}
