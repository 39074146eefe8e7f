package org.cfs.fs;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.cfs.chord.Id;
import org.cfs.chord.LookupException;
import org.cfs.chord.TransportException;
import org.cfs.dhash.DHashException;

/** Waits for a block operation within a deadline and turns its failure into a {@link VolumeException}. */
final class Await {
    private Await() {
    }

    /**
     * The result of {@code f}, or a VolumeException whose message is {@code what} (a volume, a
     * path and a block, as the caller knows them) followed by the cause.
     */
    static <T> T await(CompletableFuture<T> f, Duration timeout, Supplier<String> what) throws VolumeException {
        try {
            return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new VolumeException(VolumeException.Kind.UNAVAILABLE, what.get() + ": no answer within "
                    + timeout.toSeconds() + " s", e);
        } catch (ExecutionException e) {
            throw failure(e.getCause(), what.get());
        } catch (java.util.concurrent.CancellationException e) {
            throw new VolumeException(VolumeException.Kind.UNAVAILABLE, what.get() + ": the read was cancelled", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VolumeException(VolumeException.Kind.UNAVAILABLE, what.get() + ": interrupted", e);
        }
    }

    /**
     * Like {@link #await(CompletableFuture, Duration, Supplier)} for one block: the message is
     * {@code where}, then the block's key unless the cause names it already, then the cause.
     */
    static <T> T await(CompletableFuture<T> f, Duration timeout, String where, Id key) throws VolumeException {
        try {
            return await(f, timeout, () -> where);
        } catch (VolumeException e) {
            throw e.getMessage().contains(key.toHex()) ? e
                    : new VolumeException(e.kind(), where + ": block " + key + e.getMessage().substring(where.length()),
                            e.getCause());
        }
    }

    /** {@link #failure(Throwable, String)} for one block, naming its key once. */
    static VolumeException failure(Throwable cause, String where, Id key) {
        VolumeException e = failure(cause, where);
        return e.getMessage().contains(key.toHex()) ? e
                : new VolumeException(e.kind(), where + ": block " + key + e.getMessage().substring(where.length()),
                        e.getCause());
    }

    static VolumeException failure(Throwable cause, String what) {
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof VolumeException v) {
            return v;
        }
        if (cause instanceof DHashException d) {
            VolumeException.Kind kind = switch (d.kind()) {
                case NOT_FOUND -> VolumeException.Kind.MISSING_BLOCK;
                case BAD_HASH, BAD_SIGNATURE, MALFORMED, TOO_LARGE, CONFLICT -> VolumeException.Kind.CORRUPT;
                case EXPIRED -> VolumeException.Kind.EXPIRED;
                case IO -> VolumeException.Kind.IO;
                case STALE, OVER_QUOTA, STORE_FULL, UNAVAILABLE -> VolumeException.Kind.UNAVAILABLE;
            };
            return new VolumeException(kind, what + ": " + d.getMessage(), d);
        }
        if (cause instanceof LookupException || cause instanceof TransportException) {
            // A lookup that reached nobody carries the transport's reason ("... refused the connection").
            TransportException te = TransportException.unwrap(cause);
            String why = te != null && te.reason() == TransportException.Reason.UNREACHABLE ? te.getMessage()
                    : cause.getMessage();
            return new VolumeException(VolumeException.Kind.UNAVAILABLE, what + ": " + why, cause);
        }
        return new VolumeException(VolumeException.Kind.UNAVAILABLE, what + ": " + cause, cause);
    }
}
