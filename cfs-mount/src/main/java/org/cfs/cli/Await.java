package org.cfs.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.cfs.chord.TransportException;

/** Waits for an asynchronous result on behalf of a command, within a bound. */
final class Await {
    private Await() {
    }

    /**
     * The result of {@code future} within {@code timeout}; otherwise a
     * {@link CommandFailedException} whose message starts with {@code what} and says why.
     */
    static <T> T result(CompletableFuture<T> future, Duration timeout, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new CommandFailedException(what + " did not finish within " + seconds(timeout), e);
        } catch (ExecutionException e) {
            throw new CommandFailedException(what + " failed: " + describe(e.getCause()), e.getCause());
        } catch (CancellationException e) {
            throw new CommandFailedException(what + " was cancelled", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailedException(what + " was interrupted", e);
        }
    }

    /** One line on why {@code error} happened, for a person. */
    static String describe(Throwable error) {
        TransportException te = TransportException.unwrap(error);
        if (te != null) {
            // An unreachable peer's message already says so ("... refused the connection").
            return te.reason() == TransportException.Reason.UNREACHABLE ? te.getMessage()
                    : te.reason().name().toLowerCase(Locale.ROOT) + ": " + te.getMessage();
        }
        Throwable t = error;
        while (t.getCause() != null && (t.getMessage() == null || t instanceof ExecutionException
                || t instanceof CompletionException)) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : String.format("%.1f s", d.toMillis() / 1000.0);
    }
}
