package org.cfs.chord;

import java.time.Duration;
import java.util.Objects;

/**
 * An error a request handler reports to the requesting peer: a numeric code the peer can act on
 * and a line of text. It travels as an error reply frame. A handler that refuses because the peer
 * sends faster than it is served may also ask the transport to stop reading that peer's
 * connection for a while ({@link #readPause}), so that what the peer sends meanwhile waits in its
 * own socket instead of costing this host the work of decoding and refusing it; the pause is local
 * and not sent.
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
    private final Duration readPause;

    public RemoteException(int code, String message) {
        this(code, message, Duration.ZERO);
    }

    /** A refusal after which the transport reads nothing more from the requester's connection for {@code readPause}. */
    public RemoteException(int code, String message, Duration readPause) {
        super(message);
        this.code = code;
        this.readPause = Objects.requireNonNull(readPause, "readPause");
        if (readPause.isNegative()) {
            throw new IllegalArgumentException("readPause " + readPause + " is negative");
        }
    }

    public int code() {
        return code;
    }

    /** How long the requester's connection should go unread after this reply; zero for no pause. */
    public Duration readPause() {
        return readPause;
    }
}
