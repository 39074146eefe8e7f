package org.cfs.chord.netty;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import org.cfs.chord.Endpoint;
import org.cfs.chord.NodeRef;
import org.cfs.chord.RemoteException;
import org.cfs.chord.Transport;
import org.cfs.chord.wire.ChordMessages.Ack;
import org.cfs.chord.wire.ChordMessages.FindStep;
import org.cfs.chord.wire.ChordMessages.Ping;
import org.cfs.chord.wire.ChordMessages.StepReply;
import org.cfs.chord.wire.Message;

/**
 * A request handler whose behaviour the request picks: Ping's target selects an answer, a
 * failure, or silence; FindStep is answered from another thread with a reply derived from the
 * request, so that a reply matched to the wrong request shows.
 */
final class StubHandler implements Transport.RequestHandler {
    static final int HANG = 100;
    static final int REMOTE_ERROR = 101;
    static final int THROW = 102;
    static final int UNREGISTERED_REPLY = 103;
    /** Refused with a read pause of {@link #slowDownPause}, as a node refuses a flood. */
    static final int SLOW_DOWN = 104;

    final List<String> senders = new CopyOnWriteArrayList<>();
    /** Released once per request received, for tests that wait until requests have arrived. */
    final Semaphore received = new Semaphore(0);
    volatile Duration slowDownPause = Duration.ofMillis(100);
    private final Executor replyThread;

    StubHandler(Executor replyThread) {
        this.replyThread = replyThread;
    }

    /** The reply a FindStep gets. */
    static StepReply answerTo(FindStep step) {
        NodeRef node = NodeRef.of(new Endpoint("10.0.0.1", 1 + step.max()), step.target() % 16);
        return new StepReply(step.max() % 2 == 0, List.of(node), List.of(), false);
    }

    @Override
    public CompletableFuture<? extends Message> handle(String fromHost, Message request) {
        senders.add(fromHost);
        received.release();
        if (request instanceof FindStep step) {
            return CompletableFuture.supplyAsync(() -> answerTo(step), replyThread);
        }
        if (!(request instanceof Ping ping)) {
            return CompletableFuture.failedFuture(new RemoteException(RemoteException.UNSUPPORTED,
                    request.getClass().getSimpleName() + " is not served here"));
        }
        return switch (ping.target()) {
            case HANG -> new CompletableFuture<>();
            case REMOTE_ERROR -> CompletableFuture.failedFuture(
                    new RemoteException(RemoteException.NO_SUCH_VNODE, "no vnode " + ping.target()));
            case THROW -> throw new IllegalStateException("handler bug on purpose");
            case UNREGISTERED_REPLY -> CompletableFuture.completedFuture(new Message() { });
            case SLOW_DOWN -> CompletableFuture.failedFuture(
                    new RemoteException(RemoteException.INTERNAL, "slow down", slowDownPause));
            default -> CompletableFuture.completedFuture(new Ack());
        };
    }
}
