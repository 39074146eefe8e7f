package org.cfs.chord;

/** Why a request got no usable reply. */
public final class TransportException extends RuntimeException {

    /** The closed set of reasons; callers treat all but {@link #REMOTE} as "that peer is down". */
    public enum Reason {
        /** No reply within the request's timeout. */
        TIMEOUT,
        /** The peer could not be reached (connection refused, host unknown). */
        UNREACHABLE,
        /** The connection dropped, or the transport closed, with the request outstanding. */
        CLOSED,
        /** The reply could not be decoded. */
        MALFORMED,
        /** The peer answered with an error reply; see {@link #remote()}. */
        REMOTE
    }

    private final Reason reason;
    private final RemoteException remote;

    public TransportException(Reason reason, String message) {
        this(reason, message, null, null);
    }

    public TransportException(Reason reason, String message, Throwable cause) {
        this(reason, message, cause, null);
    }

    public TransportException(RemoteException remote) {
        this(Reason.REMOTE, remote.getMessage(), null, remote);
    }

    private TransportException(Reason reason, String message, Throwable cause, RemoteException remote) {
        super(message, cause);
        this.reason = reason;
        this.remote = remote;
    }

    public Reason reason() {
        return reason;
    }

    /** The peer's error, when {@link #reason()} is {@link Reason#REMOTE}. */
    public RemoteException remote() {
        return remote;
    }

    /** The TransportException inside a future's failure, if that is what it is. */
    public static TransportException unwrap(Throwable t) {
        Throwable c = t;
        while (c != null) {
            if (c instanceof TransportException te) {
                return te;
            }
            c = c.getCause();
        }
        return null;
    }
}
