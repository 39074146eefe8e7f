package org.cfs.chord;

/** A lookup that could not find a live owner before its deadline or ran out of live candidates. */
public final class LookupException extends RuntimeException {
    private final int hops;
    private final int timeouts;

    public LookupException(String message, int hops, int timeouts) {
        this(message, hops, timeouts, null);
    }

    /** @param cause why the lookup could not go on, when one failure explains it; may be null */
    public LookupException(String message, int hops, int timeouts, Throwable cause) {
        super(message, cause);
        this.hops = hops;
        this.timeouts = timeouts;
    }

    public int hops() {
        return hops;
    }

    public int timeouts() {
        return timeouts;
    }
}
