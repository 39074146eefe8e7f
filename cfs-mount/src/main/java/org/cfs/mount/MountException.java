package org.cfs.mount;

/** A mount that could not be made, with a message that says why and what to do. */
public final class MountException extends Exception {
    public MountException(String message) {
        super(message);
    }
}
