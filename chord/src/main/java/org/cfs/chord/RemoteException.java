package org.cfs.chord;

/**
 * An error a request handler reports to the requesting peer: a numeric code the peer can act on
 * and a line of text. It travels as an error reply frame.
 */
public final class RemoteException extends RuntimeException {
    /** The handler had no vnode with the requested index. */
    public static final int NO_SUCH_VNODE = 1;
    /** The host does not handle that message type. */
    public static final int UNSUPPORTED = 2;
    /** The handler failed unexpectedly. */
    public static final int INTERNAL = 3;
    /** The host is leaving or not yet part of the ring. */
    public static final int NOT_READY = 4;

    private final int code;

    public RemoteException(int code, String message) {
        super(message);
        this.code = code;
    }

    public int code() {
        return code;
    }
}
