package org.cfs.chord;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.wire.Message;

/**
 * Asynchronous request/response between hosts. A request's future completes with the reply, or
 * exceptionally with a {@link TransportException} saying why not (timeout, unreachable, closed
 * connection, an error reply, a malformed reply). Implementations: Netty TCP for real nodes, an
 * in-memory network on virtual time for tests and the simulator.
 */
public interface Transport extends AutoCloseable {

    /** The endpoint this transport answers on, as peers address it. */
    Endpoint local();

    /** Sends {@code request} to {@code to}; fails with a timeout after {@code timeout}. */
    CompletableFuture<Message> request(Endpoint to, Message request, Duration timeout);

    /** Closes the listener and all connections; outstanding requests fail. Idempotent. */
    @Override
    void close();

    /** Answers requests that arrive at a host. */
    @FunctionalInterface
    interface RequestHandler {
        /**
         * Handles {@code request} from the peer at {@code fromHost} (the remote address of the
         * connection, not a claimed one). A future failing with {@link RemoteException} becomes an
         * error reply with its code and text.
         */
        CompletableFuture<? extends Message> handle(String fromHost, Message request);
    }
}
