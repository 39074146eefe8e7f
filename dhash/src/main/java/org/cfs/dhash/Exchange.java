package org.cfs.dhash;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.NodeRef;
import org.cfs.chord.Transport;
import org.cfs.chord.TransportException;
import org.cfs.chord.wire.Message;

/** One DHash request and the reply type it must get: anything else fails as a malformed reply. */
final class Exchange {
    private Exchange() {
    }

    static <R extends Message> CompletableFuture<R> send(Transport transport, NodeRef to, Message request,
                                                         Class<R> replyType, Duration timeout) {
        CompletableFuture<Message> sent;
        try {
            sent = transport.request(to.endpoint(), request, timeout);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        return sent.thenApply(reply -> {
            if (!replyType.isInstance(reply)) {
                throw new TransportException(TransportException.Reason.MALFORMED, "node " + to + " answered "
                        + request.getClass().getSimpleName() + " with " + reply.getClass().getSimpleName());
            }
            return replyType.cast(reply);
        });
    }
}
