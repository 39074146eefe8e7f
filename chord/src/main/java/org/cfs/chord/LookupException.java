package org.cfs.chord;

/** A lookup that could not find a live owner before its deadline or ran out of live candidates. */
public final class LookupException extends RuntimeException {
    private final int hops;
    private final int timeouts;

    public LookupException(String message, int hops, int timeouts) {
        super(message);
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
