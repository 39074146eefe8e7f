package org.cfs.cli;

import java.util.Locale;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.dhash.DHashException;

/** Why a block operation failed, as the one line {@code cfs block} prints. */
final class BlockFailure {
    private BlockFailure() {
    }

    /**
     * The failure of an operation on {@code key}: a DHash refusal named by its kind, or a lookup
     * that did not reach the ring.
     *
     * @param replicas the ring's replica count k, which the not-found line names
     */
    static CommandFailedException of(Id key, Throwable error, Endpoint via, int replicas) {
        DHashException dhash = find(error);
        if (dhash == null) {
            return new CommandFailedException("finding the replica hosts of block " + key + " via " + via
                    + " failed: " + Await.describe(error), error);
        }
        return new CommandFailedException(line(key, dhash, replicas), dhash);
    }

    /** One sentence per kind, naming the kind in brackets; DHash's own message adds the detail. */
    static String line(Id key, DHashException e, int replicas) {
        String block = "block " + key;
        String detail = ": " + e.getMessage();
        String sentence = switch (e.kind()) {
            case NOT_FOUND -> block + " is held by none of the " + replicas + " replica hosts";
            case UNAVAILABLE -> block + " could not be reached";
            case BAD_HASH -> "a node's copy of " + block + " does not hash to its key";
            case BAD_SIGNATURE -> "the signature on " + block + " does not verify";
            case STALE -> "the ring holds a newer version of " + block;
            case CONFLICT -> "the ring holds different content for " + block + " with the same sequence number";
            case TOO_LARGE -> block + " is too large";
            case OVER_QUOTA -> "the replica hosts refused " + block
                    + ": this machine has used up its share of their storage";
            case STORE_FULL -> "the replica hosts of " + block + " have no room left";
            case EXPIRED -> block + " has expired";
            case MALFORMED -> "a node sent bytes for " + block + " that are not a block";
            case IO -> "a node's disk failed on " + block;
        };
        String kind = " (" + e.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ")";
        return switch (e.kind()) {
            case NOT_FOUND, BAD_SIGNATURE, CONFLICT, OVER_QUOTA, STORE_FULL -> sentence + kind;
            case UNAVAILABLE, BAD_HASH, STALE, TOO_LARGE, EXPIRED, MALFORMED, IO -> sentence + kind + detail;
        };
    }

    private static DHashException find(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof DHashException d) {
                return d;
            }
        }
        return null;
    }
}
