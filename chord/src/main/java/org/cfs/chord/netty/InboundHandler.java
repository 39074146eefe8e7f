package org.cfs.chord.netty;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.cfs.chord.RemoteException;
import org.cfs.chord.Transport.RequestHandler;
import org.cfs.chord.wire.Frame;
import org.cfs.chord.wire.FrameCodec;
import org.cfs.chord.wire.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one accepted connection: hands each request to the {@link RequestHandler} and writes its
 * reply, or an error reply, back on this connection whenever the handler's future completes.
 * Accepted connections carry requests only; anything else closes the connection. An error reply
 * with a {@link RemoteException#readPause} stops reading the connection for that long (the frames
 * already read are still served), so a peer refused for flooding is read no faster than that.
 */
final class InboundHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(InboundHandler.class);

    private final FrameCodec codec;
    private final RequestHandler handler;
    private String peer = "unknown peer";
    private String peerHost = "unknown";
    private boolean rejected;
    /** Reading is paused after a refusal that asked for it; only the event loop touches this. */
    private boolean paused;

    InboundHandler(FrameCodec codec, RequestHandler handler) {
        this.codec = codec;
        this.handler = handler;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        peer = Peers.describe(ctx.channel());
        peerHost = Peers.host(ctx.channel());
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (rejected) {
            return;
        }
        if (msg instanceof Frame.Request request) {
            serve(ctx.channel(), request);
        } else if (msg instanceof Malformed malformed) {
            reject(ctx, malformed.reason());
        } else {
            reject(ctx, ((Frame) msg).kind() + " frame on an inbound connection, which carries only requests");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (Peers.isRoutine(cause)) {
            log.debug("inbound connection from {} failed: {}", peer, cause.toString());
        } else {
            log.warn("closing inbound connection from {} after an unexpected error", peer, cause);
        }
        ctx.close();
    }

    private void reject(ChannelHandlerContext ctx, String reason) {
        rejected = true;
        log.warn("closing inbound connection from {}: {}", peer, reason);
        ctx.close();
    }

    private void serve(Channel channel, Frame.Request request) {
        CompletableFuture<? extends Message> reply;
        try {
            reply = handler.handle(peerHost, request.message());
            if (reply == null) {
                reply = CompletableFuture.failedFuture(
                        new IllegalStateException("the request handler returned no future"));
            }
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((message, failure) -> {
            // A requester that has gone away gets no answer; writing would only fail.
            if (channel.isActive()) {
                channel.writeAndFlush(Unpooled.wrappedBuffer(encodeReply(request, message, failure)));
                if (unwrap(failure) instanceof RemoteException remote && !remote.readPause().isZero()) {
                    pauseReading(channel, remote.readPause());
                }
            }
        });
    }

    /** Stops reading {@code channel} for {@code pause}: at once when the refusal came on the event loop. */
    private void pauseReading(Channel channel, Duration pause) {
        Runnable stop = () -> {
            if (paused || !channel.isActive()) {
                return;
            }
            paused = true;
            channel.config().setAutoRead(false);
            log.debug("not reading from {} for {} ms: it was refused for sending too fast", peer, pause.toMillis());
            channel.eventLoop().schedule(() -> {
                paused = false;
                channel.config().setAutoRead(true);
            }, pause.toNanos(), TimeUnit.NANOSECONDS);
        };
        if (channel.eventLoop().inEventLoop()) {
            stop.run();
        } else {
            channel.eventLoop().execute(stop);
        }
    }

    private byte[] encodeReply(Frame.Request request, Message message, Throwable failure) {
        long id = request.requestId();
        String name = request.message().getClass().getSimpleName();
        if (failure == null && message != null) {
            try {
                return codec.encode(new Frame.Response(id, message));
            } catch (IllegalArgumentException e) {
                log.warn("cannot encode the reply to a {} from {}: {}", name, peer, e.getMessage());
                return codec.encode(new Frame.ErrorReply(id, RemoteException.INTERNAL,
                        "reply could not be encoded: " + e.getMessage()));
            }
        }
        Throwable cause = unwrap(failure);
        if (cause instanceof RemoteException remote) {
            return codec.encode(new Frame.ErrorReply(id, remote.code(), Objects.toString(remote.getMessage(), "")));
        }
        if (cause == null) {
            log.warn("the request handler answered a {} from {} with null", name, peer);
            return codec.encode(new Frame.ErrorReply(id, RemoteException.INTERNAL, "the handler produced no reply"));
        }
        log.warn("the request handler failed on a {} from {}", name, peer, cause);
        return codec.encode(new Frame.ErrorReply(id, RemoteException.INTERNAL,
                cause.getMessage() != null ? cause.getMessage() : cause.getClass().getName()));
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
